namespace Monitoring.Contracts;

/// <summary>
/// Validation of the identifiers of the wire contract (docs/contract.md 1). Hand-written loops rather than
/// regular expressions: these run for every point and every topic, and must not allocate.
/// </summary>
public static class Identifiers
{
    /// <summary>Longest enterprise code or gateway id.</summary>
    public const int MaxEnterpriseOrGatewayLength = 64;

    /// <summary>Longest point tag.</summary>
    public const int MaxTagLength = 128;

    /// <summary>True when <paramref name="value"/> matches <c>[A-Za-z0-9_-]{1,64}</c>.</summary>
    public static bool IsValidEnterpriseOrGateway(ReadOnlySpan<char> value)
    {
        if (value.IsEmpty || value.Length > MaxEnterpriseOrGatewayLength)
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when the UTF-8 <paramref name="tag"/> matches <c>[A-Za-z0-9_.:/-]{1,128}</c>.</summary>
    public static bool IsValidTag(ReadOnlySpan<byte> tag)
    {
        if (tag.IsEmpty || tag.Length > MaxTagLength)
        {
            return false;
        }

        foreach (var b in tag)
        {
            if (!IsTagChar((char)b))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>True when <paramref name="tag"/> matches <c>[A-Za-z0-9_.:/-]{1,128}</c>.</summary>
    public static bool IsValidTag(ReadOnlySpan<char> tag)
    {
        if (tag.IsEmpty || tag.Length > MaxTagLength)
        {
            return false;
        }

        foreach (var c in tag)
        {
            if (!IsTagChar(c))
            {
                return false;
            }
        }

        return true;
    }

    // A byte >= 0x80 (part of a multi-byte UTF-8 sequence) becomes a char >= 0x80 and fails here.
    private static bool IsTagChar(char c) =>
        char.IsAsciiLetterOrDigit(c) || c is '_' or '.' or ':' or '/' or '-';
}

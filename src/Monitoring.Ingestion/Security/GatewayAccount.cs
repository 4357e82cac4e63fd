namespace Monitoring.Ingestion.Security;

/// <summary>A gateway's MQTT account: who it is and the one topic prefix it may publish under.</summary>
internal sealed record GatewayAccount(string Username, string Enterprise, string Gateway, string? PasswordHash)
{
    public static bool IsIdentifier(string? value)
    {
        if (string.IsNullOrEmpty(value) || value.Length > 64)
            return false;
        foreach (var c in value)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '_' or '-'))
                return false;
        }

        return true;
    }

    /// <summary>User names of password files are <c>{enterprise}.{gateway}</c> (identifiers have no dots).</summary>
    public static bool TryParseUsername(string username, out string enterprise, out string gateway)
    {
        var dot = username.IndexOf('.', StringComparison.Ordinal);
        enterprise = dot < 0 ? "" : username[..dot];
        gateway = dot < 0 ? "" : username[(dot + 1)..];
        return IsIdentifier(enterprise) && IsIdentifier(gateway);
    }
}

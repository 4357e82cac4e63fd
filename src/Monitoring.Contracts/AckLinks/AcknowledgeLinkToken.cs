using System.Buffers.Binary;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Monitoring.Contracts.AckLinks;

/// <summary>What a valid acknowledge link grants: this person may acknowledge this alarm until the expiry.</summary>
public readonly record struct AcknowledgeLinkClaims(Guid AlarmId, string PersonId, DateTimeOffset ExpiresAt);

/// <summary>Why a token was refused. Stable words, used in logs and on the confirmation page.</summary>
public enum AcknowledgeLinkFailure
{
    None,
    Malformed,
    BadSignature,
    Expired,
}

/// <summary>
/// The signed, expiring token carried by the acknowledge link in every notification. The notification
/// service creates it, the ingestion service verifies it; both hold the same key. Pure: no clock, no I/O.
/// </summary>
/// <remarks>
/// Format: <c>base64url(payload) "." base64url(HMAC-SHA256(key, payload))</c>, where payload is a version
/// byte (1), the 16 bytes of the alarm id (RFC 4122 byte order), the expiry as 8-byte big-endian Unix
/// seconds, then the person id in UTF-8. Binary rather than delimited text, so a person id may contain
/// any character without ambiguity. The signature covers the version byte, so a future format cannot be
/// confused with this one.
/// </remarks>
public static class AcknowledgeLinkToken
{
    private const byte Version = 1;
    private const int HeaderLength = 1 + 16 + 8;
    private const int MacLength = 32;

    /// <summary>Shortest key accepted: 32 bytes, the HMAC-SHA256 block strength.</summary>
    public const int MinimumKeyBytes = 32;

    /// <summary>Longest person id carried: it is bounded so that a link stays short enough for messengers.</summary>
    public const int MaxPersonIdBytes = 128;

    /// <summary>The key bytes of a configured key text (UTF-8). Throws when it is shorter than <see cref="MinimumKeyBytes"/>.</summary>
    public static byte[] KeyFromText(string keyText)
    {
        ArgumentNullException.ThrowIfNull(keyText);
        var key = Encoding.UTF8.GetBytes(keyText);
        if (key.Length < MinimumKeyBytes)
            throw new ArgumentException($"an acknowledge link key needs at least {MinimumKeyBytes} bytes", nameof(keyText));
        return key;
    }

    public static string Create(Guid alarmId, string personId, DateTimeOffset expiresAt, ReadOnlySpan<byte> key)
    {
        ArgumentException.ThrowIfNullOrEmpty(personId);
        if (key.Length < MinimumKeyBytes)
            throw new ArgumentException($"an acknowledge link key needs at least {MinimumKeyBytes} bytes", nameof(key));
        var personBytes = Encoding.UTF8.GetByteCount(personId);
        if (personBytes > MaxPersonIdBytes)
            throw new ArgumentException($"a person id longer than {MaxPersonIdBytes} bytes cannot be carried in a link", nameof(personId));

        var payload = new byte[HeaderLength + personBytes];
        payload[0] = Version;
        alarmId.TryWriteBytes(payload.AsSpan(1, 16), bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(payload.AsSpan(17, 8), expiresAt.ToUnixTimeSeconds());
        Encoding.UTF8.GetBytes(personId, payload.AsSpan(HeaderLength));

        Span<byte> mac = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, payload, mac);
        return Base64Url.EncodeToString(payload) + "." + Base64Url.EncodeToString(mac);
    }

    /// <summary>Checks the signature first, then the expiry against <paramref name="now"/>. Claims are only set when valid.</summary>
    public static AcknowledgeLinkFailure Verify(string? token, ReadOnlySpan<byte> key, DateTimeOffset now, out AcknowledgeLinkClaims claims)
    {
        claims = default;
        if (key.Length < MinimumKeyBytes)
            throw new ArgumentException($"an acknowledge link key needs at least {MinimumKeyBytes} bytes", nameof(key));
        if (string.IsNullOrEmpty(token) || token.Length > 512)
            return AcknowledgeLinkFailure.Malformed;

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || dot == token.Length - 1)
            return AcknowledgeLinkFailure.Malformed;

        byte[] payload;
        byte[] mac;
        try
        {
            payload = Base64Url.DecodeFromChars(token.AsSpan(0, dot));
            mac = Base64Url.DecodeFromChars(token.AsSpan(dot + 1));
        }
        catch (FormatException)
        {
            return AcknowledgeLinkFailure.Malformed;
        }

        if (payload.Length <= HeaderLength || payload.Length > HeaderLength + MaxPersonIdBytes || payload[0] != Version || mac.Length != MacLength)
            return AcknowledgeLinkFailure.Malformed;

        Span<byte> expected = stackalloc byte[MacLength];
        HMACSHA256.HashData(key, payload, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, mac))
            return AcknowledgeLinkFailure.BadSignature;

        var expiresAt = DateTimeOffset.FromUnixTimeSeconds(BinaryPrimitives.ReadInt64BigEndian(payload.AsSpan(17, 8)));
        if (now >= expiresAt)
            return AcknowledgeLinkFailure.Expired;

        claims = new AcknowledgeLinkClaims(new Guid(payload.AsSpan(1, 16), bigEndian: true), Encoding.UTF8.GetString(payload.AsSpan(HeaderLength)), expiresAt);
        return AcknowledgeLinkFailure.None;
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Monitoring.Ingestion.Security;

/// <summary>
/// API keys are stored as SHA-256 hex (<c>printf %s "$KEY" | sha256sum</c>). A plain hash is enough for
/// keys: they are long random strings, not passwords that need key stretching.
/// </summary>
internal static class ApiKeyHash
{
    public static byte[] Compute(ReadOnlySpan<char> key)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(key)];
        Encoding.UTF8.GetBytes(key, bytes);
        return SHA256.HashData(bytes);
    }

    public static string ComputeHex(string key) => Convert.ToHexStringLower(Compute(key));

    public static bool IsValidHex(string hex)
    {
        if (hex.Length != 64)
            return false;
        foreach (var c in hex)
        {
            if (!char.IsAsciiHexDigit(c))
                return false;
        }

        return true;
    }

    /// <summary>A new random key (32 bytes, base64url): what <c>openssl rand -base64 32</c> would give.</summary>
    public static string NewKey() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

/// <summary>
/// Mosquitto password hashes, so the embedded broker and Mosquitto read the same password file:
/// <c>$7$iterations$salt$hash</c> (PBKDF2-HMAC-SHA512, 64-byte hash, mosquitto_passwd 2.x) and the older
/// <c>$6$salt$hash</c> (SHA-512 of password then salt). Salt and hash are base64.
/// </summary>
internal static class PasswordHash
{
    private const int DefaultIterations = 20_000;

    public static bool IsSupported(string encoded) => TryParse(encoded, out _, out _, out _, out _);

    /// <summary>A <c>$7$</c> hash Mosquitto accepts too (it reads the iteration count from the string).</summary>
    public static string Create(string password, int iterations = DefaultIterations)
    {
        var salt = RandomNumberGenerator.GetBytes(12);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA512, 64);
        return string.Create(System.Globalization.CultureInfo.InvariantCulture, $"$7${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    public static bool Verify(string encoded, string? password)
    {
        if (password is null || !TryParse(encoded, out var kind, out var iterations, out var salt, out var expected))
            return false;
        var passwordBytes = Encoding.UTF8.GetBytes(password);
        byte[] actual;
        if (kind == 7)
        {
            actual = Rfc2898DeriveBytes.Pbkdf2(passwordBytes, salt, iterations, HashAlgorithmName.SHA512, expected.Length);
        }
        else
        {
            var input = new byte[passwordBytes.Length + salt.Length];
            passwordBytes.CopyTo(input, 0);
            salt.CopyTo(input, passwordBytes.Length);
            actual = SHA512.HashData(input);
        }

        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string encoded, out int kind, out int iterations, out byte[] salt, out byte[] hash)
    {
        kind = 0;
        iterations = 0;
        salt = [];
        hash = [];
        var parts = encoded.Split('$');
        try
        {
            // "$7$101$salt$hash" splits into "", "7", "101", "salt", "hash".
            if (parts is ["", "7", var it, var s, var h] && int.TryParse(it, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out iterations) && iterations > 0)
            {
                kind = 7;
                salt = Convert.FromBase64String(s);
                hash = Convert.FromBase64String(h);
            }
            else if (parts is ["", "6", var s6, var h6])
            {
                kind = 6;
                salt = Convert.FromBase64String(s6);
                hash = Convert.FromBase64String(h6);
            }
        }
        catch (FormatException)
        {
            return false;
        }

        return kind != 0 && salt.Length > 0 && hash.Length > 0;
    }
}

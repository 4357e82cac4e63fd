using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Monitoring.Ingestion.Security;

/// <summary>
/// Password hashes of console users: PBKDF2-HMAC-SHA256 stored as the self-describing string
/// <c>pbkdf2-sha256$&lt;iterations&gt;$&lt;salt, base64&gt;$&lt;hash, base64&gt;</c>, so the cost can rise later
/// without invalidating the hashes already configured.
/// </summary>
internal static class UserPasswordHash
{
    public const string Prefix = "pbkdf2-sha256";

    /// <summary>OWASP's 2023 figure for PBKDF2-HMAC-SHA256; about a quarter of a second here, once per sign-in.</summary>
    public const int DefaultIterations = 600_000;

    /// <summary>Lower counts are refused at start: they would make a leaked configuration cheap to crack.</summary>
    public const int MinimumIterations = 10_000;

    private const int SaltBytes = 16;
    private const int HashBytes = 32;

    public static string Create(string password, int iterations = DefaultIterations)
    {
        ArgumentException.ThrowIfNullOrEmpty(password);
        ArgumentOutOfRangeException.ThrowIfLessThan(iterations, MinimumIterations);
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, HashBytes);
        return string.Create(CultureInfo.InvariantCulture, $"{Prefix}${iterations}${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}");
    }

    /// <summary>
    /// <c>hash-password</c>: reads a password from the first line of <paramref name="input"/> (stdin, so it
    /// stays out of the shell history and the process list) and writes its hash. Returns the exit code.
    /// </summary>
    public static int RunCommand(TextReader input, TextWriter output, TextWriter error)
    {
        var password = input.ReadLine();
        if (string.IsNullOrEmpty(password))
        {
            error.WriteLine("hash-password: give the password on stdin, e.g. 'read -rs P; printf %s \"$P\" | dotnet run --project src/Monitoring.Ingestion -- hash-password'.");
            return 2;
        }

        if (password.Length < 12)
        {
            error.WriteLine("hash-password: use at least 12 characters.");
            return 2;
        }

        output.WriteLine(Create(password));
        return 0;
    }

    public static bool IsValid(string? encoded) => TryParse(encoded, out _, out _, out _);

    /// <summary>Checks a password in constant time for its hash; false for a malformed hash.</summary>
    public static bool Verify(string password, string encoded)
    {
        if (!TryParse(encoded, out var iterations, out var salt, out var expected))
            return false;
        var actual = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, iterations, HashAlgorithmName.SHA256, expected.Length);
        return CryptographicOperations.FixedTimeEquals(actual, expected);
    }

    private static bool TryParse(string? encoded, out int iterations, out byte[] salt, out byte[] hash)
    {
        iterations = 0;
        salt = hash = [];
        var parts = encoded?.Split('$');
        if (parts is not [Prefix, var count, var saltText, var hashText]
            || !int.TryParse(count, NumberStyles.None, CultureInfo.InvariantCulture, out iterations)
            || iterations < MinimumIterations)
            return false;
        try
        {
            salt = Convert.FromBase64String(saltText);
            hash = Convert.FromBase64String(hashText);
        }
        catch (FormatException)
        {
            return false;
        }

        return salt.Length >= 8 && hash.Length >= 16;
    }
}

using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Security;

/// <summary>A person who may sign in to the duty console.</summary>
internal sealed record ConsoleUser(string Id, string DisplayName, string Role);

/// <summary>
/// The console's users: <c>Monitoring:Security:Users</c>, or on a machine with no users and no API keys
/// at all, one <c>admin</c> with a random password made at start (see <see cref="SecurityOptions.BootstrapAdministrator"/>).
/// </summary>
internal sealed partial class ConsoleUsers
{
    public const string BootstrapUserId = "admin";

    // Verified when the user is unknown, so a wrong name costs as long as a wrong password.
    private static readonly Lazy<string> DecoyHash = new(static () => UserPasswordHash.Create("decoy-" + Guid.NewGuid().ToString("N")));

    private readonly Dictionary<string, (ConsoleUser User, string Hash)> _users = new(StringComparer.OrdinalIgnoreCase);
    private readonly string? _bootstrapPassword;

    public ConsoleUsers(IOptions<SecurityOptions> options)
    {
        var security = options.Value;
        foreach (var u in security.Users)
            _users[u.Id] = (new ConsoleUser(u.Id, string.IsNullOrWhiteSpace(u.DisplayName) ? u.Id : u.DisplayName, u.Role), u.PasswordHash);

        if (security.Users.Count == 0 && security.ApiKeys.Count == 0 && security.BootstrapAdministrator)
        {
            // 20 characters from an unambiguous alphabet: about 100 bits, easy to type from a log line.
            _bootstrapPassword = RandomNumberGenerator.GetString("abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789", 20);
            // Iterations add nothing against guessing a random 100-bit password; the minimum keeps start fast.
            _users[BootstrapUserId] = (new ConsoleUser(BootstrapUserId, "Administrator (temporary)", Roles.Administrator),
                UserPasswordHash.Create(_bootstrapPassword, UserPasswordHash.MinimumIterations));
        }
    }

    public bool IsEmpty => _users.Count == 0;

    /// <summary>Writes the temporary administrator's password to the log, once, at start.</summary>
    public void AnnounceBootstrapAdministrator(ILogger logger, string consoleAddress)
    {
        if (_bootstrapPassword is not null)
            LogBootstrap(logger, consoleAddress, BootstrapUserId, _bootstrapPassword);
        else if (IsEmpty)
            LogNoUsers(logger);
    }

    /// <summary>Checks the password; the same cost whether or not the user exists.</summary>
    public bool TryVerify(string id, string password, out ConsoleUser user)
    {
        if (!_users.TryGetValue(id ?? "", out var entry))
        {
            UserPasswordHash.Verify(password ?? "", DecoyHash.Value);
            user = null!;
            return false;
        }

        user = entry.User;
        return UserPasswordHash.Verify(password ?? "", entry.Hash);
    }

    public static ClaimsPrincipal Principal(ConsoleUser user, string scheme) => new(new ClaimsIdentity(
        [
            new Claim(ClaimTypes.Name, user.Id),
            new Claim(ClaimTypes.Role, user.Role),
            new Claim(ConsoleAuthentication.DisplayNameClaim, user.DisplayName),
            new Claim(ApiKeyAuthenticationHandler.AuthenticationMethodClaim, ConsoleAuthentication.AuthenticationMethod),
        ],
        scheme, ClaimTypes.Name, ClaimTypes.Role));

    [LoggerMessage(Level = LogLevel.Warning, Message = "No users and no API keys are configured. Duty console: {Address} - sign in as '{User}' with the one-time password {Password} (valid until this process stops). Configure Monitoring:Security:Users (docs/security.md) to replace it.")]
    private static partial void LogBootstrap(ILogger logger, string address, string user, string password);

    [LoggerMessage(Level = LogLevel.Warning, Message = "No console users are configured: nobody can sign in to the duty console. Add Monitoring:Security:Users (docs/security.md).")]
    private static partial void LogNoUsers(ILogger logger);
}

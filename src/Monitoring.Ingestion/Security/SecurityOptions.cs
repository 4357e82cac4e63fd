using System.Globalization;
using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Security;

/// <summary>Configuration section <c>Monitoring:Security</c> (docs/security.md).</summary>
internal sealed class SecurityOptions
{
    public const string Section = "Monitoring:Security";

    /// <summary>When true, the read API needs a key of any role too (health probes stay open).</summary>
    public bool RequireAuthenticationForReads { get; set; }

    /// <summary>API keys, one per user or integration.</summary>
    public List<ApiKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>People who sign in to the duty console with a password (cookie session).</summary>
    public List<UserOptions> Users { get; set; } = [];

    /// <summary>
    /// With no <see cref="Users"/> and no <see cref="ApiKeys"/> at all (a fresh machine), create an
    /// <c>admin</c> user with a random password that lives as long as the process and is written once to
    /// the log (docs/security.md). Set false to start with no way to sign in instead.
    /// </summary>
    public bool BootstrapAdministrator { get; set; } = true;

    /// <summary>How long a console session lasts without activity (sliding): one shift.</summary>
    public TimeSpan SessionIdleTimeout { get; set; } = TimeSpan.FromHours(12);

    /// <summary>
    /// Gateway credentials for the embedded broker. With none here and no <see cref="GatewayPasswordFile"/>,
    /// the embedded broker accepts anyone (development default, logged as a warning).
    /// </summary>
    public List<GatewayCredentialOptions> Gateways { get; set; } = [];

    /// <summary>A Mosquitto password file (<c>mosquitto_passwd</c> output, user names <c>{enterprise}.{gateway}</c>), read by the embedded broker.</summary>
    public string? GatewayPasswordFile { get; set; }

    public BrokerSecurityOptions Broker { get; set; } = new();

    /// <summary>Section <c>Monitoring:Security:SignIn</c>: limits on failed console sign-ins.</summary>
    public SignInOptions SignIn { get; set; } = new();

    /// <summary>Maps <c>/api/_security-probe/*</c>, dummy endpoints under each policy (tests only).</summary>
    public bool EnableProbeEndpoints { get; set; }

    public bool GatewayAuthenticationEnabled =>
        Gateways.Count > 0 || !string.IsNullOrEmpty(GatewayPasswordFile) || Broker.ClientCertificates == ClientCertificateMode.Required;
}

internal sealed class ApiKeyOptions
{
    /// <summary>Who holds the key; becomes the user name in logs and events.</summary>
    public string Name { get; set; } = "";

    /// <summary><see cref="Roles.Viewer"/>, <see cref="Roles.DutyOfficer"/>, <see cref="Roles.Supervisor"/> or <see cref="Roles.Administrator"/>.</summary>
    public string Role { get; set; } = "";

    /// <summary>SHA-256 of the key, hex (preferred: the configuration then holds no usable secret).</summary>
    public string? KeySha256 { get; set; }

    /// <summary>The key itself (allowed for environment variables and secret stores; never commit it).</summary>
    public string? Key { get; set; }
}

internal sealed class UserOptions
{
    /// <summary>Sign-in name; becomes the user id in audit records and events (<c>acknowledgedBy</c>).</summary>
    public string Id { get; set; } = "";

    /// <summary>Shown in the console; defaults to <see cref="Id"/>.</summary>
    public string? DisplayName { get; set; }

    /// <summary><see cref="Roles.Viewer"/>, <see cref="Roles.DutyOfficer"/>, <see cref="Roles.Supervisor"/> or <see cref="Roles.Administrator"/>.</summary>
    public string Role { get; set; } = "";

    /// <summary><c>pbkdf2-sha256$iterations$salt$hash</c> from <c>dotnet run --project src/Monitoring.Ingestion -- hash-password</c>.</summary>
    public string PasswordHash { get; set; } = "";
}

internal sealed class GatewayCredentialOptions
{
    public string Enterprise { get; set; } = "";
    public string Gateway { get; set; } = "";

    /// <summary>MQTT user name; default <c>{enterprise}.{gateway}</c> (also the certificate CN for client certificates).</summary>
    public string? Username { get; set; }

    /// <summary>Mosquitto password hash (<c>$7$...</c> from <c>mosquitto_passwd</c>, or <see cref="PasswordHash.Create"/>).</summary>
    public string? PasswordHash { get; set; }

    public string EffectiveUsername => string.IsNullOrEmpty(Username) ? Enterprise + "." + Gateway : Username;
}

public enum ClientCertificateMode
{
    /// <summary>TLS endpoint without client certificates.</summary>
    None,
    /// <summary>
    /// Every TLS client must present a certificate issued by <see cref="BrokerSecurityOptions.ClientCaFile"/>;
    /// its CN (<c>{enterprise}.{gateway}</c>) is the gateway. Gateway passwords are then not accepted.
    /// </summary>
    Required,
}

/// <summary>Section <c>Monitoring:Security:Broker</c>: limits and TLS of the embedded broker.</summary>
internal sealed class BrokerSecurityOptions
{
    /// <summary>Largest PUBLISH payload accepted from a gateway; larger ones are refused and counted. 0: no limit.</summary>
    public int MaxPayloadBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// Per-gateway token bucket refill rate. 0 (default): no limit, because a gateway that reconnects
    /// after an outage replays its backlog as fast as it can, and refusing that would lose readings.
    /// </summary>
    public double MessagesPerSecond { get; set; }

    /// <summary>Bucket size; default 2 s worth of <see cref="MessagesPerSecond"/>.</summary>
    public int Burst { get; set; }

    /// <summary>TLS endpoint port of the embedded broker; 0: no TLS endpoint.</summary>
    public int TlsPort { get; set; }

    /// <summary>Server certificate: PFX/PKCS#12, or PEM with <see cref="CertificateKeyFile"/>.</summary>
    public string? CertificateFile { get; set; }
    public string? CertificateKeyFile { get; set; }
    public string? CertificatePassword { get; set; }

    public ClientCertificateMode ClientCertificates { get; set; } = ClientCertificateMode.None;

    /// <summary>CA (PEM) that issues gateway client certificates.</summary>
    public string? ClientCaFile { get; set; }

}

/// <summary>
/// Section <c>Monitoring:Security:SignIn</c>: brute-force protection of the console sign-in
/// (<see cref="SignInThrottle"/>, docs/security.md "Sign-in limits").
/// </summary>
internal sealed class SignInOptions
{
    /// <summary>Consecutive failures for one user name (known or not) before it is locked. 0: no per-user lock.</summary>
    public int UserFailuresBeforeLock { get; set; } = 5;

    /// <summary>The first lock; each further failure doubles it, up to <see cref="UserMaxLockDuration"/>.</summary>
    public TimeSpan UserLockDuration { get; set; } = TimeSpan.FromMinutes(1);

    public TimeSpan UserMaxLockDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>A user's failure streak is forgotten after this long without a failure (and without a lock).</summary>
    public TimeSpan ForgetFailuresAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Failures one client address may spend per <see cref="AddressWindow"/>, whatever the user names. 0: no per-address limit.</summary>
    public int AddressFailureBudget { get; set; } = 20;

    /// <summary>The budget refills evenly over this window (20 per 10 min: one failure every 30 s).</summary>
    public TimeSpan AddressWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long an address that spent its budget is refused.</summary>
    public TimeSpan AddressLockDuration { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Most user names, and most addresses, tracked at once; the least recently seen is forgotten first.</summary>
    public int MaxTrackedKeys { get; set; } = 10_000;
}

internal sealed class SecurityOptionsValidator : IValidateOptions<SecurityOptions>
{
    public ValidateOptionsResult Validate(string? name, SecurityOptions options)
    {
        var errors = new List<string>();
        for (var i = 0; i < options.ApiKeys.Count; i++)
        {
            var key = options.ApiKeys[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Monitoring:Security:ApiKeys:{i}");
            if (string.IsNullOrWhiteSpace(key.Name))
                errors.Add($"{at}:Name is required.");
            if (!Roles.IsKnown(key.Role))
                errors.Add($"{at}:Role '{key.Role}' is not one of {Roles.List}.");
            var hasHash = !string.IsNullOrEmpty(key.KeySha256);
            if (hasHash == !string.IsNullOrEmpty(key.Key))
                errors.Add($"{at}: set exactly one of KeySha256 (preferred) or Key.");
            if (hasHash && !ApiKeyHash.IsValidHex(key.KeySha256!))
                errors.Add($"{at}:KeySha256 must be 64 hex digits (sha256sum of the key).");
            if (!string.IsNullOrEmpty(key.Key) && key.Key.Length < 16)
                errors.Add($"{at}:Key is shorter than 16 characters.");
        }

        var userIds = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < options.Users.Count; i++)
        {
            var user = options.Users[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Monitoring:Security:Users:{i}");
            if (string.IsNullOrWhiteSpace(user.Id) || user.Id.Length > 64 || user.Id.Any(char.IsControl))
                errors.Add($"{at}:Id is required (at most 64 characters, no control characters).");
            else if (!userIds.Add(user.Id))
                errors.Add($"{at}:Id '{user.Id}' is used twice.");
            if (!Roles.IsKnown(user.Role))
                errors.Add($"{at}:Role '{user.Role}' is not one of {Roles.List}.");
            if (!UserPasswordHash.IsValid(user.PasswordHash))
                errors.Add($"{at}:PasswordHash must be '{UserPasswordHash.Prefix}$<iterations, at least {UserPasswordHash.MinimumIterations}>$<salt>$<hash>' (dotnet run --project src/Monitoring.Ingestion -- hash-password).");
        }

        if (options.SessionIdleTimeout <= TimeSpan.Zero)
            errors.Add("Monitoring:Security:SessionIdleTimeout must be positive.");

        var users = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Gateways.Count; i++)
        {
            var g = options.Gateways[i];
            var at = string.Create(CultureInfo.InvariantCulture, $"Monitoring:Security:Gateways:{i}");
            if (!GatewayAccount.IsIdentifier(g.Enterprise) || !GatewayAccount.IsIdentifier(g.Gateway))
                errors.Add($"{at}: Enterprise and Gateway must match [A-Za-z0-9_-]{{1,64}}.");
            if (!users.Add(g.EffectiveUsername))
                errors.Add($"{at}: user name '{g.EffectiveUsername}' is used twice.");
            if (!string.IsNullOrEmpty(g.PasswordHash) && !PasswordHash.IsSupported(g.PasswordHash))
                errors.Add($"{at}:PasswordHash is not a Mosquitto $7$ or $6$ hash.");
        }

        if (options.Broker.TlsPort is < 0 or > 65535)
            errors.Add("Monitoring:Security:Broker:TlsPort must be 0 (off) or a port.");
        if (options.Broker.TlsPort > 0 && string.IsNullOrEmpty(options.Broker.CertificateFile))
            errors.Add("Monitoring:Security:Broker:CertificateFile is required with a TlsPort.");
        if (options.Broker.ClientCertificates != ClientCertificateMode.None && (options.Broker.TlsPort == 0 || string.IsNullOrEmpty(options.Broker.ClientCaFile)))
            errors.Add("Monitoring:Security:Broker: client certificates need a TlsPort and a ClientCaFile.");
        if (options.Broker.MessagesPerSecond < 0 || options.Broker.Burst < 0 || options.Broker.MaxPayloadBytes < 0)
            errors.Add("Monitoring:Security:Broker: limits cannot be negative.");

        var signIn = options.SignIn;
        if (signIn.UserFailuresBeforeLock < 0 || signIn.AddressFailureBudget < 0)
            errors.Add("Monitoring:Security:SignIn: UserFailuresBeforeLock and AddressFailureBudget cannot be negative (0 turns the limit off).");
        if (signIn.UserLockDuration <= TimeSpan.Zero || signIn.UserMaxLockDuration < signIn.UserLockDuration)
            errors.Add("Monitoring:Security:SignIn: UserLockDuration must be positive and UserMaxLockDuration at least as long.");
        if (signIn.ForgetFailuresAfter <= TimeSpan.Zero || signIn.AddressWindow <= TimeSpan.Zero || signIn.AddressLockDuration <= TimeSpan.Zero)
            errors.Add("Monitoring:Security:SignIn: ForgetFailuresAfter, AddressWindow and AddressLockDuration must be positive.");
        if (signIn.MaxTrackedKeys < 1)
            errors.Add("Monitoring:Security:SignIn:MaxTrackedKeys must be at least 1.");

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

namespace Monitoring.Ingestion.Security;

/// <summary>
/// Authorization policy names for the HTTP API: put <c>.RequireAuthorization(Policies.Operate)</c> on an
/// endpoint. Callers authenticate with an API key (<c>X-Api-Key</c> or <c>Authorization: Bearer</c>);
/// see docs/security.md.
/// </summary>
public static class Policies
{
    /// <summary>Reading alarms, gateways, dead letters, configuration. Open to anyone unless <c>Monitoring:Security:RequireAuthenticationForReads</c> is true; then any role.</summary>
    public const string Read = "monitoring.read";

    /// <summary>Duty operations (acknowledge, shelve): role <see cref="Roles.DutyOfficer"/> or <see cref="Roles.Administrator"/>.</summary>
    public const string Operate = "monitoring.operate";

    /// <summary>Administration (configuration validate and reload): role <see cref="Roles.Administrator"/>.</summary>
    public const string Administer = "monitoring.administer";
}

/// <summary>The roles an API key may carry.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string DutyOfficer = "duty-officer";
    public const string Administrator = "administrator";

    internal static bool IsKnown(string? role) => role is Viewer or DutyOfficer or Administrator;
}

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

    /// <summary>
    /// 核查 verification of disposal reports (approve or return): role <see cref="Roles.Supervisor"/> or
    /// <see cref="Roles.Administrator"/>, never the person who made the report (docs/disposal.md).
    /// </summary>
    public const string Verify = "monitoring.verify";

    /// <summary>Administration (configuration validate and reload): role <see cref="Roles.Administrator"/>.</summary>
    public const string Administer = "monitoring.administer";
}

/// <summary>The roles an API key may carry.</summary>
public static class Roles
{
    public const string Viewer = "viewer";
    public const string DutyOfficer = "duty-officer";
    /// <summary>A supervising safety officer (park, township, county): reads, and verifies disposal reports; no duty operations.</summary>
    public const string Supervisor = "supervisor";
    public const string Administrator = "administrator";

    internal static bool IsKnown(string? role) => role is Viewer or DutyOfficer or Supervisor or Administrator;

    /// <summary>The roles in words, for configuration errors.</summary>
    internal const string List = $"{Viewer}, {DutyOfficer}, {Supervisor}, {Administrator}";
}

namespace Monitoring.Rules.Configuration;

/// <summary>Settings of what the compiler adds to every gateway itself (diagnostics), not read from the site files.</summary>
public sealed record RuleSetOptions
{
    /// <summary>A gateway whose clock is off the server's by more than this raises <see cref="Runtime.DiagnosticRuleIds.GatewayClockSkew"/>.</summary>
    public TimeSpan ClockSkewLimit { get; init; } = TimeSpan.FromSeconds(30);

    public static RuleSetOptions Default { get; } = new();
}

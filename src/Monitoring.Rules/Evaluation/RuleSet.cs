using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Evaluation;

/// <summary>
/// The compiled rules of every loaded site. Immutable apart from the per-sensor evaluation state,
/// which belongs to the single partition worker that owns the sensor's gateway.
/// </summary>
public sealed class RuleSet
{
    // STUB: implemented in the rules work; the signatures are the seam the service uses.

    /// <summary>Compiles validated sites. Errors (duplicate enterprise/gateway, inconsistent limits) name the file and line.</summary>
    public static RuleSetBuildResult Compile(IReadOnlyList<SiteConfiguration> sites) => throw new NotImplementedException();

    public IReadOnlyList<SiteConfiguration> Sites => throw new NotImplementedException();

    /// <summary>Every alarm condition of every site (for the API and for restoring active alarms).</summary>
    public IReadOnlyList<AlarmCondition> Conditions => throw new NotImplementedException();

    /// <summary>The gateway's rules, or null when no site configures it (its readings are stored, not evaluated).</summary>
    public GatewayRules? FindGateway(string enterprise, string gateway) => throw new NotImplementedException();
}

public sealed record RuleSetBuildResult(RuleSet? RuleSet, IReadOnlyList<ConfigurationError> Errors);

/// <summary>The rules of one gateway's points. Lookups by tag allocate nothing.</summary>
public sealed class GatewayRules
{
    public string Enterprise => throw new NotImplementedException();
    public string Gateway => throw new NotImplementedException();
    public string Industry => throw new NotImplementedException();

    /// <summary>Finds a configured point by its tag (ASCII, as decoded from the payload).</summary>
    public bool TryGetSensor(ReadOnlySpan<char> tag, out SensorRules sensor) => throw new NotImplementedException();
}

public enum EvaluationOutcome : byte
{
    /// <summary>The reading was newer than the last one evaluated and went through the rules.</summary>
    Evaluated,
    /// <summary>Same timestamp as the last evaluated reading: a redelivery or re-send; not evaluated twice.</summary>
    Duplicate,
    /// <summary>Older than the last evaluated reading: stored and flagged historical; rule state is not rewound.</summary>
    Late,
    /// <summary>Bad quality: stored, never drives a process-value rule.</summary>
    SkippedBadQuality,
}

/// <summary>One configured point with its compiled rules and their state. Not thread-safe: single writer.</summary>
public sealed class SensorRules
{
    public string Tag => throw new NotImplementedException();
    public string? Unit => throw new NotImplementedException();
    public string? Equipment => throw new NotImplementedException();

    /// <summary>
    /// Evaluates one reading in event time. Transitions are appended to <paramref name="transitions"/>
    /// (a list the caller reuses). Allocates nothing when no transition happens.
    /// Booleans are evaluated as 1 (true) and 0 (false).
    /// </summary>
    public EvaluationOutcome Evaluate(long timestampMs, double value, PointQuality quality, List<AlarmTransition> transitions)
        => throw new NotImplementedException();
}

using Monitoring.Simulators.Plants;

namespace Monitoring.Simulators.Scenarios;

/// <summary>A scenario file: a plant, a timeline of events and what the monitoring system must do.</summary>
public sealed class Scenario
{
    public required string Name { get; init; }

    public required string File { get; init; }

    public string? Description { get; init; }

    public required PlantDefinition Plant { get; init; }

    /// <summary>The gateways whose points are published; the plant's gateways when the file names none.</summary>
    public required IReadOnlyList<string> Gateways { get; init; }

    public int Seed { get; init; } = 1;

    /// <summary>Sampling period of every signal (sensor time).</summary>
    public TimeSpan Sample { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long a gateway collects samples before it publishes one message.</summary>
    public TimeSpan Batch { get; init; } = TimeSpan.FromSeconds(1);

    public required TimeSpan Duration { get; init; }

    /// <summary>
    /// After <see cref="Duration"/>, every signal is handed back to the model for this long, published as fast
    /// as possible: lets active alarms clear (off-delays count in sensor time) before the next scenario.
    /// </summary>
    public TimeSpan Settle { get; init; }

    public PlantPhase Phase { get; init; } = PlantPhase.Steady;

    public TimeSpan ClockSkew { get; init; }

    public required IReadOnlyList<ScenarioEvent> Timeline { get; init; }

    public required IReadOnlyList<Expectation> Expectations { get; init; }
}

public enum EventKind
{
    Ramp,
    Set,
    Restore,
    Phase,
    Disconnect,
    Bad,
    Note,
}

/// <summary>One timeline entry: at <see cref="At"/> (sensor time from the start) do <see cref="Kind"/>.</summary>
public sealed class ScenarioEvent
{
    public required TimeSpan At { get; init; }

    public required EventKind Kind { get; init; }

    public int Line { get; init; }

    public string? Tag { get; init; }

    /// <summary>Ramp: absolute target; Set: the value (booleans as 1/0).</summary>
    public double? Target { get; init; }

    /// <summary>Ramp: relative change in percent of the value at the event (e.g. -30).</summary>
    public double? Percent { get; init; }

    /// <summary>Ramp and restore: how long the change takes; Disconnect and Bad: how long it lasts.</summary>
    public TimeSpan Over { get; init; }

    public PlantPhase? Phase { get; init; }

    public string? Gateway { get; init; }

    public string? Note { get; init; }

    public override string ToString() => Kind switch
    {
        EventKind.Ramp when Percent is { } p => $"{ScenarioTime.Format(At)} {Tag} {p.ToString("+0.##;-0.##", System.Globalization.CultureInfo.InvariantCulture)} % over {ScenarioTime.Format(Over)}",
        EventKind.Ramp => $"{ScenarioTime.Format(At)} {Tag} to {Target?.ToString(System.Globalization.CultureInfo.InvariantCulture)} over {ScenarioTime.Format(Over)}",
        EventKind.Set => $"{ScenarioTime.Format(At)} {Tag} = {Target?.ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        EventKind.Restore => $"{ScenarioTime.Format(At)} {Tag} back to normal",
        EventKind.Phase => $"{ScenarioTime.Format(At)} phase {Phase}",
        EventKind.Disconnect => $"{ScenarioTime.Format(At)} {Gateway} link lost for {ScenarioTime.Format(Over)}",
        EventKind.Bad => $"{ScenarioTime.Format(At)} {Tag} bad quality for {ScenarioTime.Format(Over)}",
        _ => $"{ScenarioTime.Format(At)} {Note}",
    };
}

public enum ExpectationKind
{
    /// <summary>An alarm of the rule must be raised within the time.</summary>
    Alarm,

    /// <summary>No alarm (of the rule, or of any rule) may be raised during the whole scenario.</summary>
    NoAlarm,
}

public sealed class Expectation
{
    public required ExpectationKind Kind { get; init; }

    /// <summary>The rule id; null with <see cref="ExpectationKind.NoAlarm"/> means any rule.</summary>
    public string? RuleId { get; init; }

    public string? Tag { get; init; }

    public int? Level { get; init; }

    public string? Priority { get; init; }

    /// <summary>Sensor time from the scenario start from which the alarm is expected.</summary>
    public TimeSpan After { get; init; }

    /// <summary>How long after <see cref="After"/> (sensor time) the alarm may occur.</summary>
    public TimeSpan Within { get; init; }

    /// <summary>A disabled expectation is reported as skipped (e.g. it needs a rule type that does not exist yet).</summary>
    public bool Enabled { get; init; } = true;

    public string? Pending { get; init; }

    public int Line { get; init; }

    public string Describe()
    {
        if (Kind == ExpectationKind.NoAlarm)
            return RuleId is null ? "no alarm at all" : $"no alarm of {RuleId}" + (Tag is null ? string.Empty : $" on {Tag}");
        var text = $"alarm {RuleId}";
        if (Tag is not null)
            text += $" on {Tag}";
        if (Level is { } level)
            text += $" level {level}";
        if (Priority is not null)
            text += $" {Priority}";
        return text + $" within {ScenarioTime.Format(Within)} of {ScenarioTime.Format(After)}";
    }
}

using Monitoring.Contracts;

namespace Monitoring.Rules.Runtime;

/// <summary>
/// One alarm that a compiled rule can raise for one source: for a limit rule, one stage (HH, H, L or LL)
/// of one point. Immutable; created once at compile time, so a transition refers to it without allocating.
/// <see cref="Key"/> identifies the alarm across restarts and reloads: exactly one active alarm per key.
/// </summary>
public sealed class AlarmCondition
{
    public required string Key { get; init; }
    public required string RuleId { get; init; }
    public required int RuleVersion { get; init; }
    public required string Enterprise { get; init; }
    public required string Gateway { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public string? Equipment { get; init; }
    public required string Industry { get; init; }
    /// <summary>One of <see cref="AlarmPriorities"/>.</summary>
    public required string Priority { get; init; }
    /// <summary>1 = first stage (warning), 2 = second stage (action), per GB/T 50493.</summary>
    public required int Level { get; init; }
    public required bool MajorHazard { get; init; }
    /// <summary>
    /// ISA-18.2 latching: after the condition returns to normal the alarm stays <c>latched</c> until an
    /// operator resets it, so a short excursion (a trip that cleared itself) cannot go unnoticed.
    /// </summary>
    public bool Latching { get; init; }
    public string? Clause { get; init; }
    public double? Limit { get; init; }
    public string? Unit { get; init; }
    public required LocalizedText Description { get; init; }
    /// <summary>The stage within the rule (<c>HH</c>, <c>H</c>, <c>L</c>, <c>LL</c> for a limit rule); null for single-condition rule types.</summary>
    public string? Stage { get; init; }

    public override string ToString() => Key;
}

public enum AlarmTransitionKind : byte
{
    Raised,
    Cleared,
}

/// <summary>Why a condition stopped being raised. Carried on the wire as <c>AlarmCleared.cause</c>.</summary>
public enum ClearCause : byte
{
    /// <summary>The condition returned to normal (after its off-delay and deadband), or its rule's own logic ended it.</summary>
    Normal,
    /// <summary>
    /// The rule's mode gate closed (an available gate signal fell below its threshold, e.g. casting ended): the
    /// rule was disarmed by design. Not a return to normal: the value may still be beyond the limit.
    /// </summary>
    ModeGate,
}

/// <summary>
/// A condition became true (after its on-delay) or returned to normal (after off-delay and deadband), or was
/// cleared because its rule's mode gate closed (<see cref="Cause"/> <see cref="ClearCause.ModeGate"/>).
/// <see cref="Value"/> is NaN when there is no value to carry (a bad-quality or no-data raise): events carry null then.
/// </summary>
/// <param name="Cause">Why a clear happened; always <see cref="ClearCause.Normal"/> for a raise.</param>
public readonly record struct AlarmTransition(AlarmCondition Condition, AlarmTransitionKind Kind, long OccurredAtMs, double Value, ClearCause Cause = ClearCause.Normal)
{
    /// <summary>False when <see cref="Value"/> is NaN (no value: serialize as null, JSON has no NaN).</summary>
    public bool HasValue => !double.IsNaN(Value);
}

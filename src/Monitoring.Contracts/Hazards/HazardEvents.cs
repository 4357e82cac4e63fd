using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using MassTransit;

namespace Monitoring.Contracts;

// Major-hazard register events (contract v1.3, docs/contract.md "Major-hazard events", docs/disposal.md): a major
// accident hazard (重大事故隐患, MEM Order No. 10) found by a major-hazard rule's alarm is a record per (enterprise,
// clause, equipment) with its own life: open -> rectification planned -> rectified -> verified -> closed out (销号),
// re-opened when it recurs. Like the alarm events, they share one declaration of their common fields (HazardEvent),
// which MassTransit leaves out of the topology and the envelope; each is numbered in the hazard's own sequence, with
// eventId = AlarmEventIds.For(hazardId, sequence).

/// <summary>
/// The facts every major-hazard event carries (docs/contract.md, "Fields common to major-hazard events"), declared once:
/// which hazard, where, and the state it is in after the event. Not a message of its own (see <see cref="AlarmEvent"/>).
/// </summary>
[ExcludeFromTopology]
[ExcludeFromImplementedTypes]
public abstract record HazardEvent
{
    /// <summary>The hazard record: <see cref="HazardIds.For"/> of (enterprise, clause, equipment), the same for every recurrence.</summary>
    [JsonPropertyOrder(-1)]
    public required Guid HazardId { get; init; }
    [JsonPropertyOrder(-1)]
    public required Guid EventId { get; init; }
    /// <summary>1 for the event that opened the record, +1 for each event after it.</summary>
    [JsonPropertyOrder(-1)]
    public required long Sequence { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Enterprise { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Industry { get; init; }
    /// <summary>The clause of MEM Order No. 10 the rule cites (e.g. <c>Art. 14</c>); null when the rule cites none.</summary>
    [JsonPropertyOrder(-1)]
    public string? Clause { get; init; }
    /// <summary>The equipment the hazard is on: the rule's or its point's, else <c>gateway &lt;id&gt;</c>.</summary>
    [JsonPropertyOrder(-1)]
    public required string Equipment { get; init; }
    /// <summary>The gateway of the alarm that opened the record.</summary>
    [JsonPropertyOrder(-1)]
    public required string Gateway { get; init; }
    /// <summary>What was found: the condition of the alarm that opened the record.</summary>
    [JsonPropertyOrder(-1)]
    public required LocalizedText Condition { get; init; }
    /// <summary>The record's state after this event (<see cref="HazardStates"/>).</summary>
    [JsonPropertyOrder(-1)]
    public required string State { get; init; }
    /// <summary>When the record was (last re-)opened: the sensor time of the alarm that opened it.</summary>
    [JsonPropertyOrder(-1)]
    public required DateTimeOffset OpenedAt { get; init; }
    /// <summary>The deadline of the step the record now waits for; null when none (closed, or waiting for the close-out).</summary>
    [JsonPropertyOrder(-1)]
    public DateTimeOffset? DueAt { get; init; }
    /// <summary>Times the record was re-opened by a recurrence (0 for the first episode).</summary>
    [JsonPropertyOrder(-1)]
    public required int Recurrences { get; init; }
    [JsonPropertyOrder(-1)]
    public required bool Simulated { get; init; }
}

/// <summary>A major-hazard alarm opened a new hazard record; a rectification plan is due.</summary>
public sealed record HazardOpened : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardOpened()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardOpened(HazardEvent facts, Guid alarmId, string ruleId, DateTimeOffset occurredAt)
        : base(facts)
    {
        AlarmId = alarmId;
        RuleId = ruleId;
        OccurredAt = occurredAt;
    }

    /// <summary>The alarm that found the hazard (its events carry the same <c>alarmId</c>).</summary>
    public required Guid AlarmId { get; init; }
    public required string RuleId { get; init; }
    /// <summary>Sensor time of the alarm's raise.</summary>
    public required DateTimeOffset OccurredAt { get; init; }
}

/// <summary>
/// The hazard recurred: a major-hazard alarm of the same (enterprise, clause, equipment) was raised after its
/// rectification was reported, verified or closed out. The record is open again and a new plan is due.
/// </summary>
public sealed record HazardReopened : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardReopened()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardReopened(HazardEvent facts, Guid alarmId, string ruleId, DateTimeOffset occurredAt, string previousState)
        : base(facts)
    {
        AlarmId = alarmId;
        RuleId = ruleId;
        OccurredAt = occurredAt;
        PreviousState = previousState;
    }

    /// <summary>The alarm of the recurrence.</summary>
    public required Guid AlarmId { get; init; }
    public required string RuleId { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    /// <summary>The state the record was in: <c>rectified</c>, <c>verified</c> or <c>closed</c>.</summary>
    public required string PreviousState { get; init; }
}

/// <summary>The enterprise planned the rectification (整改方案): measures, who is responsible, by when.</summary>
public sealed record HazardRectificationPlanned : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardRectificationPlanned()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardRectificationPlanned(HazardEvent facts, string plannedBy, string measures, string owner, DateTimeOffset rectifyBy, DateTimeOffset plannedAt)
        : base(facts)
    {
        PlannedBy = plannedBy;
        Measures = measures;
        Owner = owner;
        RectifyBy = rectifyBy;
        PlannedAt = plannedAt;
    }

    /// <summary>User id of who filed the plan.</summary>
    public required string PlannedBy { get; init; }
    /// <summary>The measures planned (整改措施).</summary>
    public required string Measures { get; init; }
    /// <summary>The person responsible for the rectification (责任人), as named in the plan.</summary>
    public required string Owner { get; init; }
    /// <summary>The rectification deadline (整改期限); the record is overdue after it.</summary>
    public required DateTimeOffset RectifyBy { get; init; }
    public required DateTimeOffset PlannedAt { get; init; }
}

/// <summary>The enterprise reported the rectification done, with evidence; verification is due.</summary>
public sealed record HazardRectified : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardRectified()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardRectified(HazardEvent facts, string rectifiedBy, string description, IReadOnlyList<string> evidence, DateTimeOffset rectifiedAt)
        : base(facts)
    {
        RectifiedBy = rectifiedBy;
        Description = description;
        Evidence = evidence;
        RectifiedAt = rectifiedAt;
    }

    public required string RectifiedBy { get; init; }
    /// <summary>What was done.</summary>
    public required string Description { get; init; }
    /// <summary>References to the evidence (photo or document ids, URLs); at least one.</summary>
    public required IReadOnlyList<string> Evidence { get; init; }
    public required DateTimeOffset RectifiedAt { get; init; }
}

/// <summary>The supervising officer did not accept the rectification: back to the plan, with a reason.</summary>
public sealed record HazardRectificationReturned : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardRectificationReturned()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardRectificationReturned(HazardEvent facts, string returnedBy, string reason, DateTimeOffset returnedAt)
        : base(facts)
    {
        ReturnedBy = returnedBy;
        Reason = reason;
        ReturnedAt = returnedAt;
    }

    public required string ReturnedBy { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset ReturnedAt { get; init; }
}

/// <summary>The supervising officer verified the rectification (核查/验收); the close-out follows.</summary>
public sealed record HazardVerified : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardVerified()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardVerified(HazardEvent facts, string verifiedBy, string? comment, DateTimeOffset verifiedAt)
        : base(facts)
    {
        VerifiedBy = verifiedBy;
        Comment = comment;
        VerifiedAt = verifiedAt;
    }

    /// <summary>Never the person who reported the rectification.</summary>
    public required string VerifiedBy { get; init; }
    public string? Comment { get; init; }
    public required DateTimeOffset VerifiedAt { get; init; }
}

/// <summary>销号: the hazard is closed out. A recurrence re-opens the record (<see cref="HazardReopened"/>).</summary>
public sealed record HazardClosedOut : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardClosedOut()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardClosedOut(HazardEvent facts, string closedOutBy, string? comment, DateTimeOffset closedOutAt)
        : base(facts)
    {
        ClosedOutBy = closedOutBy;
        Comment = comment;
        ClosedOutAt = closedOutAt;
    }

    public required string ClosedOutBy { get; init; }
    public string? Comment { get; init; }
    public required DateTimeOffset ClosedOutAt { get; init; }
}

/// <summary>A step of the record passed its deadline (the common <c>dueAt</c>): published once per step and deadline.</summary>
public sealed record HazardOverdue : HazardEvent
{
    /// <summary>For the serializer.</summary>
    public HazardOverdue()
    {
    }

    /// <summary>This event about the hazard <paramref name="facts"/> describes: its fields of <see cref="HazardEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public HazardOverdue(HazardEvent facts, string step, long overdueSeconds)
        : base(facts)
    {
        Step = step;
        OverdueSeconds = overdueSeconds;
    }

    /// <summary>The late step: <c>plan</c>, <c>rectify</c> or <c>verify</c> (<see cref="HazardSteps"/>).</summary>
    public required string Step { get; init; }
    /// <summary>Whole seconds past the deadline when the event was decided.</summary>
    public required long OverdueSeconds { get; init; }
}

/// <summary>The states of a major-hazard record, as on the wire (<see cref="HazardEvent.State"/>).</summary>
public static class HazardStates
{
    /// <summary>Found; a rectification plan is due.</summary>
    public const string Open = "open";
    /// <summary>Rectification planned (measures, owner, deadline); the rectification is due.</summary>
    public const string Planned = "planned";
    /// <summary>Rectification reported done; verification is due.</summary>
    public const string Rectified = "rectified";
    /// <summary>Verified by the supervising officer; the close-out is due.</summary>
    public const string Verified = "verified";
    /// <summary>销号: closed out. Not counted as an open hazard.</summary>
    public const string Closed = "closed";
}

/// <summary>The steps a record waits for, as named in <see cref="HazardOverdue.Step"/>.</summary>
public static class HazardSteps
{
    public const string Plan = "plan";
    public const string Rectify = "rectify";
    public const string Verify = "verify";
}

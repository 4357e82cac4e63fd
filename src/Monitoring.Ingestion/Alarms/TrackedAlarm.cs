using Monitoring.Contracts;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// One alarm's lifecycle state (ISA-18.2), immutable: every change replaces the record, so the API
/// always reads a consistent snapshot while the owning partition worker writes. Persisted as JSON in
/// the alarm journal, so acknowledgements, shelves and active alarms survive a restart.
/// </summary>
internal sealed record TrackedAlarm
{
    public required string Key { get; init; }
    /// <summary>The raise event that opened the alarm: source, rule, priority, first value.</summary>
    public required AlarmRaised Raised { get; init; }
    /// <summary>Sequence of the alarm's last event.</summary>
    public required long Sequence { get; init; }
    /// <summary>The rule's condition is true now (active); false once it returned to normal.</summary>
    public required bool ConditionActive { get; init; }
    public bool Acknowledged { get; init; }
    public string? AcknowledgedBy { get; init; }
    public DateTimeOffset? AcknowledgedAt { get; init; }
    public string? Comment { get; init; }
    public Shelf? Shelf { get; init; }
    public OutOfService? OutOfService { get; init; }
    /// <summary>A latching rule's alarm that returned to normal and waits for an operator's reset.</summary>
    public bool Latched { get; init; }
    /// <summary>Raised at least <see cref="AlarmTracker.ChatterRaises"/> times within <see cref="AlarmTracker.ChatterWindow"/>.</summary>
    public bool Chattering { get; init; }
    public double? LastValue { get; init; }
    public required DateTimeOffset LastChangedAt { get; init; }
    /// <summary>Sensor time of the alarm's last raise or clear: no older transition is published for it (0 in journals written before it existed).</summary>
    public long LastTransitionAtMs { get; init; }
    /// <summary>Escalations published so far for this alarm (0 = none).</summary>
    public int EscalationLevel { get; init; }
    /// <summary>When the next <see cref="AlarmEscalated"/> is due if nobody acknowledges; null = none will follow.</summary>
    public DateTimeOffset? NextEscalationAt { get; init; }
    /// <summary>The response time the duty console counts down to; null once acknowledged.</summary>
    public DateTimeOffset? AcknowledgeDueAt { get; init; }
    /// <summary>
    /// Raised from late data (a back-fill) and not confirmed by the live rules: only late data clears it,
    /// or, when the back-fill has ended and the live rules do not hold the condition, the worker's timer.
    /// </summary>
    public bool LateEpisode { get; init; }
    /// <summary>When the current unacknowledged episode started: the escalation clock's zero.</summary>
    public DateTimeOffset? UnacknowledgedSince { get; init; }
    /// <summary>The disposal loop (docs/disposal.md); null when the loop is off, or for an alarm raised before it existed.</summary>
    public Disposal? Disposal { get; init; }

    /// <summary>Nothing left to attend to at the plant (ISA-18.2): back to normal, acknowledged, reset, and in service.</summary>
    public bool Ended => !ConditionActive && Acknowledged && OutOfService is null && !Latched;

    /// <summary>
    /// Ended at the plant, but its disposal loop is not closed out yet. Such an alarm no longer holds its condition's
    /// place (a new raise of the same condition is a new alarm, with its own loop) and is not on the duty list.
    /// </summary>
    public bool AwaitingCloseOut => Ended && Disposal is { Step: not DisposalSteps.ClosedOut };

    /// <summary>Where the journal keeps its state: the condition's key while it holds it, its own id once it awaits close-out.</summary>
    public string StoreKey => AwaitingCloseOut ? $"{Key}#{Raised.AlarmId}" : Key;

    /// <summary>The ISA-18.2 state shown to operators.</summary>
    public string State => OutOfService is not null ? AlarmStates.OutOfService
        : Shelf is not null ? AlarmStates.Shelved
        : Latched && !ConditionActive ? AlarmStates.Latched
        : ConditionActive ? (Acknowledged ? AlarmStates.Acknowledged : AlarmStates.Unacknowledged)
        : Acknowledged ? AlarmStates.Normal
        : AlarmStates.ReturnedToNormalUnacknowledged;
}

/// <summary>
/// Where an alarm stands in the disposal loop (docs/disposal.md): <see cref="Step"/> is the step it waits for
/// (<see cref="DisposalSteps"/>, or <see cref="Closing"/>), <see cref="DueAt"/> that step's deadline.
/// </summary>
internal sealed record Disposal
{
    /// <summary>Verified (or, without verification, reported): closed out as soon as the alarm has ended at the plant.</summary>
    public const string Closing = "closing";

    public required string Step { get; init; }
    /// <summary>A supervising officer verifies the report (per priority, <see cref="DisposalOptions.For"/>).</summary>
    public required bool VerifyRequired { get; init; }
    /// <summary>Deadline of the current step; null: none (a historical alarm, or nothing is due).</summary>
    public DateTimeOffset? DueAt { get; init; }
    /// <summary>When the first disposal report is due (from the raise): the dispose step's deadline once signed for.</summary>
    public DateTimeOffset? DisposeDueAt { get; init; }
    /// <summary><see cref="AlarmDisposalOverdue"/> was published for the current step and <see cref="DueAt"/>.</summary>
    public bool Overdue { get; init; }
    /// <summary>The latest disposal report.</summary>
    public DisposalReport? Report { get; init; }
    /// <summary>Reports made so far (a return asks for one more).</summary>
    public int Attempts { get; init; }
    /// <summary>The latest return of a report by the verifier.</summary>
    public DisposalReturn? LastReturn { get; init; }
    public string? VerifiedBy { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public string? VerifyComment { get; init; }
    public string? ClosedOutBy { get; init; }
    public DateTimeOffset? ClosedOutAt { get; init; }
}

/// <summary>A disposal report (处置/反馈).</summary>
internal sealed record DisposalReport(string Cause, string? CauseText, string Description, string Measures, IReadOnlyList<string> Evidence, string By, DateTimeOffset At);

/// <summary>A verifier sent the report back (核查 退回).</summary>
internal sealed record DisposalReturn(string By, string Reason, DateTimeOffset At);

/// <summary>An operator's shelf: the alarm is kept from the duty console until it expires (or, one-shot, until it clears).</summary>
internal sealed record Shelf(string By, string Reason, DateTimeOffset Until, bool OneShot, DateTimeOffset At);

/// <summary>Removed from service by an operator (a failed sensor, maintenance) until <see cref="Until"/>.</summary>
internal sealed record OutOfService(string By, string Reason, DateTimeOffset Until, DateTimeOffset At);

internal static class AlarmStates
{
    public const string OutOfService = "out-of-service";
    public const string Latched = "latched";
    public const string Unacknowledged = "unacknowledged";
    public const string Acknowledged = "acknowledged";
    public const string ReturnedToNormalUnacknowledged = "returned-to-normal-unacknowledged";
    public const string Shelved = "shelved";
    /// <summary>Ended at the plant (back to normal and acknowledged): an alarm awaiting its close-out, or a closed one in the history.</summary>
    public const string Normal = "normal";
}

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

    /// <summary>The ISA-18.2 state shown to operators.</summary>
    public string State => OutOfService is not null ? AlarmStates.OutOfService
        : Shelf is not null ? AlarmStates.Shelved
        : Latched && !ConditionActive ? AlarmStates.Latched
        : ConditionActive ? (Acknowledged ? AlarmStates.Acknowledged : AlarmStates.Unacknowledged)
        : AlarmStates.ReturnedToNormalUnacknowledged;
}

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
}

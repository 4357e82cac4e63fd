using Monitoring.Contracts;

namespace Monitoring.Ingestion.Hazards;

/// <summary>
/// One major-hazard record (重大事故隐患) for an (enterprise, clause, equipment), immutable like TrackedAlarm: every change
/// replaces it, so the API reads a consistent snapshot while the register writes. Kept as JSON in the journal.
/// </summary>
internal sealed record HazardRecord
{
    /// <summary>Most alarm ids kept on a record; <see cref="AlarmCount"/> counts them all.</summary>
    public const int MaxAlarmsKept = 50;

    public required Guid Id { get; init; }
    public required string Enterprise { get; init; }
    public required string Industry { get; init; }
    public string? Clause { get; init; }
    public required string Equipment { get; init; }
    public required string Gateway { get; init; }
    public required LocalizedText Condition { get; init; }
    public required bool Simulated { get; init; }

    /// <summary><see cref="HazardStates"/>.</summary>
    public required string State { get; init; }
    /// <summary>Sequence of the record's last event.</summary>
    public required long Sequence { get; init; }
    /// <summary>When the record was first opened (sensor time of its first alarm).</summary>
    public required DateTimeOffset FirstOpenedAt { get; init; }
    /// <summary>When the current episode was opened (the first, or the last recurrence).</summary>
    public required DateTimeOffset OpenedAt { get; init; }
    public required DateTimeOffset LastChangedAt { get; init; }
    /// <summary>The deadline of the step the record waits for (<see cref="WaitingFor"/>); null when none.</summary>
    public DateTimeOffset? DueAt { get; init; }
    /// <summary>The step and deadline an overdue event was published for ("step@ticks"), so each is published once.</summary>
    public string? OverdueMark { get; init; }
    public int Recurrences { get; init; }

    public HazardPlan? Plan { get; init; }
    public HazardRectification? Rectification { get; init; }
    public HazardReturn? LastReturn { get; init; }
    public string? VerifiedBy { get; init; }
    public DateTimeOffset? VerifiedAt { get; init; }
    public string? VerifyComment { get; init; }
    public string? ClosedOutBy { get; init; }
    public DateTimeOffset? ClosedOutAt { get; init; }

    /// <summary>The alarms that found this hazard, newest last (at most <see cref="MaxAlarmsKept"/>).</summary>
    public IReadOnlyList<Guid> Alarms { get; init; } = [];
    public int AlarmCount { get; init; }

    /// <summary>Not closed out: counted on the board of open major hazards, whose target is zero.</summary>
    public bool IsOpen => State != HazardStates.Closed;

    /// <summary>The step the record waits for, with a deadline; null when verified (the close-out has none) or closed.</summary>
    public string? WaitingFor => State switch
    {
        HazardStates.Open => HazardSteps.Plan,
        HazardStates.Planned => HazardSteps.Rectify,
        HazardStates.Rectified => HazardSteps.Verify,
        _ => null,
    };

    /// <summary>Past its deadline and told so (<see cref="HazardOverdue"/>).</summary>
    public bool Overdue => OverdueMark is not null && OverdueMark == MarkFor(WaitingFor, DueAt);

    public static string? MarkFor(string? step, DateTimeOffset? dueAt) => step is null || dueAt is null ? null : $"{step}@{dueAt.Value.UtcTicks}";

    /// <summary>The key the record is about: enterprise, clause, equipment (also its audit rows' key).</summary>
    public string Key => KeyOf(Enterprise, Clause, Equipment);

    public static string KeyOf(string enterprise, string? clause, string equipment) => $"hazard/{enterprise}/{clause}/{equipment}";

    /// <summary>The equipment a major-hazard alarm is about: the rule's or its point's, else its gateway.</summary>
    public static string EquipmentOf(AlarmRaised raised) => string.IsNullOrWhiteSpace(raised.Equipment) ? $"gateway {raised.Gateway}" : raised.Equipment;
}

/// <summary>The rectification plan (整改方案).</summary>
internal sealed record HazardPlan(string Measures, string Owner, DateTimeOffset RectifyBy, string By, DateTimeOffset At);

/// <summary>The rectification as reported done.</summary>
internal sealed record HazardRectification(string Description, IReadOnlyList<string> Evidence, string By, DateTimeOffset At);

/// <summary>A rectification the verifier did not accept.</summary>
internal sealed record HazardReturn(string By, string Reason, DateTimeOffset At);

using Monitoring.Contracts;

namespace Monitoring.Notifications.Routing;

/// <summary>
/// What the notification service keeps of an alarm event (in its state store, so its shape is kept
/// stable): the common fields of any alarm event, plus what is particular to its type. Every alarm
/// event describes the alarm as it stands, so any one of them is enough to notify about it.
/// </summary>
internal sealed record AlarmSnapshot
{
    public required string EventType { get; init; }
    public required Guid AlarmId { get; init; }
    public required Guid EventId { get; init; }
    public required long Sequence { get; init; }
    public required string RuleId { get; init; }

    /// <summary>Not required: a snapshot stored before it was kept reads as version 0.</summary>
    public int RuleVersion { get; init; }

    public required string Enterprise { get; init; }
    public required string Gateway { get; init; }
    public required IReadOnlyList<string> Tags { get; init; }
    public string? Equipment { get; init; }
    public required string Industry { get; init; }
    public required string Priority { get; init; }
    public required int Level { get; init; }
    public required bool MajorHazard { get; init; }
    public string? Clause { get; init; }
    public double? Value { get; init; }
    public double? Limit { get; init; }
    public string? Unit { get; init; }
    public required LocalizedText Condition { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public required DateTimeOffset DetectedAt { get; init; }
    public required bool Historical { get; init; }
    public required bool Simulated { get; init; }

    /// <summary><see cref="AlarmEscalated.EscalationLevel"/>; 0 for other types.</summary>
    public int EscalationLevel { get; init; }

    /// <summary>Who acted, for operator events (acknowledged by, shelved by, ...).</summary>
    public string? Actor { get; init; }

    /// <summary><see cref="AlarmCleared.Cause"/> (<see cref="ClearCauses"/>); null for other types.</summary>
    public string? ClearCause { get; init; }

    /// <summary>The snapshot of any alarm event: its common facts (<see cref="AlarmEvent"/>) and what its type adds.</summary>
    public static AlarmSnapshot From(AlarmEvent e) => new()
    {
        EventType = e.GetType().Name,
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
        RuleVersion = e.RuleVersion,
        Enterprise = e.Enterprise,
        Gateway = e.Gateway,
        Tags = e.Tags,
        Equipment = e.Equipment,
        Industry = e.Industry,
        Priority = e.Priority,
        Level = e.Level,
        MajorHazard = e.MajorHazard,
        Clause = e.Clause,
        Value = e.Value,
        Limit = e.Limit,
        Unit = e.Unit,
        Condition = e.Condition,
        OccurredAt = e.OccurredAt,
        DetectedAt = e.DetectedAt,
        Historical = e.Historical,
        Simulated = e.Simulated,
        EscalationLevel = (e as AlarmEscalated)?.EscalationLevel ?? 0,
        Actor = e switch
        {
            AlarmAcknowledged x => x.AcknowledgedBy,
            AlarmShelved x => x.ShelvedBy,
            AlarmUnshelved x => x.UnshelvedBy,
            AlarmOutOfService x => x.RemovedBy,
            AlarmReturnedToService x => x.ReturnedBy,
            AlarmReset x => x.ResetBy,
            _ => null,
        },
        ClearCause = (e as AlarmCleared)?.Cause,
    };
}

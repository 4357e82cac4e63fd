using Monitoring.Contracts;

namespace Monitoring.Notifications.Routing;

/// <summary>
/// The common fields of any alarm event, plus what is particular to its type. Every alarm event
/// describes the alarm as it stands, so any one of them is enough to notify about it.
/// </summary>
internal sealed record AlarmSnapshot
{
    public required string EventType { get; init; }
    public required Guid AlarmId { get; init; }
    public required Guid EventId { get; init; }
    public required long Sequence { get; init; }
    public required string RuleId { get; init; }
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

    public static AlarmSnapshot From(AlarmRaised e) => new()
    {
        EventType = nameof(AlarmRaised),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
    };

    public static AlarmSnapshot From(AlarmCleared e) => new()
    {
        EventType = nameof(AlarmCleared),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        ClearCause = e.Cause,
    };

    public static AlarmSnapshot From(AlarmAcknowledged e) => new()
    {
        EventType = nameof(AlarmAcknowledged),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        Actor = e.AcknowledgedBy,
    };

    public static AlarmSnapshot From(AlarmShelved e) => new()
    {
        EventType = nameof(AlarmShelved),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        Actor = e.ShelvedBy,
    };

    public static AlarmSnapshot From(AlarmUnshelved e) => new()
    {
        EventType = nameof(AlarmUnshelved),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        Actor = e.UnshelvedBy,
    };

    public static AlarmSnapshot From(AlarmOutOfService e) => new()
    {
        EventType = nameof(AlarmOutOfService),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        Actor = e.RemovedBy,
    };

    public static AlarmSnapshot From(AlarmReturnedToService e) => new()
    {
        EventType = nameof(AlarmReturnedToService),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        Actor = e.ReturnedBy,
    };

    public static AlarmSnapshot From(AlarmReset e) => new()
    {
        EventType = nameof(AlarmReset),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        Actor = e.ResetBy,
    };

    public static AlarmSnapshot From(AlarmEscalated e) => new()
    {
        EventType = nameof(AlarmEscalated),
        AlarmId = e.AlarmId,
        EventId = e.EventId,
        Sequence = e.Sequence,
        RuleId = e.RuleId,
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
        EscalationLevel = e.EscalationLevel,
    };
}

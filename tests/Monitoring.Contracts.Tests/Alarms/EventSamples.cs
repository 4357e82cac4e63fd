namespace Monitoring.Contracts.Tests.Alarms;

/// <summary>Fully populated instances of every event: every optional field set, so the goldens show all of them.</summary>
internal static class EventSamples
{
    public static readonly Guid AlarmId = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    public static readonly DateTimeOffset OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(1763800000000);
    public static readonly DateTimeOffset DetectedAt = DateTimeOffset.FromUnixTimeMilliseconds(1763800000250);
    public static readonly IReadOnlyList<string> Tags = ["CAST1.MOULD.WATER.P"];
    public static readonly LocalizedText Condition = new("结晶器冷却水压力低低", "Mould cooling water pressure low-low");

    public static readonly IReadOnlyList<ContextReading> Context =
    [
        new("CAST1.MOULD.WATER.P", 1763799999000, 0.25),
        new("CAST1.MOULD.WATER.P", 1763800000000, 0.182),
        new("CAST1.FAST_CUTOFF.CLOSED", 1763800000000, false),
        new("CAST1.LAUNDER.LEVEL", 1763800000000, null),
    ];

    public static AlarmRaised Raised() => new()
    {
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, 1),
        Sequence = 1,
        RuleId = "cast1-mould-water-pressure-ll",
        RuleVersion = 3,
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        Tags = Tags,
        Equipment = "CAST1 mould",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "AQ 7013-2018 6.2.3",
        Value = 0.182,
        Limit = 0.2,
        Unit = "MPa",
        Condition = Condition,
        OccurredAt = OccurredAt,
        DetectedAt = DetectedAt,
        Historical = false,
        Context = Context,
        Simulated = true,
    };

    public static AlarmCleared Cleared() => new()
    {
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, 5),
        Sequence = 5,
        RuleId = "cast1-mould-water-pressure-ll",
        RuleVersion = 3,
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        Tags = Tags,
        Equipment = "CAST1 mould",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "AQ 7013-2018 6.2.3",
        Value = 0.31,
        Limit = 0.2,
        Unit = "MPa",
        Condition = Condition,
        OccurredAt = OccurredAt.AddMinutes(10),
        DetectedAt = DetectedAt.AddMinutes(10),
        Historical = true,
        Context = Context,
        Simulated = true,
    };

    public static AlarmAcknowledged Acknowledged() => new()
    {
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, 2),
        Sequence = 2,
        RuleId = "cast1-mould-water-pressure-ll",
        RuleVersion = 3,
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        Tags = Tags,
        Equipment = "CAST1 mould",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "AQ 7013-2018 6.2.3",
        Value = 0.182,
        Limit = 0.2,
        Unit = "MPa",
        Condition = Condition,
        OccurredAt = OccurredAt.AddMinutes(1),
        DetectedAt = DetectedAt.AddMinutes(1),
        Historical = false,
        Context = Context,
        Simulated = true,
        AcknowledgedBy = "duty.officer.zhang",
        Comment = "现场确认，已开启备用泵",
        AcknowledgedAt = OccurredAt.AddMinutes(1),
    };

    public static AlarmShelved Shelved() => new()
    {
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, 3),
        Sequence = 3,
        RuleId = "cast1-mould-water-pressure-ll",
        RuleVersion = 3,
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        Tags = Tags,
        Equipment = "CAST1 mould",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "AQ 7013-2018 6.2.3",
        Value = 0.182,
        Limit = 0.2,
        Unit = "MPa",
        Condition = Condition,
        OccurredAt = OccurredAt.AddMinutes(2),
        DetectedAt = DetectedAt.AddMinutes(2),
        Historical = false,
        Context = Context,
        Simulated = true,
        ShelvedBy = "operator.li",
        Reason = "sensor replacement",
        ShelvedUntil = OccurredAt.AddHours(2),
    };

    public static AlarmUnshelved Unshelved() => new()
    {
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, 4),
        Sequence = 4,
        RuleId = "cast1-mould-water-pressure-ll",
        RuleVersion = 3,
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        Tags = Tags,
        Equipment = "CAST1 mould",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "AQ 7013-2018 6.2.3",
        Value = 0.182,
        Limit = 0.2,
        Unit = "MPa",
        Condition = Condition,
        OccurredAt = OccurredAt.AddHours(1),
        DetectedAt = DetectedAt.AddHours(1),
        Historical = false,
        Context = Context,
        Simulated = true,
        UnshelvedBy = "operator.li",
        Reason = UnshelveReasons.Manual,
    };

    public static AlarmEscalated Escalated() => new()
    {
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, 2),
        Sequence = 2,
        RuleId = "cast1-mould-water-pressure-ll",
        RuleVersion = 3,
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        Tags = Tags,
        Equipment = "CAST1 mould",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "AQ 7013-2018 6.2.3",
        Value = 0.182,
        Limit = 0.2,
        Unit = "MPa",
        Condition = Condition,
        OccurredAt = OccurredAt.AddMinutes(5),
        DetectedAt = DetectedAt.AddMinutes(5),
        Historical = false,
        Context = Context,
        Simulated = true,
        EscalationLevel = 1,
        UnacknowledgedForSeconds = 300,
    };

    public static GatewayStatusChanged StatusChanged() => new()
    {
        EventId = Guid.Parse("9b2f0c51-6d1e-5c4a-8f7e-2a1b3c4d5e6f"),
        Enterprise = "91310000MA1FL4XQ3A",
        Gateway = "gw-01",
        State = GatewayStates.Silent,
        OccurredAt = OccurredAt,
        LastSeenAt = OccurredAt.AddSeconds(-90),
        Simulated = false,
    };
}

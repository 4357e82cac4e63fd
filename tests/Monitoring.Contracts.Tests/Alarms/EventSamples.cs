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

    public static AlarmCleared Cleared() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 5),
            Sequence = 5,
            Value = 0.31,
            OccurredAt = OccurredAt.AddMinutes(10),
            DetectedAt = DetectedAt.AddMinutes(10),
            Historical = true,
        },
        cause: ClearCauses.Normal);

    public static AlarmAcknowledged Acknowledged() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 2),
            Sequence = 2,
            OccurredAt = OccurredAt.AddMinutes(1),
            DetectedAt = DetectedAt.AddMinutes(1),
        },
        acknowledgedBy: "duty.officer.zhang",
        comment: "现场确认，已开启备用泵",
        acknowledgedAt: OccurredAt.AddMinutes(1));

    public static AlarmShelved Shelved() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 3),
            Sequence = 3,
            OccurredAt = OccurredAt.AddMinutes(2),
            DetectedAt = DetectedAt.AddMinutes(2),
        },
        shelvedBy: "operator.li",
        reason: "sensor replacement",
        shelvedUntil: OccurredAt.AddHours(2));

    public static AlarmUnshelved Unshelved() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 4),
            Sequence = 4,
            OccurredAt = OccurredAt.AddHours(1),
            DetectedAt = DetectedAt.AddHours(1),
        },
        unshelvedBy: "operator.li",
        reason: UnshelveReasons.Manual);

    public static AlarmReset Reset() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 7),
            Sequence = 7,
            OccurredAt = OccurredAt.AddHours(1),
            DetectedAt = DetectedAt.AddHours(1),
        },
        resetBy: "operator.li",
        comment: "cut-off valve inspected, casting resumed");

    public static AlarmOutOfService OutOfService() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 5),
            Sequence = 5,
            OccurredAt = OccurredAt.AddHours(1),
            DetectedAt = DetectedAt.AddHours(1),
        },
        removedBy: "operator.li",
        reason: "pressure transmitter PT-101 failed, replacement ordered",
        outOfServiceUntil: OccurredAt.AddDays(2));

    public static AlarmReturnedToService ReturnedToService() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 6),
            Sequence = 6,
            OccurredAt = OccurredAt.AddHours(1),
            DetectedAt = DetectedAt.AddHours(1),
        },
        returnedBy: null,
        reason: UnshelveReasons.Expired);

    public static AlarmEscalated Escalated() => new(
        Raised() with
        {
            EventId = AlarmEventIds.For(AlarmId, 2),
            Sequence = 2,
            OccurredAt = OccurredAt.AddMinutes(5),
            DetectedAt = DetectedAt.AddMinutes(5),
        },
        escalationLevel: 1,
        unacknowledgedForSeconds: 300);

    private static AlarmRaised At(long sequence, TimeSpan after) => Raised() with
    {
        EventId = AlarmEventIds.For(AlarmId, sequence),
        Sequence = sequence,
        Value = 0.31,
        OccurredAt = OccurredAt + after,
        DetectedAt = OccurredAt + after,
        Context = [],
    };

    public static AlarmDisposed Disposed() => new(
        At(5, TimeSpan.FromMinutes(25)),
        disposedBy: "safety.wang",
        cause: DisposalCauses.Other,
        causeText: "冷却水泵入口滤网堵塞",
        description: "Mould water pressure fell to 0.18 MPa; the inlet strainer of pump P-2 was blocked.",
        measures: "Casting stopped by the interlock; strainer cleaned; pump P-2 back in service at 0.31 MPa.",
        evidence: ["photo:2025-11-22/cast1-strainer.jpg", "doc:WO-2025-1122-07"],
        attempt: 2,
        disposedAt: OccurredAt.AddMinutes(25));

    public static AlarmDisposalReturned DisposalReturned() => new(
        At(6, TimeSpan.FromHours(2)),
        returnedBy: "park.zhao",
        reason: "请补充滤网清理前后的照片 / add photos of the strainer before and after cleaning",
        returnedAt: OccurredAt.AddHours(2),
        disposeDueAt: OccurredAt.AddHours(2).AddMinutes(30));

    public static AlarmDisposalVerified DisposalVerified() => new(
        At(8, TimeSpan.FromHours(3)),
        verifiedBy: "park.zhao",
        comment: "现场核查属实",
        verifiedAt: OccurredAt.AddHours(3));

    public static AlarmClosedOut ClosedOut() => new(
        At(9, TimeSpan.FromHours(3)),
        closedOutBy: "park.zhao",
        cause: DisposalCauses.EquipmentFault,
        closedOutAt: OccurredAt.AddHours(3));

    public static AlarmDisposalOverdue DisposalOverdue() => new(
        At(4, TimeSpan.FromMinutes(31)),
        step: DisposalSteps.Dispose,
        dueAt: OccurredAt.AddMinutes(30),
        overdueSeconds: 60);

    public static ServiceHeartbeat Heartbeat() => new()
    {
        EventId = Guid.Parse("0193a8f0-7c2e-7d41-9b6a-3e5f1c2d4b60"),
        Service = "ingestion",
        Instance = "ingest-01/4242",
        SentAt = DetectedAt,
        StartedAt = DetectedAt.AddHours(-6),
        IntervalSeconds = 15,
        GatewaysOnline = 12,
        ActiveAlarms = 3,
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

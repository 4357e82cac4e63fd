namespace Monitoring.Contracts.Tests.Hazards;

/// <summary>One sample of each major-hazard event, as the golden files pin them: one record worked from open to closed.</summary>
internal static class HazardEventSamples
{
    public static readonly Guid HazardId = HazardIds.For("91310000MA1FL4XQ3A", "Art. 14", "CAST1 mould");
    public static readonly DateTimeOffset OpenedAt = DateTimeOffset.FromUnixTimeMilliseconds(1763800000000);

    /// <summary>The common fields alone (the base type is abstract).</summary>
    private sealed record Facts : HazardEvent;

    private static Facts At(long sequence, string state, DateTimeOffset? dueAt, int recurrences = 0) => new()
    {
        HazardId = HazardId,
        EventId = AlarmEventIds.For(HazardId, sequence),
        Sequence = sequence,
        Enterprise = "91310000MA1FL4XQ3A",
        Industry = Industries.AluminiumCasting,
        Clause = "Art. 14",
        Equipment = "CAST1 mould",
        Gateway = "gw-01",
        Condition = new LocalizedText("结晶器冷却水压力低低", "Mould cooling water pressure low-low"),
        State = state,
        OpenedAt = OpenedAt,
        DueAt = dueAt,
        Recurrences = recurrences,
        Simulated = false,
    };

    public static HazardOpened Opened() => new(At(1, HazardStates.Open, OpenedAt.AddHours(24)), Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301"), "DC_MOULD_WATER_PRESSURE_LOW", OpenedAt);

    public static HazardRectificationPlanned Planned() => new(At(2, HazardStates.Planned, OpenedAt.AddDays(7)),
        plannedBy: "safety.wang", measures: "更换结晶器进水阀并做保压试验 / replace the mould inlet valve and pressure-test it", owner: "王伟",
        rectifyBy: OpenedAt.AddDays(7), plannedAt: OpenedAt.AddHours(3));

    public static HazardRectified Rectified() => new(At(3, HazardStates.Rectified, OpenedAt.AddDays(9)),
        rectifiedBy: "safety.wang", description: "Valve replaced; held 0.4 MPa for 30 min.", evidence: ["photo:cast1-valve.jpg", "doc:PT-2025-1124"],
        rectifiedAt: OpenedAt.AddDays(2));

    public static HazardRectificationReturned Returned() => new(At(4, HazardStates.Planned, OpenedAt.AddDays(7)),
        returnedBy: "park.zhao", reason: "缺少保压试验记录 / the pressure-test record is missing", returnedAt: OpenedAt.AddDays(3));

    public static HazardVerified Verified() => new(At(6, HazardStates.Verified, null),
        verifiedBy: "park.zhao", comment: "现场核查属实", verifiedAt: OpenedAt.AddDays(4));

    public static HazardClosedOut ClosedOut() => new(At(7, HazardStates.Closed, null),
        closedOutBy: "park.zhao", comment: null, closedOutAt: OpenedAt.AddDays(4));

    public static HazardReopened Reopened() => new(At(8, HazardStates.Open, OpenedAt.AddDays(31), recurrences: 1),
        Guid.Parse("0a8f1c2e-5b3d-4e6f-9a7b-1c2d3e4f5a6b"), "DC_MOULD_WATER_PRESSURE_LOW", OpenedAt.AddDays(30), HazardStates.Closed);

    public static HazardOverdue Overdue() => new(At(2, HazardStates.Open, OpenedAt.AddHours(24)), HazardSteps.Plan, overdueSeconds: 12);
}

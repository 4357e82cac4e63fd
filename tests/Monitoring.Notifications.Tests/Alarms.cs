using Monitoring.Contracts;
using Monitoring.Notifications.Routing;

namespace Monitoring.Notifications.Tests;

/// <summary>Builds alarm events of one alarm with consecutive sequences, as the ingestion service would publish them.</summary>
internal sealed class Alarms(string priority = AlarmPriorities.Critical, int level = 2, bool majorHazard = true, bool simulated = false, string enterprise = TestRoster.Enterprise)
{
    public Guid AlarmId { get; } = Guid.NewGuid();

    public AlarmSnapshot Event(string type, long sequence, DateTimeOffset at, int escalationLevel = 0, string? actor = null, bool historical = false) => new()
    {
        EventType = type,
        AlarmId = AlarmId,
        EventId = AlarmEventIds.For(AlarmId, sequence),
        Sequence = sequence,
        RuleId = "DC_MOULD_WATER_PRESSURE",
        RuleVersion = 1,
        Enterprise = enterprise,
        Gateway = "gw01",
        Tags = ["CAST1.MOULD.WATER.P"],
        Equipment = "Casting pit 1 mould cooling water",
        Industry = "aluminium-casting",
        Priority = priority,
        Level = level,
        MajorHazard = majorHazard,
        Clause = "令10号 第五条",
        Value = 0.1,
        Limit = 0.14,
        Unit = "MPa",
        Condition = new LocalizedText("结晶器冷却水压力低", "mould cooling water pressure low"),
        OccurredAt = at,
        DetectedAt = at,
        Historical = historical,
        Simulated = simulated,
        Context = [],
        EscalationLevel = escalationLevel,
        Actor = actor,
    };

    public AlarmSnapshot Raised(DateTimeOffset at, bool historical = false) => Event(nameof(AlarmRaised), 1, at, historical: historical);
}

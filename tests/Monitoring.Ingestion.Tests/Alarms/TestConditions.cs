using Monitoring.Contracts;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Alarms;

/// <summary>The rule condition the alarm tests raise and clear: a casting plant's low water pressure, one key per variant.</summary>
internal static class TestConditions
{
    public static AlarmCondition LowPressure(string enterprise = "ENT", string priority = AlarmPriorities.Critical, int level = 2, bool? majorHazard = null, string? clause = null, string? equipment = null)
    {
        var major = majorHazard ?? level == 2;
        return new()
        {
            Key = $"{enterprise}/gw01/P/LOW_PRESSURE/{priority}/L{level}{(major ? "/MH" : "")}{(equipment is null ? "" : "/" + equipment)}",
            RuleId = "LOW_PRESSURE",
            RuleVersion = 3,
            Enterprise = enterprise,
            Gateway = "gw01",
            Tags = ["P"],
            Industry = Industries.AluminiumCasting,
            Priority = priority,
            Level = level,
            MajorHazard = major,
            Clause = clause,
            Equipment = equipment,
            Limit = 0.14,
            Unit = "MPa",
            Description = new LocalizedText("压力低", "pressure low"),
        };
    }
}

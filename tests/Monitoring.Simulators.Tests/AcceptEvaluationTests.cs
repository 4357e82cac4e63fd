using Monitoring.Simulators.Accept;
using Monitoring.Simulators.Scenarios;

namespace Monitoring.Simulators.Tests;

public sealed class AcceptEvaluationTests
{
    private const long Start = 1_763_800_000_000;

    private static readonly Scenario Scenario = ScenarioParser.Parse("""
        scenario: Pressure loss
        plant: aluminium-casting
        gateways: [gw01]
        duration: 30s
        timeline:
          - at: 00:10
            tag: CAST1.MOULD.WATER.P
            ramp: 0.1
            over: 2s
        expect:
          - alarm: DC_MOULD_WATER_PRESSURE
            level: 2
            priority: critical
            within: 3s
          - noAlarm: DC_MOULD_WATER_FLOW
          - alarm: DC_TRIP_ACTUATION_VERIFY
            within: 3s
            enabled: false
            pending: needs the cause->effect rule
        """, "t.yaml");

    private static readonly ScenarioRunResult Run = new(Scenario, Start, Start + 30_000, 30, 300, 0);

    private static ObservedAlarm Alarm(string rule, long offsetMs, int level = 2, string priority = "critical", bool simulated = true, string enterprise = "91441800DEMODCCAST") =>
        new(Guid.NewGuid().ToString(), rule, enterprise, "gw01", ["CAST1.MOULD.WATER.P"], priority, level, DateTimeOffset.FromUnixTimeMilliseconds(Start + offsetMs), simulated, false, 0.1, 0.14, "MPa");

    private static ResultStatus[] Statuses(params ObservedAlarm[] alarms) =>
        [.. AcceptRunner.Evaluate(Run, alarms, TimeSpan.Zero).Select(r => r.Status)];

    [Fact]
    public void Evaluate_AlarmInTime_PassesAndDisabledIsSkipped()
    {
        Assert.Equal([ResultStatus.Passed, ResultStatus.Passed, ResultStatus.Skipped], Statuses(Alarm("DC_MOULD_WATER_PRESSURE", 11_500)));
    }

    [Fact]
    public void Evaluate_NoAlarm_ExpectedAlarmFails()
    {
        Assert.Equal(ResultStatus.Failed, Statuses()[0]);
    }

    [Theory]
    [InlineData(13_500, 2, "critical", true)]
    [InlineData(9_000, 2, "critical", true)]
    [InlineData(11_000, 1, "critical", true)]
    [InlineData(11_000, 2, "high", true)]
    [InlineData(11_000, 2, "critical", false)]
    public void Evaluate_AlarmLateEarlyWrongLevelPriorityOrNotSimulated_Fails(long offset, int level, string priority, bool simulated)
    {
        Assert.Equal(ResultStatus.Failed, Statuses(Alarm("DC_MOULD_WATER_PRESSURE", offset, level, priority, simulated))[0]);
    }

    [Fact]
    public void Evaluate_ForbiddenAlarmRaised_NoAlarmFails()
    {
        Assert.Equal(ResultStatus.Failed, Statuses(Alarm("DC_MOULD_WATER_FLOW", 20_000))[1]);
    }

    [Fact]
    public void Evaluate_AlarmsOfOtherPlantsOrOutsideTheRun_Ignored()
    {
        var statuses = Statuses(
            Alarm("DC_MOULD_WATER_FLOW", 31_000),
            Alarm("DC_MOULD_WATER_FLOW", 20_000, enterprise: "OTHER"),
            Alarm("DC_MOULD_WATER_FLOW", -1_000));

        Assert.Equal(ResultStatus.Passed, statuses[1]);
    }

    [Fact]
    public void ToJUnit_OneFailure_CountsAndNamesTheFileLine()
    {
        var report = new AcceptReport(AcceptRunner.Evaluate(Run, [], TimeSpan.FromSeconds(1)), TimeSpan.FromSeconds(2), "test");

        var xml = report.ToJUnit().Root!;

        Assert.Equal("3", xml.Attribute("tests")!.Value);
        Assert.Equal("1", xml.Attribute("failures")!.Value);
        Assert.Equal("1", xml.Attribute("skipped")!.Value);
        var failure = xml.Descendants("failure").Single();
        Assert.StartsWith("t.yaml(11): no such alarm", failure.Value, StringComparison.Ordinal);
        Assert.False(report.Success);
    }
}

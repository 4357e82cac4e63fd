using Monitoring.Simulators.Cli;
using Monitoring.Simulators.Scenarios;

namespace Monitoring.Simulators.Tests;

public sealed class ScenarioParserTests
{
    private const string Valid = """
        scenario: Pressure loss
        plant: aluminium-casting
        gateways: [gw01]
        seed: 7
        sample: 500ms
        duration: 30s
        timeline:
          - at: 00:10
            tag: CAST1.MOULD.WATER.P
            ramp: -30%
            over: 2s
          - at: 00:11.5
            tag: CAST1.FAST_CUTOFF.CLOSED
            set: true
        expect:
          - alarm: DC_MOULD_WATER_PRESSURE
            level: 1
            priority: critical
            within: 2s
          - noAlarm: any
            tag: CAST1.MOULD.WATER.Q
        """;

    private static ScenarioException Errors(string text) => Assert.Throws<ScenarioException>(() => ScenarioParser.Parse(text, "bad.yaml"));

    [Fact]
    public void Parse_ValidFile_ReadsTimelineAndExpectations()
    {
        var scenario = ScenarioParser.Parse(Valid, "ok.yaml");

        Assert.Equal("Pressure loss", scenario.Name);
        Assert.Equal("91441800DEMODCCAST", scenario.Plant.Enterprise);
        Assert.Equal(["gw01"], scenario.Gateways);
        Assert.Equal(TimeSpan.FromMilliseconds(500), scenario.Sample);
        Assert.Equal(2, scenario.Timeline.Count);
        Assert.Equal(-30, scenario.Timeline[0].Percent);
        Assert.Equal(TimeSpan.FromSeconds(11.5), scenario.Timeline[1].At);
        Assert.Equal(1, scenario.Timeline[1].Target);
        var alarm = scenario.Expectations[0];
        Assert.Equal(ExpectationKind.Alarm, alarm.Kind);
        Assert.Equal(TimeSpan.FromSeconds(10), alarm.After);
        Assert.Equal(TimeSpan.FromSeconds(2), alarm.Within);
        Assert.Null(scenario.Expectations[1].RuleId);
    }

    [Fact]
    public void Parse_UnknownField_ErrorNamesFileLineAndField()
    {
        var ex = Errors(Valid.Replace("    within: 2s", "    witin: 2s", StringComparison.Ordinal));

        Assert.Contains(ex.Errors, e => e.StartsWith("bad.yaml(19,5): unknown field 'witin'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_BadDurationAndUnknownTag_ReportsEveryErrorWithItsLine()
    {
        var ex = Errors(Valid
            .Replace("over: 2s", "over: 2 seconds", StringComparison.Ordinal)
            .Replace("tag: CAST1.FAST_CUTOFF.CLOSED", "tag: CAST1.FAST_CUTOF.CLOSED", StringComparison.Ordinal));

        Assert.Equal(2, ex.Errors.Count);
        Assert.StartsWith("bad.yaml(11,11): 'over' is not a duration: '2 seconds'", ex.Errors[0], StringComparison.Ordinal);
        Assert.StartsWith("bad.yaml(13,10): plant 'aluminium-casting' has no tag 'CAST1.FAST_CUTOF.CLOSED'", ex.Errors[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_OneErrorWithTheParserPosition()
    {
        var ex = Errors("scenario: x\nplant: [unclosed\n");

        var error = Assert.Single(ex.Errors);
        Assert.StartsWith("bad.yaml(", error, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("plant: aluminium-casting", "plant: copper", "unknown plant 'copper'")]
    [InlineData("    ramp: -30%", "    ramp: lots", "'ramp' must be a target value")]
    [InlineData("    set: true", "    set: maybe", "'set' must be a number, true or false")]
    [InlineData("  - at: 00:10", "  - at: 00:99", "'at' is not a time on the timeline")]
    [InlineData("  - at: 00:10", "  - at: 00:40", "is after the end of the scenario")]
    [InlineData("    priority: critical", "    priority: urgent", "unknown priority 'urgent'")]
    [InlineData("    level: 1", "    level: 3", "'level' is 1 (first stage")]
    [InlineData("gateways: [gw01]", "gateways: [gw09]", "has no gateway 'gw09'")]
    [InlineData("    within: 2s\n", "", "needs 'within'")]
    [InlineData("    set: true", "    set: true\n    ramp: 3", "one action, this one has ramp and set")]
    public void Parse_InvalidValue_ClearError(string find, string replace, string expected)
    {
        var ex = Errors(Valid.Replace(find, replace, StringComparison.Ordinal));

        Assert.Contains(ex.Errors, e => e.Contains(expected, StringComparison.Ordinal));
        Assert.All(ex.Errors, e => Assert.Matches(@"^bad\.yaml\(\d+,\d+\): ", e));
    }

    [Fact]
    public void Parse_TagOfAGatewayNotPublished_Error()
    {
        var ex = Errors(Valid.Replace("tag: CAST1.FAST_CUTOFF.CLOSED", "tag: EMW.PUMP.READY", StringComparison.Ordinal));

        Assert.Contains(ex.Errors, e => e.Contains("belongs to gateway 'gw02'", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_MissingRequiredFields_EachReported()
    {
        var ex = Errors("scenario: x\n");

        Assert.Contains(ex.Errors, e => e.Contains("missing 'plant'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("missing 'duration'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("missing 'timeline'", StringComparison.Ordinal));
        Assert.Contains(ex.Errors, e => e.Contains("missing 'expect'", StringComparison.Ordinal));
    }

    [Fact]
    public void LoadScenarios_Library_EveryFileParsesAndEveryDemoRuleHasAFiringAndANearMissScenario()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "scenarios");

        var scenarios = CommandLine.LoadScenarios([folder]);

        var demoRules = new[]
        {
            "DC_MOULD_WATER_PRESSURE", "DC_MOULD_WATER_FLOW", "DC_LAUNDER_LEVEL", "EMERGENCY_WATER_READY",
            "LANCE_COOLING_TOUT", "LANCE_COOLING_DQ", "LANCE_FLOW_OR_O2_LOW", "CO_AMBIENT", "BF_TOP_PRESSURE",
            "DUST_INLET_OR_HOPPER_TEMP", "DUST_DP_DEVIATION", "WET_COLLECTOR_WATER", "H2_ACCUMULATION",
        };
        var expectations = scenarios.SelectMany(s => s.Expectations).Where(e => e.Enabled).ToList();
        Assert.All(demoRules, rule =>
        {
            Assert.Contains(expectations, e => e.Kind == ExpectationKind.Alarm && e.RuleId == rule);
            Assert.Contains(expectations, e => e.Kind == ExpectationKind.NoAlarm && e.RuleId == rule);
        });
    }

    [Fact]
    public void LoadScenarios_BadFile_FailsBeforeAnythingRunsNamingTheFile()
    {
        var file = Path.Combine(Path.GetTempPath(), $"sim-bad-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(file, "scenario: x\nplant: steel\nduration: 10s\ntimeline: []\nexpect:\n  - alarm: CO_AMBIENT\n");
        try
        {
            var ex = Assert.Throws<ScenarioException>(() => CommandLine.LoadScenarios([file]));

            Assert.Equal($"{file}(6,5): an 'alarm' expectation needs 'within' (e.g. within: 3s)", Assert.Single(ex.Errors));
        }
        finally
        {
            File.Delete(file);
        }
    }
}

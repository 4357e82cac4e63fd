using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;
using Monitoring.Yaml;

namespace Monitoring.Rules.Tests;

public class RuleSetTests
{
    private static SiteConfiguration CastingSite() => SiteConfigurationParser.Parse("""
        enterprise: E1
        industry: aluminium-casting
        gateways:
          - id: gw01
            points:
              - tag: CAST1.MOULD.WATER.P
                unit: MPa
                equipment: Casting pit 1 mould cooling water
                rules:
                  - id: DC_MOULD_WATER_PRESSURE
                    type: limit
                    version: 2
                    l: 0.17
                    ll: 0.14
                    majorHazard: true
                    clause: 令10号 第五条
              - tag: CO.AT01
                unit: ppm
                rules:
                  - id: CO_AMBIENT
                    type: limit
                    h: 24
                    hh: 160
                    priority: low
                    condition:
                      zh: 一氧化碳浓度高
                      en: CO concentration high
        """, "al.yaml").Site!;

    [Fact]
    public void Compile_LimitRule_BuildsOneConditionPerStage()
    {
        var ruleSet = TestSites.Compile(CastingSite());

        Assert.Equal(
            ["E1/gw01/@gateway/GATEWAY_CLOCK_SKEW/SKEW", "E1/gw01/CAST1.MOULD.WATER.P/DC_MOULD_WATER_PRESSURE/L", "E1/gw01/CAST1.MOULD.WATER.P/DC_MOULD_WATER_PRESSURE/LL",
             "E1/gw01/CO.AT01/CO_AMBIENT/H", "E1/gw01/CO.AT01/CO_AMBIENT/HH"],
            ruleSet.Conditions.Select(c => c.Key));

        Assert.True(ruleSet.TryGetCondition("E1/gw01/CAST1.MOULD.WATER.P/DC_MOULD_WATER_PRESSURE/LL", out var ll));
        Assert.Equal("DC_MOULD_WATER_PRESSURE", ll.RuleId);
        Assert.Equal(2, ll.RuleVersion);
        Assert.Equal("E1", ll.Enterprise);
        Assert.Equal("gw01", ll.Gateway);
        Assert.Equal(["CAST1.MOULD.WATER.P"], ll.Tags);
        Assert.Equal("Casting pit 1 mould cooling water", ll.Equipment);
        Assert.Equal("aluminium-casting", ll.Industry);
        Assert.Equal(AlarmPriorities.High, ll.Priority);
        Assert.Equal(2, ll.Level);
        Assert.True(ll.MajorHazard);
        Assert.Equal("令10号 第五条", ll.Clause);
        Assert.Equal(0.14, ll.Limit);
        Assert.Equal("MPa", ll.Unit);
        Assert.Equal("LL", ll.Stage);
        Assert.Equal(new LocalizedText("CAST1.MOULD.WATER.P 低低报警 (≤ 0.14 MPa)", "CAST1.MOULD.WATER.P low-low (≤ 0.14 MPa)"), ll.Description);

        Assert.True(ruleSet.TryGetCondition("E1/gw01/CAST1.MOULD.WATER.P/DC_MOULD_WATER_PRESSURE/L", out var l));
        Assert.Equal(1, l.Level);
        Assert.Equal(AlarmPriorities.Medium, l.Priority);
        Assert.Equal(0.17, l.Limit);
    }

    [Fact]
    public void Compile_ConfiguredPriorityAndCondition_UsedForEveryStage()
    {
        var ruleSet = TestSites.Compile(CastingSite());

        Assert.True(ruleSet.TryGetCondition("E1/gw01/CO.AT01/CO_AMBIENT/H", out var h));
        Assert.True(ruleSet.TryGetCondition("E1/gw01/CO.AT01/CO_AMBIENT/HH", out var hh));
        Assert.Equal(AlarmPriorities.Low, h.Priority);
        Assert.Equal(AlarmPriorities.Low, hh.Priority);
        Assert.Equal(new LocalizedText("一氧化碳浓度高 (高报警, ≥ 24 ppm)", "CO concentration high (high, ≥ 24 ppm)"), h.Description);
        Assert.Equal(new LocalizedText("一氧化碳浓度高 (高高报警, ≥ 160 ppm)", "CO concentration high (high-high, ≥ 160 ppm)"), hh.Description);
    }

    [Fact]
    public void FindGateway_KnownAndUnknown_ReturnsRulesOrNull()
    {
        var ruleSet = TestSites.Compile(CastingSite());

        var gateway = ruleSet.FindGateway("E1", "gw01");
        Assert.NotNull(gateway);
        Assert.Equal(("E1", "gw01", "aluminium-casting"), (gateway.Enterprise, gateway.Gateway, gateway.Industry));
        Assert.Null(ruleSet.FindGateway("E1", "gw02"));
        Assert.Null(ruleSet.FindGateway("E2", "gw01"));
        Assert.Null(ruleSet.FindGateway("e1", "gw01"));
    }

    [Fact]
    public void TryGetSensor_TagSliceOfLargerBuffer_FindsSensorWithoutAllocating()
    {
        var gateway = TestSites.Compile(CastingSite()).FindGateway("E1", "gw01")!;
        var buffer = "xxCAST1.MOULD.WATER.Pyy".ToCharArray();
        var tag = new ReadOnlySpan<char>(buffer, 2, 19);
        Assert.True(gateway.TryGetSensor(tag, out _));

        var before = GC.GetAllocatedBytesForCurrentThread();
        var found = gateway.TryGetSensor(tag, out var sensor);
        var missing = gateway.TryGetSensor("CAST1.MOULD.WATER.Q".AsSpan(), out _);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.True(found);
        Assert.Equal("CAST1.MOULD.WATER.P", sensor.Tag);
        Assert.Equal("MPa", sensor.Unit);
        Assert.False(missing);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void TryGetSensor_DifferentCase_IsNotFound()
    {
        var gateway = TestSites.Compile(CastingSite()).FindGateway("E1", "gw01")!;

        Assert.False(gateway.TryGetSensor("cast1.mould.water.p", out _));
    }

    [Fact]
    public void Compile_SameGatewayInTwoFiles_ReportsSecondFileWithFirstLocation()
    {
        var first = TestSites.Site("a.yaml", "E1", TestSites.Gateway_("gw01", new SourceMark(4, 9)));
        var second = TestSites.Site("b.yaml", "E1", TestSites.Gateway_("gw02", new SourceMark(4, 9)), TestSites.Gateway_("gw01", new SourceMark(6, 9)));

        var result = RuleCompiler.Compile([first, second]);

        Assert.Null(result.RuleSet);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("b.yaml", 6, 9), (error.File, error.Line, error.Column));
        Assert.Equal("gateway 'gw01' of enterprise 'E1' is already declared in a.yaml(4,9)", error.Message);
    }

    [Fact]
    public void Compile_SameGatewayIdUnderOtherEnterprise_IsAllowed()
    {
        var first = TestSites.Site("a.yaml", "E1", TestSites.Gateway_("gw01", default));
        var second = TestSites.Site("b.yaml", "E2", TestSites.Gateway_("gw01", default));

        var ruleSet = TestSites.Compile(first, second);

        Assert.NotSame(ruleSet.FindGateway("E1", "gw01"), ruleSet.FindGateway("E2", "gw01"));
        Assert.Equal(2, ruleSet.Gateways.Count);
    }

    [Fact]
    public void Compile_InconsistentLimitsBuiltInCode_ReportsRuleLocation()
    {
        var rule = new LimitRuleConfiguration { Id = "R1", Low = 10, High = 5, Location = new SourceMark(8, 17) };
        var site = TestSites.Site("c.yaml", "E1", TestSites.Gateway_("gw01", default, TestSites.Point("A", rule)));

        var result = RuleCompiler.Compile([site]);

        Assert.Null(result.RuleSet);
        var error = Assert.Single(result.Errors);
        Assert.Equal(("c.yaml", 8, 17), (error.File, error.Line, error.Column));
        Assert.Contains("inconsistent limits", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Compile_DuplicateTagAndRuleBuiltInCode_ReportsBoth()
    {
        var rule = new LimitRuleConfiguration { Id = "R1", High = 1 };
        var site = TestSites.Site("c.yaml", "E1", TestSites.Gateway_("gw01", default,
            TestSites.Point("A", rule, rule), TestSites.Point("A")));

        var result = RuleCompiler.Compile([site]);

        Assert.Null(result.RuleSet);
        Assert.Equal(2, result.Errors.Count);
        Assert.Contains(result.Errors, e => e.Message.Contains("duplicate rule id 'R1'", StringComparison.Ordinal));
        Assert.Contains(result.Errors, e => e.Message.Contains("duplicate tag 'A'", StringComparison.Ordinal));
    }

    [Fact]
    public void IsRaised_PointRuleOfTheConditionsTag_FollowsTheRaiseAndTheClear()
    {
        var gateway = RuleCompiler.Compile([CastingSite()]).RuleSet!.FindGateway("E1", "gw01")!;
        Assert.True(gateway.TryGetSensor("CAST1.MOULD.WATER.P", out var sensor));
        var ll = sensor.Conditions.Single(c => c.Stage == "LL");
        var transitions = new List<AlarmTransition>();

        Assert.False(gateway.IsRaised(ll));
        sensor.Evaluate(1_000, 0.10, PointQuality.Good, transitions);
        Assert.True(gateway.IsRaised(ll));
        sensor.Evaluate(2_000, 0.20, PointQuality.Good, transitions);
        Assert.False(gateway.IsRaised(ll));
    }

    [Fact]
    public void IsRaised_GatewayRuleCondition_FollowsTheVote()
    {
        var plant = Plant.Load("- id: R\n  type: voting\n  signals: { input1: C1, input2: C2 }\n  parameters: { setpoint: 160, votes: 2 }");
        var vote = plant.Condition("VOTE");

        plant.Run("C1=200@0; C2=10@0");
        Assert.False(plant.Gateway.IsRaised(vote));
        plant.Run("C2=200@1000");
        Assert.True(plant.Gateway.IsRaised(vote));
    }
}

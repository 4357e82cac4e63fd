using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Tests;

/// <summary><c>latch: true</c> reaches every alarm condition of the rule, for point limit rules and gateway rules.</summary>
public sealed class LatchTests
{
    private const string Site = """
        enterprise: ENT
        industry: steel
        gateways:
          - id: gw01
            points:
              - tag: P
                rules:
                  - id: P_LOW
                    type: limit
                    l: 1
                    ll: 0.5
                    latch: true
              - tag: Q
                rules:
                  - id: Q_HIGH
                    type: limit
                    h: 10
              - tag: BIT
            rules:
              - id: INTERLOCK
                type: state
                signals: { value: BIT }
                parameters: { expected: 1 }
                latch: true
        """;

    [Fact]
    public void Latch_OnLimitAndGatewayRules_MarksTheirConditionsLatching_AndOnlyThose()
    {
        var parsed = SiteConfigurationParser.Parse(Site, "latch.yaml");
        Assert.Empty(parsed.Errors);
        var compiled = RuleCompiler.Compile([parsed.Site!]);
        Assert.Empty(compiled.Errors);
        var rules = compiled.RuleSet!;

        var byRule = rules.Conditions.GroupBy(c => c.RuleId).ToDictionary(g => g.Key, g => g.All(c => c.Latching));
        Assert.True(byRule["P_LOW"]);
        Assert.True(byRule["INTERLOCK"]);
        Assert.False(byRule["Q_HIGH"]);
    }
}

using Monitoring.Rules.Configuration;
using Monitoring.Yaml;

namespace Monitoring.Rules.Tests;

public class SiteConfigurationParserTests
{
    private const string ValidSite = """
        enterprise: 91440300MA5DEMO001
        name: Demo aluminium DC casting plant
        industry: aluminium-casting
        gateways:
          - id: gw01
            points:
              - tag: CAST1.MOULD.WATER.P
                unit: MPa
                equipment: Casting pit 1 mould cooling water
                description: Mould cooling water inlet pressure
                rules:
                  - id: DC_MOULD_WATER_PRESSURE
                    type: limit
                    version: 3
                    l: 0.17
                    ll: 0.14
                    deadband: 0.005
                    onDelay: 0s
                    offDelay: 2s
                    priority: critical
                    majorHazard: true
                    clause: 令10号 第五条 (铝加工深井铸造结晶器冷却水)
                    condition:
                      zh: 结晶器冷却水进水压力低
                      en: Mould cooling water inlet pressure low
              - tag: CAST1.LAUNDER.LEVEL
                rules:
                  - id: DC_LAUNDER_LEVEL
                    type: limit
                    hh: 120
          - id: gw02
        """;

    [Fact]
    public void Parse_ValidSite_ReturnsEveryField()
    {
        var result = SiteConfigurationParser.Parse(ValidSite, "al.yaml");

        Assert.Empty(result.Errors);
        var site = Assert.IsType<SiteConfiguration>(result.Site);
        Assert.Equal("al.yaml", site.SourceFile);
        Assert.Equal("91440300MA5DEMO001", site.Enterprise);
        Assert.Equal("Demo aluminium DC casting plant", site.Name);
        Assert.Equal("aluminium-casting", site.Industry);
        Assert.Equal(new SourceMark(1, 13), site.Location);
        Assert.Equal(["gw01", "gw02"], site.Gateways.Select(g => g.Id));
        Assert.Equal(new SourceMark(5, 9), site.Gateways[0].Location);
        Assert.Empty(site.Gateways[1].Points);

        var point = site.Gateways[0].Points[0];
        Assert.Equal("CAST1.MOULD.WATER.P", point.Tag);
        Assert.Equal("MPa", point.Unit);
        Assert.Equal("Casting pit 1 mould cooling water", point.Equipment);
        Assert.Equal("Mould cooling water inlet pressure", point.Description);

        var rule = Assert.IsType<LimitRuleConfiguration>(Assert.Single(point.Rules));
        Assert.Equal("DC_MOULD_WATER_PRESSURE", rule.Id);
        Assert.Equal("limit", rule.Type);
        Assert.Equal(3, rule.Version);
        Assert.Null(rule.HighHigh);
        Assert.Null(rule.High);
        Assert.Equal(0.17, rule.Low);
        Assert.Equal(0.14, rule.LowLow);
        Assert.Equal(0.005, rule.Deadband);
        Assert.Equal(TimeSpan.Zero, rule.OnDelay);
        Assert.Equal(TimeSpan.FromSeconds(2), rule.OffDelay);
        Assert.Equal("critical", rule.Priority);
        Assert.True(rule.MajorHazard);
        Assert.Equal("令10号 第五条 (铝加工深井铸造结晶器冷却水)", rule.Clause);
        Assert.Equal(new Monitoring.Contracts.LocalizedText("结晶器冷却水进水压力低", "Mould cooling water inlet pressure low"), rule.Condition);
        Assert.Equal(new SourceMark(12, 17), rule.Location);
    }

    [Fact]
    public void Parse_RuleWithoutOptionalFields_UsesDefaults()
    {
        var site = SiteConfigurationParser.Parse(ValidSite, "al.yaml").Site!;

        var rule = Assert.IsType<LimitRuleConfiguration>(site.Gateways[0].Points[1].Rules[0]);
        Assert.Equal(1, rule.Version);
        Assert.Equal(120, rule.HighHigh);
        Assert.Equal(0, rule.Deadband);
        Assert.Equal(TimeSpan.Zero, rule.OnDelay);
        Assert.Equal(TimeSpan.Zero, rule.OffDelay);
        Assert.Null(rule.Priority);
        Assert.False(rule.MajorHazard);
        Assert.Null(rule.Clause);
        Assert.Null(rule.Condition);
        Assert.Null(site.Gateways[0].Points[1].Unit);
    }

    // Each case: a whole file with one mistake, the line and column it must be reported at, and a word of the message.
    public static TheoryData<string, int, int, string> SingleErrors => new()
    {
        {
            """
            industry: steel
            gateways:
              - id: gw01
            """, 1, 1, "missing 'enterprise'"
        },
        {
            """
            enterprise: bad code!
            industry: steel
            gateways:
              - id: gw01
            """, 1, 13, "invalid enterprise 'bad code!'"
        },
        {
            """
            enterprise: E1
            industry: cement
            gateways:
              - id: gw01
            """, 2, 11, "unknown industry 'cement'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
              - id: gw/2
            """, 5, 9, "invalid id 'gw/2'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
              - id: gw01
            """, 5, 9, "duplicate gateway id 'gw01' (first declared at line 4)"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                  - tag: A B
            """, 7, 14, "invalid tag 'A B'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                  - tag: A.B
            """, 7, 14, "duplicate tag 'A.B' in gateway 'gw01' (first declared at line 6)"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - { id: R1, type: limit, h: 1 }
                      - { id: R1, type: limit, l: 0 }
            """, 9, 19, "duplicate rule id 'R1' on point 'A.B' (first declared at line 8)"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: rate
            """, 9, 19, "unknown rule type 'rate'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        deadband: 1
            """, 8, 17, "has no limits"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        l: 5
                        h: 4
            """, 11, 16, "inconsistent limits: l (5) must be below h (4)"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: 1
                        deadband: -0.5
            """, 11, 23, "deadband must be a finite number >= 0"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: 1
                        onDelay: -2s
            """, 11, 22, "onDelay must not be negative"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: 1
                        offDelay: -1m
            """, 11, 23, "offDelay must not be negative"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: 1
                        priority: urgent
            """, 11, 23, "unknown priority 'urgent'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: 1
                        onDelay: 2 seconds
            """, 11, 22, "'onDelay' is not a duration: '2 seconds'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: 1
                        ondelay: 2s
            """, 11, 13, "unknown field 'ondelay' in limit rule"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        h: high
            """, 10, 16, "'h' must be a finite number, not 'high'"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        h: 1
            """, 8, 13, "a rule needs a type"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways:
              - id: gw01
                gateway: x
            """, 5, 5, "unknown field 'gateway' in gateway"
        },
        {
            """
            enterprise: E1
            enterprise: E2
            industry: steel
            gateways:
              - id: gw01
            """, 2, 1, "Duplicate key"
        },
        {
            """
            enterprise: E1
            industry: steel
            gateways: [ { id: gw01 }
            """, 4, 1, "invalid YAML"
        },
        {
            "", 1, 1, "the file is empty"
        },
    };

    [Theory]
    [MemberData(nameof(SingleErrors))]
    public void Parse_FileWithOneMistake_ReportsItAtItsLineAndColumn(string yaml, int line, int column, string message)
    {
        var result = SiteConfigurationParser.Parse(yaml, "site.yaml");

        Assert.Null(result.Site);
        var error = Assert.Single(result.Errors);
        Assert.Equal("site.yaml", error.File);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
        Assert.Equal((line, column), (error.Line, error.Column));
    }

    [Fact]
    public void Parse_FileWithSeveralMistakes_ReportsThemAll()
    {
        const string yaml = """
            enterprise: E1
            industry: cement
            gateways:
              - id: gw01
                points:
                  - tag: A.B
                    rules:
                      - id: R1
                        type: limit
                        hh: 1
                        h: 2
                        onDelay: soon
                  - tag: A.B
              - id: gw01
            """;

        var result = SiteConfigurationParser.Parse(yaml, "site.yaml");

        Assert.Null(result.Site);
        Assert.Equal([2, 10, 12, 13, 14], result.Errors.Select(e => e.Line).Order());
    }

    [Fact]
    public void ConfigurationError_ToString_NamesFileLineAndColumn()
    {
        var error = new ConfigurationError("steel.yaml", 3, 7, "duplicate gateway id 'gw01'");

        Assert.Equal("steel.yaml(3,7): duplicate gateway id 'gw01'", error.ToString());
    }

    [Theory]
    [InlineData("0", 0)]
    [InlineData("0s", 0)]
    [InlineData("500ms", 500)]
    [InlineData("2s", 2_000)]
    [InlineData("1.5s", 1_500)]
    [InlineData("1m", 60_000)]
    [InlineData("2h", 7_200_000)]
    [InlineData("-2s", -2_000)]
    public void TryParseDuration_ValidText_ReturnsMilliseconds(string text, double milliseconds)
    {
        Assert.True(YamlDurations.TryParse(text, out var duration));
        Assert.Equal(milliseconds, duration.TotalMilliseconds);
    }

    [Theory]
    [InlineData("")]
    [InlineData("2")]
    [InlineData("2 s")]
    [InlineData("s")]
    [InlineData("2d")]
    [InlineData("1e3ms")]
    [InlineData("00:00:02")]
    public void TryParseDuration_InvalidText_ReturnsFalse(string text)
    {
        Assert.False(YamlDurations.TryParse(text, out _));
    }
}

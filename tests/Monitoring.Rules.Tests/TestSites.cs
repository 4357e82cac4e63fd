using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;
using Monitoring.Yaml;

namespace Monitoring.Rules.Tests;

/// <summary>Builds sites in code, so evaluation tests state their setpoints next to their assertions.</summary>
internal static class TestSites
{
    public const string Enterprise = "E1";
    public const string Gateway = "gw01";
    public const string Tag = "T.1";

    public static SiteConfiguration Site(string file, string enterprise, params GatewayConfiguration[] gateways) => new()
    {
        SourceFile = file,
        Enterprise = enterprise,
        Industry = "steel",
        Gateways = gateways,
    };

    public static GatewayConfiguration Gateway_(string id, SourceMark location, params PointConfiguration[] points) => new()
    {
        Id = id,
        Points = points,
        Location = location,
    };

    public static PointConfiguration Point(string tag, params RuleConfiguration[] rules) => new()
    {
        Tag = tag,
        Unit = "ppm",
        Equipment = "Room 1",
        Rules = rules,
    };

    public static RuleSet Compile(params SiteConfiguration[] sites)
    {
        var result = RuleCompiler.Compile(sites);
        Assert.Empty(result.Errors);
        return Assert.IsType<RuleSet>(result.RuleSet);
    }

    /// <summary>One sensor with one limit rule, compiled.</summary>
    public static SensorRules Sensor(LimitRuleConfiguration rule)
    {
        var ruleSet = Compile(Site("test.yaml", Enterprise, Gateway_(Gateway, default, Point(Tag, rule))));
        Assert.True(ruleSet.FindGateway(Enterprise, Gateway)!.TryGetSensor(Tag, out var sensor));
        return sensor;
    }
}

using System.Text;
using System.Text.RegularExpressions;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;
using Monitoring.Yaml;

namespace Monitoring.Rules.Tests;

/// <summary>
/// One gateway built from YAML (points declared from the tags the rules name), fed readings and timer ticks in
/// a small script language: <c>TAG=value@ms</c>, <c>bad:TAG@ms</c> (bad quality without a value) and
/// <c>tick@ms</c>, separated by <c>;</c>. Times are milliseconds after <see cref="T0"/>; a reading arrives at its
/// own timestamp unless written <c>TAG=value@ms&gt;receivedMs</c>.
/// </summary>
internal sealed partial class Plant
{
    public const long T0 = 1_763_800_000_000;

    private Plant(RuleSet ruleSet)
    {
        RuleSet = ruleSet;
        Gateway = ruleSet.FindGateway("E1", "gw01")!;
    }

    public RuleSet RuleSet { get; }
    public GatewayRules Gateway { get; }
    public List<AlarmTransition> Transitions { get; } = new(64);

    public static string Yaml(string rules, params string[] extraTags)
    {
        var tags = new SortedSet<string>(StringComparer.Ordinal);
        foreach (Match match in TagPattern().Matches(rules))
        {
            tags.Add(match.Groups[1].Value);
        }

        tags.UnionWith(extraTags);
        var yaml = new StringBuilder("enterprise: E1\nindustry: steel\ngateways:\n  - id: gw01\n    points:\n");
        foreach (var tag in tags)
        {
            yaml.Append("      - tag: ").Append(tag).Append("\n        unit: u\n");
        }

        yaml.Append("    rules:\n");
        foreach (var line in rules.Split('\n'))
        {
            yaml.Append("      ").Append(line).Append('\n');
        }

        return yaml.ToString();
    }

    public static Plant Load(string rules, params string[] extraTags)
    {
        var parsed = SiteConfigurationParser.Parse(Yaml(rules, extraTags), "plant.yaml");
        Assert.Empty(parsed.Errors);
        var compiled = RuleCompiler.Compile([parsed.Site!]);
        Assert.Empty(compiled.Errors);
        return new Plant(compiled.RuleSet!);
    }

    /// <summary>The file line just before the first rule line, so tests can state rule-relative lines.</summary>
    public static int RulesLine(string rules, params string[] extraTags)
        => Array.IndexOf(Yaml(rules, extraTags).Split('\n'), "    rules:") + 1;

    public static IReadOnlyList<ConfigurationError> Errors(string rules, params string[] extraTags)
    {
        var parsed = SiteConfigurationParser.Parse(Yaml(rules, extraTags), "plant.yaml");
        return parsed.Errors.Count > 0 ? parsed.Errors : RuleCompiler.Compile([parsed.Site!]).Errors;
    }

    public SensorRules Sensor(string tag)
    {
        Assert.True(Gateway.TryGetSensor(tag, out var sensor));
        return sensor;
    }

    public AlarmCondition Condition(string stage) => Gateway.GatewayConditions.Concat(RuleSet.StaticViolations).First(c => c.Stage == stage);

    /// <summary>Runs the script; returns the transitions it produced as "Raised STAGE@ms" / "Cleared STAGE@ms".</summary>
    public string[] Run(string script)
    {
        Transitions.Clear();
        foreach (var raw in script.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var at = raw.LastIndexOf('@');
            var times = raw[(at + 1)..].Split('>');
            var ts = T0 + long.Parse(times[0], System.Globalization.CultureInfo.InvariantCulture);
            var received = times.Length > 1 ? T0 + long.Parse(times[1], System.Globalization.CultureInfo.InvariantCulture) : ts;
            var head = raw[..at];
            if (head == "tick")
            {
                Gateway.Tick(ts, Transitions);
            }
            else if (head == "tick-queued")
            {
                Gateway.Tick(ts, Transitions, readingsQueued: true);
            }
            else if (head.StartsWith("bad:", StringComparison.Ordinal))
            {
                Sensor(head[4..]).EvaluateBadQuality(ts, received, Transitions);
            }
            else
            {
                var eq = head.IndexOf('=');
                var value = double.Parse(head[(eq + 1)..], System.Globalization.CultureInfo.InvariantCulture);
                Sensor(head[..eq]).Evaluate(ts, value, PointQuality.Good, Transitions, received);
            }
        }

        return [.. Transitions.Select(t => $"{t.Kind} {t.Condition.Stage}@{t.OccurredAtMs - T0}")];
    }

    // Upper-case tags in the rules text, e.g. "value: CO1" or "{ a: QI, b: QO }".
    [GeneratedRegex(@"[:,{]\s*([A-Z][A-Z0-9_.]*)\b")]
    private static partial Regex TagPattern();
}

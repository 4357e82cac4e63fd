using Monitoring.Rules.Configuration;
using Monitoring.Rules.Evaluation;

namespace Monitoring.Rules.Presets;

public static class RulePresets
{
    /// <summary>A plain typed rule becomes one part; a preset instance expands into its parts. Null (errors reported) when invalid.</summary>
    internal static List<RulePart>? Expand(GatewayRuleConfiguration rule, Action<SourceMark, string> error)
    {
        if (rule.Preset is null)
        {
            return [new RulePart(rule, rule.Type ?? "", "", null, null, false, null, null)];
        }

        error(rule.Location, $"unknown preset '{rule.Preset}'");
        return null;
    }
}

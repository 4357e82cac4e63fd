using System.Globalization;
using Monitoring.Contracts;
using Monitoring.Rules.Compilation.Presets;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;
using Monitoring.Yaml;

namespace Monitoring.Rules.Compilation;

/// <summary>The outcome of <see cref="RuleCompiler.Compile"/>: a rule set, or (with no rule set) every error found.</summary>
public sealed record RuleSetBuildResult(RuleSet? RuleSet, IReadOnlyList<ConfigurationError> Errors);

/// <summary>
/// Turns validated site configurations into a <see cref="RuleSet"/>: every rule, point or gateway, compiles to the one
/// runtime model (<see cref="GatewayRule"/> subclasses over the gateway's <see cref="SignalTable"/>); every problem is
/// reported with file and line.
/// </summary>
public static class RuleCompiler
{
    /// <summary>
    /// Compiles validated sites. Errors (duplicate enterprise/gateway, inconsistent limits) name the file and line.
    /// Any error fails the whole compilation (the result has no rule set), so a reload with a mistake in one
    /// file leaves the running rules untouched rather than dropping that file's alarms.
    /// </summary>
    public static RuleSetBuildResult Compile(IReadOnlyList<SiteConfiguration> sites, RuleSetOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sites);
        options ??= RuleSetOptions.Default;

        var errors = new List<ConfigurationError>();
        var gateways = new Dictionary<(string, string), GatewayRules>();
        var declaredAt = new Dictionary<(string, string), (string File, SourceMark Mark)>();
        var conditions = new List<AlarmCondition>();
        foreach (var site in sites)
        {
            foreach (var gateway in site.Gateways)
            {
                var key = (site.Enterprise, gateway.Id);
                if (declaredAt.TryGetValue(key, out var first))
                {
                    Error(errors, site.SourceFile, gateway.Location,
                        $"gateway '{gateway.Id}' of enterprise '{site.Enterprise}' is already declared in {first.File}({first.Mark.Line},{first.Mark.Column})");
                    continue;
                }

                declaredAt.Add(key, (site.SourceFile, gateway.Location));
                gateways.Add(key, CompileGateway(site, gateway, options, conditions, errors));
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var condition in conditions)
        {
            if (!keys.Add(condition.Key))
            {
                errors.Add(new ConfigurationError(SourceOf(sites, condition), 0, 0, $"two rules produce the same alarm key '{condition.Key}': give one of them another id"));
            }
        }

        return errors.Count == 0
            ? new RuleSetBuildResult(new RuleSet(sites, options, gateways, conditions), errors)
            : new RuleSetBuildResult(null, errors);
    }

    private static string SourceOf(IReadOnlyList<SiteConfiguration> sites, AlarmCondition condition)
    {
        foreach (var site in sites)
        {
            if (site.Enterprise == condition.Enterprise)
            {
                return site.SourceFile;
            }
        }

        return "";
    }

    private static GatewayRules CompileGateway(SiteConfiguration site, GatewayConfiguration gateway, RuleSetOptions options, List<AlarmCondition> conditions, List<ConfigurationError> errors)
    {
        var clockSkew = ClockSkewCondition(site, gateway, options);
        conditions.Add(clockSkew);
        var sensors = new Dictionary<string, SensorRules>(StringComparer.Ordinal);
        var tagIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        var points = new List<PointConfiguration>();
        foreach (var point in gateway.Points)
        {
            if (tagIndex.TryAdd(point.Tag, points.Count))
            {
                points.Add(point);
            }
        }

        var table = new SignalTable(points.Count);
        var dependents = new List<GatewayRule>[points.Count];
        for (var i = 0; i < dependents.Length; i++)
        {
            dependents[i] = [];
        }

        var gatewayRules = new List<GatewayRule>();
        var compiler = new GatewayRuleCompiler(site, gateway, tagIndex, points, table, errors);
        var gatewayRuleIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var rule in gateway.Rules)
        {
            if (!gatewayRuleIds.Add(rule.Id))
            {
                Error(errors, site.SourceFile, rule.Location, $"duplicate rule id '{rule.Id}' in gateway '{gateway.Id}'");
                continue;
            }

            if (RulePresets.Expand(rule, compiler.Error) is not { } parts)
            {
                continue;
            }

            if (rule.GateStaleAfter is not null && !parts.Any(p => p.Spec.ArmedWhen.Count > 0))
            {
                Error(errors, site.SourceFile, rule.GateStaleAfterLocation, $"rule '{rule.Id}': gateStaleAfter is given but the rule has no mode gate (armedWhen, or a bound gate role of the preset)");
            }

            foreach (var part in parts)
            {
                if (compiler.Compile(part, conditions) is not { } compiled)
                {
                    continue;
                }

                foreach (var gatewayRule in compiled)
                {
                    gatewayRules.Add(gatewayRule);
                    foreach (var signal in gatewayRule.Signals)
                    {
                        dependents[signal].Add(gatewayRule);
                    }
                }
            }
        }

        // One fail-safe diagnostic per gate signal, shared by every rule gated on it (ModeSignalRule).
        foreach (var (signal, staleAfterMs) in compiler.GateSignals)
        {
            var condition = ModeSignalRule.ConditionFor(site, gateway.Id, points[signal]);
            var diagnostic = new ModeSignalRule(condition, signal, staleAfterMs, staleAfterMs > 0 ? staleAfterMs : ModeGate.DefaultStaleAfterMs);
            conditions.Add(condition);
            gatewayRules.Add(diagnostic);
            dependents[signal].Add(diagnostic);
        }

        var pointRules = new List<GatewayRule>();
        foreach (var point in gateway.Points)
        {
            if (sensors.ContainsKey(point.Tag))
            {
                Error(errors, site.SourceFile, point.Location, $"duplicate tag '{point.Tag}' in gateway '{gateway.Id}'");
                continue;
            }

            var index = tagIndex[point.Tag];
            var own = new List<GatewayRule>();
            var ruleIds = new HashSet<string>(StringComparer.Ordinal);
            foreach (var rule in point.Rules)
            {
                if (!ruleIds.Add(rule.Id))
                {
                    Error(errors, site.SourceFile, rule.Location, $"duplicate rule id '{rule.Id}' on point '{point.Tag}'");
                    continue;
                }

                var compiled = rule switch
                {
                    LimitRuleConfiguration limit => CompileLimit(site, gateway, point, index, limit, errors),
                    _ => UnknownRuleType(site, rule, errors),
                };
                if (compiled is not null)
                {
                    own.Add(compiled);
                    conditions.AddRange(compiled.Conditions);
                }
            }

            // The point's own rules first: a reading appends their transitions before those of the gateway rules reading it.
            pointRules.AddRange(own);
            sensors.Add(point.Tag, new SensorRules(point, index, table, [.. own], [.. own, .. dependents[index]]));
        }

        return new GatewayRules(site, gateway.Id, sensors, table, [.. gatewayRules], [.. pointRules], [.. compiler.StaticViolations], clockSkew);
    }

    /// <summary>
    /// The gateway's own diagnostic: its clock is off the server's by more than <see cref="RuleSetOptions.ClockSkewLimit"/>.
    /// Not a site rule: the service raises and clears it from its estimate of the gateway's clock (its value is the
    /// offset in seconds, positive when the gateway's clock is ahead). Alarms are judged against the gateway's own
    /// clock whatever the offset; the alarm says the timestamps of this plant's data are wrong.
    /// </summary>
    private static AlarmCondition ClockSkewCondition(SiteConfiguration site, GatewayConfiguration gateway, RuleSetOptions options)
    {
        var limitSeconds = options.ClockSkewLimit.TotalSeconds;
        return new AlarmCondition
        {
            Key = $"{site.Enterprise}/{gateway.Id}/@gateway/{DiagnosticRuleIds.GatewayClockSkew}/SKEW",
            RuleId = DiagnosticRuleIds.GatewayClockSkew,
            RuleVersion = 1,
            Enterprise = site.Enterprise,
            Gateway = gateway.Id,
            Tags = [],
            Equipment = $"gateway {gateway.Id}",
            Industry = site.Industry,
            Priority = AlarmPriorities.Medium,
            Level = 1,
            MajorHazard = false,
            Limit = limitSeconds,
            Unit = "s",
            Description = new LocalizedText(
                string.Create(CultureInfo.InvariantCulture, $"网关 {gateway.Id} 时钟偏差超过 {limitSeconds} 秒 (数据时间戳不准, 报警仍按网关自身时钟判定)"),
                string.Create(CultureInfo.InvariantCulture, $"gateway {gateway.Id} clock off by more than {limitSeconds} s (data timestamps are wrong; alarms are still judged on the gateway's own clock)")),
            Stage = "SKEW",
        };
    }

    private static GatewayRule? UnknownRuleType(SiteConfiguration site, RuleConfiguration rule, List<ConfigurationError> errors)
    {
        Error(errors, site.SourceFile, rule.Location, $"rule '{rule.Id}': rule type '{rule.Type}' cannot be compiled");
        return null;
    }

    /// <summary>A point's limit rule: the same runtime rule as a gateway <c>limit</c> on that point, without a mode gate.</summary>
    private static ValueRule? CompileLimit(
        SiteConfiguration site, GatewayConfiguration gateway, PointConfiguration point, int signal, LimitRuleConfiguration rule, List<ConfigurationError> errors)
    {
        var valid = true;
        foreach (var problem in rule.Validate())
        {
            Error(errors, site.SourceFile, rule.Location, problem.Message);
            valid = false;
        }

        if (!valid)
        {
            return null;
        }

        // First stage before second on each side, so a jump past both raises H before HH in the transition list.
        string[] tags = [point.Tag];
        var stages = new List<StageSpec>(4);
        AddStage(rule.High, "H");
        AddStage(rule.HighHigh, "HH");
        AddStage(rule.Low, "L");
        AddStage(rule.LowLow, "LL");
        return new ValueRule([.. stages], [signal], null, rule.Deadband, GatewayRuleCompiler.Ms(rule.OnDelay), GatewayRuleCompiler.Ms(rule.OffDelay), null);

        void AddStage(double? setpoint, string stage)
        {
            if (setpoint is not { } limit)
            {
                return;
            }

            var level = LimitStages.Level(stage);
            var condition = new AlarmCondition
            {
                Key = $"{site.Enterprise}/{gateway.Id}/{point.Tag}/{rule.Id}/{stage}",
                RuleId = rule.Id,
                RuleVersion = rule.Version,
                Enterprise = site.Enterprise,
                Gateway = gateway.Id,
                Tags = tags,
                Equipment = point.Equipment,
                Industry = site.Industry,
                Priority = rule.Priority ?? (level == 2 ? AlarmPriorities.High : AlarmPriorities.Medium),
                Level = level,
                MajorHazard = rule.MajorHazard,
                Latching = rule.Latch,
                Clause = rule.Clause,
                Limit = limit,
                Unit = point.Unit,
                Description = Describe(point, rule, stage, limit),
                Stage = stage,
            };
            stages.Add(new StageSpec(condition, limit, LimitStages.IsHigh(stage)));
        }
    }

    /// <summary>
    /// The stage and its limit are always part of the text, also when the rule configures its own words,
    /// because the stages of one rule share those words and a duty officer must tell them apart.
    /// </summary>
    private static LocalizedText Describe(PointConfiguration point, LimitRuleConfiguration rule, string stage, double limit)
    {
        var (zh, en) = LimitStages.Words(stage);
        var bound = LimitStages.Bound(stage, limit, point.Unit);
        return rule.Condition is { } text
            ? new LocalizedText($"{text.Zh} ({zh}, {bound})", $"{text.En} ({en}, {bound})")
            : new LocalizedText($"{point.Tag} {zh} ({bound})", $"{point.Tag} {en} ({bound})");
    }

    private static void Error(List<ConfigurationError> errors, string file, SourceMark mark, string message)
        => errors.Add(new ConfigurationError(file, mark.Line, mark.Column, message));
}

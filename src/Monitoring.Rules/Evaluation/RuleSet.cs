using System.Globalization;
using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Evaluation;

/// <summary>
/// The compiled rules of every loaded site. Immutable apart from the per-sensor evaluation state,
/// which belongs to the single partition worker that owns the sensor's gateway.
/// </summary>
public sealed class RuleSet
{
    private readonly Dictionary<(string Enterprise, string Gateway), GatewayRules> _gateways;
    private readonly Dictionary<string, AlarmCondition> _conditionsByKey;
    private readonly AlarmCondition[] _conditions;

    private RuleSet(
        IReadOnlyList<SiteConfiguration> sites,
        Dictionary<(string, string), GatewayRules> gateways,
        List<AlarmCondition> conditions)
    {
        Sites = sites;
        _gateways = gateways;
        _conditions = [.. conditions];
        _conditionsByKey = new Dictionary<string, AlarmCondition>(_conditions.Length, StringComparer.Ordinal);
        foreach (var condition in _conditions)
        {
            _conditionsByKey.Add(condition.Key, condition);
        }
    }

    /// <summary>
    /// Compiles validated sites. Errors (duplicate enterprise/gateway, inconsistent limits) name the file and line.
    /// Any error fails the whole compilation (the result has no rule set), so a reload with a mistake in one
    /// file leaves the running rules untouched rather than dropping that file's alarms.
    /// </summary>
    public static RuleSetBuildResult Compile(IReadOnlyList<SiteConfiguration> sites)
    {
        ArgumentNullException.ThrowIfNull(sites);

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
                gateways.Add(key, CompileGateway(site, gateway, conditions, errors));
            }
        }

        return errors.Count == 0
            ? new RuleSetBuildResult(new RuleSet(sites, gateways, conditions), errors)
            : new RuleSetBuildResult(null, errors);
    }

    public IReadOnlyList<SiteConfiguration> Sites { get; }

    /// <summary>Every alarm condition of every site (for the API and for restoring active alarms).</summary>
    public IReadOnlyList<AlarmCondition> Conditions => _conditions;

    public IReadOnlyCollection<GatewayRules> Gateways => _gateways.Values;

    /// <summary>The gateway's rules, or null when no site configures it (its readings are stored, not evaluated).</summary>
    public GatewayRules? FindGateway(string enterprise, string gateway)
        => _gateways.TryGetValue((enterprise, gateway), out var rules) ? rules : null;

    /// <summary>Finds a condition by its <see cref="AlarmCondition.Key"/> (e.g. to restore an active alarm from a journal).</summary>
    public bool TryGetCondition(string key, out AlarmCondition condition)
        => _conditionsByKey.TryGetValue(key, out condition!);

    private static GatewayRules CompileGateway(SiteConfiguration site, GatewayConfiguration gateway, List<AlarmCondition> conditions, List<ConfigurationError> errors)
    {
        var sensors = new Dictionary<string, SensorRules>(StringComparer.Ordinal);
        foreach (var point in gateway.Points)
        {
            if (sensors.ContainsKey(point.Tag))
            {
                Error(errors, site.SourceFile, point.Location, $"duplicate tag '{point.Tag}' in gateway '{gateway.Id}'");
                continue;
            }

            var rules = new List<CompiledRule>();
            var ruleIds = new HashSet<string>(StringComparer.Ordinal);
            string[] tags = [point.Tag];
            foreach (var rule in point.Rules)
            {
                if (!ruleIds.Add(rule.Id))
                {
                    Error(errors, site.SourceFile, rule.Location, $"duplicate rule id '{rule.Id}' on point '{point.Tag}'");
                    continue;
                }

                var compiled = rule switch
                {
                    LimitRuleConfiguration limit => CompileLimit(site, gateway, point, tags, limit, errors),
                    _ => UnknownRuleType(site, rule, errors),
                };
                if (compiled is not null)
                {
                    rules.Add(compiled);
                    conditions.AddRange(compiled.Conditions);
                }
            }

            sensors.Add(point.Tag, new SensorRules(point, [.. rules]));
        }

        return new GatewayRules(site, gateway.Id, sensors);
    }

    private static CompiledRule? UnknownRuleType(SiteConfiguration site, RuleConfiguration rule, List<ConfigurationError> errors)
    {
        Error(errors, site.SourceFile, rule.Location, $"rule '{rule.Id}': rule type '{rule.Type}' cannot be compiled");
        return null;
    }

    private static LimitRule? CompileLimit(
        SiteConfiguration site, GatewayConfiguration gateway, PointConfiguration point, string[] tags, LimitRuleConfiguration rule, List<ConfigurationError> errors)
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
        var stages = new List<(AlarmCondition, double, bool)>(4);
        AddStage(rule.High, LimitStage.High);
        AddStage(rule.HighHigh, LimitStage.HighHigh);
        AddStage(rule.Low, LimitStage.Low);
        AddStage(rule.LowLow, LimitStage.LowLow);
        return new LimitRule(stages, rule.Deadband, ToMilliseconds(rule.OnDelay), ToMilliseconds(rule.OffDelay));

        void AddStage(double? setpoint, LimitStage stage)
        {
            if (setpoint is not { } limit)
            {
                return;
            }

            var level = stage is LimitStage.HighHigh or LimitStage.LowLow ? 2 : 1;
            var condition = new AlarmCondition
            {
                Key = $"{site.Enterprise}/{gateway.Id}/{point.Tag}/{rule.Id}/{StageName(stage)}",
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
                Clause = rule.Clause,
                Limit = limit,
                Unit = point.Unit,
                Description = Describe(point, rule, stage, limit),
                Stage = StageName(stage),
            };
            stages.Add((condition, limit, stage is LimitStage.High or LimitStage.HighHigh));
        }
    }

    // Rounded up: an on-delay of 0.5 ms must still wait, not fire at once.
    private static long ToMilliseconds(TimeSpan delay) => (long)Math.Ceiling(delay.TotalMilliseconds);

    private enum LimitStage
    {
        HighHigh,
        High,
        Low,
        LowLow,
    }

    private static string StageName(LimitStage stage) => stage switch
    {
        LimitStage.HighHigh => "HH",
        LimitStage.High => "H",
        LimitStage.Low => "L",
        _ => "LL",
    };

    /// <summary>
    /// The stage and its limit are always part of the text, also when the rule configures its own words,
    /// because the stages of one rule share those words and a duty officer must tell them apart.
    /// </summary>
    private static LocalizedText Describe(PointConfiguration point, LimitRuleConfiguration rule, LimitStage stage, double limit)
    {
        var (zh, en) = stage switch
        {
            LimitStage.HighHigh => ("高高报警", "high-high"),
            LimitStage.High => ("高报警", "high"),
            LimitStage.Low => ("低报警", "low"),
            _ => ("低低报警", "low-low"),
        };
        var comparison = stage is LimitStage.High or LimitStage.HighHigh ? "≥" : "≤";
        var bound = point.Unit is null
            ? string.Create(CultureInfo.InvariantCulture, $"{comparison} {limit}")
            : string.Create(CultureInfo.InvariantCulture, $"{comparison} {limit} {point.Unit}");
        return rule.Condition is { } text
            ? new LocalizedText($"{text.Zh} ({zh}, {bound})", $"{text.En} ({en}, {bound})")
            : new LocalizedText($"{point.Tag} {zh} ({bound})", $"{point.Tag} {en} ({bound})");
    }

    private static void Error(List<ConfigurationError> errors, string file, SourceMark mark, string message)
        => errors.Add(new ConfigurationError(file, mark.Line, mark.Column, message));
}

public sealed record RuleSetBuildResult(RuleSet? RuleSet, IReadOnlyList<ConfigurationError> Errors);

/// <summary>The rules of one gateway's points. Lookups by tag allocate nothing.</summary>
public sealed class GatewayRules
{
    private readonly Dictionary<string, SensorRules> _sensors;
    private readonly Dictionary<string, SensorRules>.AlternateLookup<ReadOnlySpan<char>> _sensorsBySpan;

    internal GatewayRules(SiteConfiguration site, string gateway, Dictionary<string, SensorRules> sensors)
    {
        Site = site;
        Gateway = gateway;
        _sensors = sensors;
        _sensorsBySpan = sensors.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public SiteConfiguration Site { get; }
    public string Enterprise => Site.Enterprise;
    public string Gateway { get; }
    public string Industry => Site.Industry;

    public IReadOnlyCollection<SensorRules> Sensors => _sensors.Values;

    /// <summary>Finds a configured point by its tag (ASCII, as decoded from the payload). Ordinal: tags are case-sensitive.</summary>
    public bool TryGetSensor(ReadOnlySpan<char> tag, out SensorRules sensor)
        => _sensorsBySpan.TryGetValue(tag, out sensor!);
}

public enum EvaluationOutcome : byte
{
    /// <summary>The reading was newer than the last one evaluated and went through the rules.</summary>
    Evaluated,
    /// <summary>Same timestamp as the last evaluated reading: a redelivery or re-send; not evaluated twice.</summary>
    Duplicate,
    /// <summary>Older than the last evaluated reading: stored and flagged historical; rule state is not rewound.</summary>
    Late,
    /// <summary>Bad quality: stored, never drives a process-value rule.</summary>
    SkippedBadQuality,
}

/// <summary>One configured point with its compiled rules and their state. Not thread-safe: single writer.</summary>
public sealed class SensorRules
{
    private readonly CompiledRule[] _rules;
    private readonly AlarmCondition[] _conditions;
    private long _lastEvaluatedMs;
    private bool _evaluatedAny;

    internal SensorRules(PointConfiguration point, CompiledRule[] rules)
    {
        Point = point;
        _rules = rules;
        var conditions = new List<AlarmCondition>();
        foreach (var rule in rules)
        {
            conditions.AddRange(rule.Conditions);
        }

        _conditions = [.. conditions];
    }

    public PointConfiguration Point { get; }
    public string Tag => Point.Tag;
    public string? Unit => Point.Unit;
    public string? Equipment => Point.Equipment;

    /// <summary>The alarm conditions of every rule on this point, in evaluation order.</summary>
    public IReadOnlyList<AlarmCondition> Conditions => _conditions;

    /// <summary>Timestamp of the last reading that went through the rules, or null before the first.</summary>
    public long? LastEvaluatedMs => _evaluatedAny ? _lastEvaluatedMs : null;

    /// <summary>
    /// Evaluates one reading in event time. Transitions are appended to <paramref name="transitions"/>
    /// (a list the caller reuses). Allocates nothing when no transition happens.
    /// Booleans are evaluated as 1 (true) and 0 (false).
    /// </summary>
    /// <remarks>
    /// Duplicate and late are decided before quality, against the last evaluated reading. A bad reading (or a
    /// NaN, which the decoder should already have rejected) is skipped without touching any state: it neither
    /// advances the last evaluated timestamp nor breaks an on- or off-delay that is being counted. Uncertain
    /// readings are evaluated like good ones.
    /// </remarks>
    public EvaluationOutcome Evaluate(long timestampMs, double value, PointQuality quality, List<AlarmTransition> transitions)
    {
        if (_evaluatedAny)
        {
            if (timestampMs == _lastEvaluatedMs)
            {
                return EvaluationOutcome.Duplicate;
            }

            if (timestampMs < _lastEvaluatedMs)
            {
                return EvaluationOutcome.Late;
            }
        }

        if (quality == PointQuality.Bad || double.IsNaN(value))
        {
            return EvaluationOutcome.SkippedBadQuality;
        }

        _lastEvaluatedMs = timestampMs;
        _evaluatedAny = true;
        foreach (var rule in _rules)
        {
            rule.Evaluate(timestampMs, value, transitions);
        }

        return EvaluationOutcome.Evaluated;
    }

    /// <summary>Whether the condition (one of <see cref="Conditions"/>) is currently raised.</summary>
    public bool IsActive(AlarmCondition condition)
    {
        foreach (var rule in _rules)
        {
            if (rule.IsActive(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Marks a condition active without a transition, for an alarm that was active before a restart or reload;
    /// it then clears by the usual deadband and off-delay. False when the condition is not one of this sensor's.
    /// </summary>
    public bool RestoreActive(AlarmCondition condition)
    {
        foreach (var rule in _rules)
        {
            if (rule.RestoreActive(condition))
            {
                return true;
            }
        }

        return false;
    }
}

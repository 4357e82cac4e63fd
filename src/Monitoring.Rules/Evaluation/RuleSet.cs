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
        RuleSetOptions options,
        Dictionary<(string, string), GatewayRules> gateways,
        List<AlarmCondition> conditions)
    {
        Sites = sites;
        Options = options;
        _gateways = gateways;
        _conditions = [.. conditions];
        var violations = new List<AlarmCondition>();
        foreach (var gateway in gateways.Values)
        {
            violations.AddRange(gateway.StaticViolations);
        }

        StaticViolations = violations;
        _conditionsByKey = new Dictionary<string, AlarmCondition>(_conditions.Length, StringComparer.Ordinal);
        foreach (var condition in _conditions)
        {
            _conditionsByKey.Add(condition.Key, condition);
        }
    }

    /// <summary>
    /// Static checks (<c>setpointCheck</c> rules and presets built on them) that failed at compile time: each is
    /// an alarm condition the service raises at once when it loads this rule set, and clears when a reloaded rule
    /// set no longer lists it. These conditions are also in <see cref="Conditions"/>; they have no tags.
    /// </summary>
    public IReadOnlyList<AlarmCondition> StaticViolations { get; }

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

    public IReadOnlyList<SiteConfiguration> Sites { get; }

    /// <summary>The settings this rule set was compiled with (a recompilation of <see cref="Sites"/> uses them again).</summary>
    public RuleSetOptions Options { get; }

    /// <summary>Every alarm condition of every site (for the API and for restoring active alarms).</summary>
    public IReadOnlyList<AlarmCondition> Conditions => _conditions;

    public IReadOnlyCollection<GatewayRules> Gateways => _gateways.Values;

    /// <summary>The gateway's rules, or null when no site configures it (its readings are stored, not evaluated).</summary>
    public GatewayRules? FindGateway(string enterprise, string gateway)
        => _gateways.TryGetValue((enterprise, gateway), out var rules) ? rules : null;

    /// <summary>Finds a condition by its <see cref="AlarmCondition.Key"/> (e.g. to restore an active alarm from a journal).</summary>
    public bool TryGetCondition(string key, out AlarmCondition condition)
        => _conditionsByKey.TryGetValue(key, out condition!);

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

            if (Presets.RulePresets.Expand(rule, compiler.Error) is not { } parts)
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

            var index = tagIndex[point.Tag];
            sensors.Add(point.Tag, new SensorRules(point, [.. rules], index, table, [.. dependents[index]]));
        }

        return new GatewayRules(site, gateway.Id, sensors, table, [.. gatewayRules], [.. compiler.StaticViolations], clockSkew);
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
            Key = $"{site.Enterprise}/{gateway.Id}/@gateway/{ClockSkewRuleId}/SKEW",
            RuleId = ClockSkewRuleId,
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

    /// <summary>Rule id of the clock-skew diagnostic of every configured gateway.</summary>
    public const string ClockSkewRuleId = "GATEWAY_CLOCK_SKEW";

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
                Latching = rule.Latch,
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

/// <summary>Settings of what the compiler adds to every gateway itself (diagnostics), not read from the site files.</summary>
public sealed record RuleSetOptions
{
    /// <summary>A gateway whose clock is off the server's by more than this raises <see cref="RuleSet.ClockSkewRuleId"/>.</summary>
    public TimeSpan ClockSkewLimit { get; init; } = TimeSpan.FromSeconds(30);

    public static RuleSetOptions Default { get; } = new();
}

/// <summary>The rules of one gateway's points. Lookups by tag allocate nothing.</summary>
public sealed class GatewayRules
{
    private readonly Dictionary<string, SensorRules> _sensors;
    private readonly Dictionary<string, SensorRules>.AlternateLookup<ReadOnlySpan<char>> _sensorsBySpan;

    private readonly SignalTable _table;
    private readonly GatewayRule[] _rules;
    private readonly GatewayRule[] _timed;
    private readonly SensorRules[] _delayed;
    private readonly AlarmCondition[] _conditions;
    private bool _anyReading;
    private long _latestEventMs;
    private long _latestReceivedAtMs;

    internal GatewayRules(SiteConfiguration site, string gateway, Dictionary<string, SensorRules> sensors, SignalTable table, GatewayRule[] rules, AlarmCondition[] staticViolations, AlarmCondition clockSkew)
    {
        ClockSkew = clockSkew;
        Site = site;
        Gateway = gateway;
        _sensors = sensors;
        _sensorsBySpan = sensors.GetAlternateLookup<ReadOnlySpan<char>>();
        _table = table;
        _rules = rules;
        _timed = [.. rules.Where(r => r.HasTimers)];
        _delayed = [.. sensors.Values.Where(s => s.HasDelays)];
        _conditions = [.. rules.SelectMany(r => r.Conditions), clockSkew];
        StaticViolations = staticViolations;
        foreach (var sensor in sensors.Values)
        {
            sensor.Owner = this;
        }
    }

    /// <summary>The conditions of the gateway's multi-signal and time-driven rules (the <c>rules:</c> of the gateway), and its <see cref="ClockSkew"/> diagnostic.</summary>
    public IReadOnlyList<AlarmCondition> GatewayConditions => _conditions;

    /// <summary>The gateway's clock-skew diagnostic (see <see cref="RuleSet.ClockSkewRuleId"/>): raised and cleared by the service, not by a rule.</summary>
    public AlarmCondition ClockSkew { get; }

    /// <summary>Failed static checks of this gateway's configuration (see <see cref="RuleSet.StaticViolations"/>).</summary>
    public IReadOnlyList<AlarmCondition> StaticViolations { get; }

    /// <summary>
    /// Evaluates what time alone can change: no data (server clock <paramref name="nowMs"/> against the server time
    /// each point's last reading arrived), and, in the gateway's event time, cause→effect deadlines, on- and
    /// off-delays that mature without a new reading (point limit rules too, while the point's latest reading is good), windows that expire, bad quality and flat lines that last.
    /// The gateway's event time is estimated as its latest reading's timestamp plus the server time elapsed since
    /// that reading arrived, so a gateway whose clock is skewed keeps its own time base. Call it from the partition
    /// that owns the gateway (single writer), e.g. every 500 ms. Allocates nothing unless it appends a transition.
    /// </summary>
    /// <param name="readingsQueued">
    /// The gateway has messages that arrived and are not evaluated yet (the service is behind, e.g. after a store
    /// stall): its event time is then its latest evaluated reading's, not extrapolated. Sample and hold assumes nothing
    /// arrived since; here something did, and its readings will say whether a delay held or was broken.
    /// No data is judged on the server clock as always.
    /// </param>
    public void Tick(long nowMs, List<AlarmTransition> transitions, bool readingsQueued = false)
    {
        long? eventNow = _anyReading ? _latestEventMs + (readingsQueued ? 0 : Math.Max(0, nowMs - _latestReceivedAtMs)) : null;
        if (eventNow is { } now)
        {
            foreach (var sensor in _delayed)
            {
                sensor.Mature(now, transitions);
            }
        }

        foreach (var rule in _timed)
        {
            rule.Tick(eventNow, nowMs, _table, transitions);
        }
    }

    /// <summary>Whether the condition would be true now but its rule's mode gate (armedWhen) is closed.</summary>
    public bool IsSuppressedByMode(AlarmCondition condition)
    {
        foreach (var rule in _rules)
        {
            if (rule.IsSuppressedByMode(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many evaluations found a condition true while its mode gate was closed (a metric: never silent).</summary>
    public long SuppressedCount
    {
        get
        {
            long total = 0;
            foreach (var rule in _rules)
            {
                total += rule.SuppressedCount;
            }

            return total;
        }
    }

    /// <summary>Whether a gateway-rule condition is raised.</summary>
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

    /// <summary>Whether any of this gateway's rules holds the condition raised: a gateway rule, or a point rule of one of its tags.</summary>
    public bool IsRaised(AlarmCondition condition)
    {
        if (IsActive(condition))
        {
            return true;
        }

        foreach (var tag in condition.Tags)
        {
            if (TryGetSensor(tag, out var sensor) && sensor.IsActive(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Sets a condition's raised state without a transition, to what the alarm journal knows (after a restart, the
    /// start-up replay or a reload): a condition restored active clears by its rule's usual logic, one restored
    /// inactive raises at the next reading in alarm. Reaches gateway rules and the point rules of the condition's
    /// tags. False when the condition is not one of this gateway's.
    /// </summary>
    public bool Restore(AlarmCondition condition, bool active)
    {
        foreach (var rule in _rules)
        {
            if (rule.Restore(condition, active))
            {
                return true;
            }
        }

        foreach (var tag in condition.Tags)
        {
            if (TryGetSensor(tag, out var sensor) && sensor.Restore(condition, active))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Marks a condition active without a transition (an alarm active before a restart or reload).</summary>
    public bool RestoreActive(AlarmCondition condition) => Restore(condition, true);

    internal void Observe(long timestampMs, long receivedAtMs)
    {
        if (!_anyReading || timestampMs > _latestEventMs)
        {
            if (!_anyReading)
            {
                _table.AnyReading = true;
                _table.FirstEventMs = timestampMs;
            }

            _anyReading = true;
            _latestEventMs = timestampMs;
            _latestReceivedAtMs = receivedAtMs;
            _table.LatestEventMs = timestampMs;
        }
    }

    public SiteConfiguration Site { get; }
    public string Enterprise => Site.Enterprise;
    public string Gateway { get; }
    public string Industry => Site.Industry;

    public IReadOnlyCollection<SensorRules> Sensors => _sensors.Values;

    /// <summary>Finds a configured point by its tag (ASCII, as decoded from the payload). Ordinal: tags are case-sensitive.</summary>
    public bool TryGetSensor(ReadOnlySpan<char> tag, out SensorRules sensor)
        => _sensorsBySpan.TryGetValue(tag, out sensor!);

    /// <summary>Finds a configured point by its tag.</summary>
    public bool TryGetSensor(string tag, out SensorRules sensor)
        => _sensors.TryGetValue(tag, out sensor!);
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
    private readonly int _index;
    private readonly SignalTable _table;
    private readonly GatewayRule[] _dependents;
    private long _lastEvaluatedMs;
    private bool _evaluatedAny;
    private long _lastBadMs;
    private bool _badAny;

    internal SensorRules(PointConfiguration point, CompiledRule[] rules, int index, SignalTable table, GatewayRule[] dependents)
    {
        Point = point;
        _rules = rules;
        _index = index;
        _table = table;
        _dependents = dependents;
        var conditions = new List<AlarmCondition>();
        foreach (var rule in rules)
        {
            conditions.AddRange(rule.Conditions);
        }

        _conditions = [.. conditions];
    }

    internal GatewayRules? Owner { get; set; }

    internal bool HasDelays => _rules.Any(r => r.HasDelays);

    /// <summary>
    /// Point rules' delays maturing on the gateway's timer. Only while the point's latest reading is good: a bad
    /// reading neither advances nor breaks a delay (as on readings), so a delay does not mature through it.
    /// </summary>
    internal void Mature(long nowMs, List<AlarmTransition> transitions)
    {
        if (!_evaluatedAny || _table.Bad[_index])
        {
            return;
        }

        foreach (var rule in _rules)
        {
            rule.Mature(nowMs, transitions);
        }
    }

    public PointConfiguration Point { get; }
    public string Tag => Point.Tag;
    public string? Unit => Point.Unit;
    public string? Equipment => Point.Equipment;

    /// <summary>The alarm conditions of the point's own (limit) rules, in evaluation order. Gateway rules that read this point are in <see cref="GatewayRules.GatewayConditions"/>.</summary>
    public IReadOnlyList<AlarmCondition> Conditions => _conditions;

    /// <summary>Timestamp of the last reading that went through the rules, or null before the first.</summary>
    public long? LastEvaluatedMs => _evaluatedAny ? _lastEvaluatedMs : null;

    /// <summary>
    /// Evaluates one reading in event time, assuming it arrived at its own timestamp (no clock skew). Prefer the
    /// overload with the arrival time when no-data rules exist.
    /// </summary>
    public EvaluationOutcome Evaluate(long timestampMs, double value, PointQuality quality, List<AlarmTransition> transitions)
        => Evaluate(timestampMs, value, quality, transitions, timestampMs);

    /// <summary>
    /// Evaluates one reading in event time. Transitions are appended to <paramref name="transitions"/>
    /// (a list the caller reuses). Allocates nothing when no transition happens.
    /// Booleans are evaluated as 1 (true) and 0 (false).
    /// </summary>
    /// <param name="receivedAtMs">Server time the reading arrived: what no-data rules compare with the timer's clock.</param>
    /// <remarks>
    /// Any reading, also a duplicate, a late one or a bad one, counts as data arriving (it clears a no-data alarm).
    /// Duplicate and late are decided before quality, against the last evaluated reading. A bad reading (or a
    /// NaN) does not touch process-rule state: it neither advances the last evaluated timestamp nor breaks an on-
    /// or off-delay being counted; it feeds sensor-health rules (bad quality for longer than T). Uncertain
    /// readings are evaluated like good ones. After the point's own rules, every gateway rule that reads this point
    /// is evaluated with the new value in the gateway's signal table.
    /// </remarks>
    public EvaluationOutcome Evaluate(long timestampMs, double value, PointQuality quality, List<AlarmTransition> transitions, long receivedAtMs)
    {
        Arrived(receivedAtMs, transitions);
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
            Bad(timestampMs, receivedAtMs, transitions);
            return EvaluationOutcome.SkippedBadQuality;
        }

        _lastEvaluatedMs = timestampMs;
        _evaluatedAny = true;
        foreach (var rule in _rules)
        {
            rule.Evaluate(timestampMs, value, transitions);
        }

        _table.Value[_index] = value;
        _table.ValueMs[_index] = timestampMs;
        _table.HasValue[_index] = true;
        _table.Bad[_index] = false;
        Owner?.Observe(timestampMs, receivedAtMs);
        foreach (var rule in _dependents)
        {
            rule.OnReading(_index, timestampMs, _table, transitions);
        }

        return EvaluationOutcome.Evaluated;
    }

    /// <summary>
    /// A bad-quality reading without a value (JSON null) arrived: data is flowing (clears no data) and the sensor is
    /// unhealthy (starts or continues a bad-quality run in event time). Process rules are untouched.
    /// </summary>
    public EvaluationOutcome EvaluateBadQuality(long timestampMs, long receivedAtMs, List<AlarmTransition> transitions)
    {
        Arrived(receivedAtMs, transitions);
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

        Bad(timestampMs, receivedAtMs, transitions);
        return EvaluationOutcome.SkippedBadQuality;
    }

    private void Arrived(long receivedAtMs, List<AlarmTransition> transitions)
    {
        _table.ReceivedAtMs[_index] = receivedAtMs;
        _table.Received[_index] = true;
        foreach (var rule in _dependents)
        {
            rule.OnArrival(_index, receivedAtMs, transitions);
        }
    }

    private void Bad(long timestampMs, long receivedAtMs, List<AlarmTransition> transitions)
    {
        // A repeated bad reading (same or older timestamp) must not restart or rewind a bad-quality run.
        if (_badAny && timestampMs <= _lastBadMs)
        {
            return;
        }

        _badAny = true;
        _lastBadMs = timestampMs;
        _table.Bad[_index] = true;
        Owner?.Observe(timestampMs, receivedAtMs);
        foreach (var rule in _dependents)
        {
            rule.OnBadQuality(_index, timestampMs, _table, transitions);
        }
    }

    /// <summary>Whether the condition (one of <see cref="Conditions"/>, or of a gateway rule reading this point) is currently raised.</summary>
    public bool IsActive(AlarmCondition condition)
    {
        foreach (var rule in _rules)
        {
            if (rule.IsActive(condition))
            {
                return true;
            }
        }

        foreach (var rule in _dependents)
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
    /// it then clears by the rule's usual clearing logic. Works for the point's own rules and for every gateway
    /// rule that reads this point (so calling it for each of a condition's tags is harmless).
    /// False when the condition is neither.
    /// </summary>
    public bool RestoreActive(AlarmCondition condition) => Restore(condition, true);

    /// <summary>As <see cref="RestoreActive"/>, to either state (see <see cref="GatewayRules.Restore"/>).</summary>
    public bool Restore(AlarmCondition condition, bool active)
    {
        foreach (var rule in _rules)
        {
            if (rule.Restore(condition, active))
            {
                return true;
            }
        }

        foreach (var rule in _dependents)
        {
            if (rule.Restore(condition, active))
            {
                return true;
            }
        }

        return false;
    }
}

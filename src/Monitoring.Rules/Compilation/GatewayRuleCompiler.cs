using System.Globalization;
using Monitoring.Contracts;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;
using Monitoring.Yaml;

namespace Monitoring.Rules.Compilation;

/// <summary>One typed rule to compile: a plain gateway rule, or one part of a preset instance.</summary>
internal sealed record RulePart(
    GatewayRuleConfiguration Spec,
    string Type,
    string StagePrefix,
    string? DefaultPriority,
    int? DefaultLevel,
    bool DefaultMajorHazard,
    string? DefaultClause,
    LocalizedText? DefaultCondition);

/// <summary>Compiles typed gateway rules; every problem is reported with file and line, the rule is then skipped.</summary>
internal sealed class GatewayRuleCompiler(
    SiteConfiguration site,
    GatewayConfiguration gateway,
    Dictionary<string, int> tagIndex,
    IReadOnlyList<PointConfiguration> points,
    SignalTable table,
    List<ConfigurationError> errors)
{
    private readonly HashSet<string> _usedParameters = new(StringComparer.Ordinal);
    private readonly HashSet<string> _usedRoles = new(StringComparer.Ordinal);
    private RulePart _part = null!;
    private int _errorsBefore;

    public List<AlarmCondition> StaticViolations { get; } = [];

    /// <summary>
    /// Every gate signal of the gateway's rules, with the stale time its MODE_SIGNAL_UNAVAILABLE diagnostic uses: the
    /// shortest non-zero <c>gateStaleAfter</c> of the rules gated on it (the first rule it re-arms), 0 when all are 0.
    /// </summary>
    public Dictionary<int, long> GateSignals { get; } = [];

    public void Error(SourceMark mark, string message) => errors.Add(new ConfigurationError(site.SourceFile, mark.Line, mark.Column, message));

    /// <summary>Compiles one part; null (with errors reported) when it is invalid.</summary>
    public List<GatewayRule>? Compile(RulePart part, List<AlarmCondition> conditions)
    {
        _part = part;
        _usedParameters.Clear();
        _usedRoles.Clear();
        _errorsBefore = errors.Count;
        var spec = part.Spec;
        if (!RuleTypes.All.Contains(part.Type, StringComparer.Ordinal))
        {
            Error(spec.Location, $"rule '{spec.Id}': unknown rule type '{part.Type}': expected one of {string.Join(", ", RuleTypes.All)}");
            return null;
        }

        var gate = Gate();
        var rules = new List<GatewayRule>(2);
        var own = new List<AlarmCondition>();
        switch (part.Type)
        {
            case RuleTypes.Limit:
                {
                    var value = Signal("value", required: true);
                    var stages = Stages(own, UnitOf(value), 1, true);
                    if (value >= 0 && stages is not null)
                    {
                        rules.Add(new ValueRule(stages, Deps([value], gate), gate, Deadband(), Delay("onDelay"), Delay("offDelay"), null));
                    }

                    break;
                }

            case RuleTypes.State:
                {
                    var value = Signal("value", required: true);
                    var expected = Number("expected") ?? 1;
                    var condition = Single(own, "STATE", 2, 0.5, null, $"≠ {F(expected)}", "状态异常", "state not as required");
                    if (value >= 0)
                    {
                        rules.Add(new ValueRule([new StageSpec(condition, 0.5, true)], Deps([value], gate), gate, 0, Delay("onDelay"), Delay("offDelay"), expected));
                    }

                    break;
                }

            case RuleTypes.Difference:
            case RuleTypes.Ratio:
                {
                    var a = Signal("a", required: true);
                    var b = Signal("b", required: true);
                    var ratio = part.Type == RuleTypes.Ratio;
                    var percent = !ratio && (Boolean("percent") ?? false);
                    var stages = Stages(own, ratio ? null : percent ? "%" : UnitOf(a), 1, true);
                    if (a >= 0 && b >= 0 && stages is not null)
                    {
                        rules.Add(new TwoSignalRule(stages, Deps([a, b], gate), gate, Deadband(), Delay("onDelay"), Delay("offDelay"), ratio, percent));
                    }

                    break;
                }

            case RuleTypes.Deviation:
                {
                    var value = Signal("value", required: true);
                    var reset = Signal("reset", required: false);
                    var reference = Number("reference");
                    var learnFor = Duration("learnFor");
                    if (reference is null && reset < 0)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': a deviation needs a 'reference' parameter or a 'reset' signal that starts learning a baseline");
                    }

                    if (reset >= 0 && learnFor is null)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': missing parameter 'learnFor' (how long the baseline is learnt after the reset signal rises)");
                    }

                    if (reference is 0)
                    {
                        Error(Location("reference"), $"rule '{spec.Id}': 'reference' must not be 0");
                    }

                    // A configured reference turns the percentages into values in the point's unit; a learnt one cannot.
                    var stages = Stages(own, reference is null ? "% of baseline" : UnitOf(value), 1, true, reference is { } r ? p => p * r / 100 : null);
                    if (value >= 0 && stages is not null)
                    {
                        var deps = reset >= 0 ? Deps([value, reset], gate) : Deps([value], gate);
                        rules.Add(new DeviationRule(stages, deps, gate, Deadband(), Delay("onDelay"), Delay("offDelay"), reference, reset, Ms(learnFor ?? TimeSpan.Zero)));
                    }

                    break;
                }

            case RuleTypes.RateOfChange:
                {
                    var value = Signal("value", required: true);
                    var window = Ms(RequiredDuration("window") ?? TimeSpan.Zero);
                    var samples = (int)(Number("samples") ?? 256);
                    var on = Delay("onDelay");
                    var off = Delay("offDelay");
                    var unit = UnitOf(value);
                    var any = false;
                    foreach (var (name, stage, rise, percent, zh, en) in new[]
                    {
                        ("fallPercent", "FALL", false, true, "突降", "sudden fall"),
                        ("risePercent", "RISE", true, true, "突升", "sudden rise"),
                        ("fallRate", "FALL_RATE", false, false, "下降过快", "falling too fast"),
                        ("riseRate", "RISE_RATE", true, false, "上升过快", "rising too fast"),
                    })
                    {
                        if (Number(name) is not { } limit)
                        {
                            continue;
                        }

                        any = true;
                        if (!(limit > 0))
                        {
                            Error(Location(name), $"rule '{spec.Id}': '{name}' must be above 0");
                        }

                        var shownUnit = percent ? "%" : (unit ?? "") + "/s";
                        var condition = Single(own, stage, 2, limit, shownUnit, string.Create(CultureInfo.InvariantCulture, $"≥ {limit} {shownUnit} within {window / 1000d} s"), zh, en);
                        if (value >= 0 && window > 0)
                        {
                            rules.Add(new RateOfChangeRule([new StageSpec(condition, limit, true)], Deps([value], gate), gate, on, off, window, rise, percent, Math.Max(2, samples)));
                        }
                    }

                    if (!any)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': a rate of change needs at least one of fallPercent, risePercent, fallRate, riseRate");
                    }

                    if (samples < 2)
                    {
                        Error(Location("samples"), $"rule '{spec.Id}': 'samples' must be at least 2");
                    }

                    break;
                }

            case RuleTypes.CountInWindow:
                {
                    var value = Signal("value", required: true);
                    var window = Ms(RequiredDuration("window") ?? TimeSpan.Zero);
                    var count = RequiredNumber("count") ?? 1;
                    var samples = (int)(Number("samples") ?? 256);
                    if (!(count >= 1))
                    {
                        Error(Location("count"), $"rule '{spec.Id}': 'count' must be at least 1");
                    }

                    var condition = Single(own, "COUNT", 1, count, null, string.Create(CultureInfo.InvariantCulture, $"≥ {count} in {window / 1000d} s"), "计数超限", "too many events");
                    if (value >= 0 && window > 0)
                    {
                        rules.Add(new CountInWindowRule([new StageSpec(condition, count, true)], Deps([value], gate), gate, Delay("offDelay"), window, Boolean("counter") ?? false, Math.Max(2, samples)));
                    }

                    break;
                }

            case RuleTypes.Voting:
                {
                    var inputs = new List<int>();
                    foreach (var role in RuleTypes.Roles(RuleTypes.Voting))
                    {
                        if (Signal(role, required: false) is var s and >= 0)
                        {
                            inputs.Add(s);
                        }
                    }

                    var setpoint = RequiredNumber("setpoint") ?? 0;
                    var votes = RequiredNumber("votes") ?? 1;
                    if (inputs.Count < 2)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': voting needs at least two inputs (input1, input2, ...)");
                    }

                    if (!(votes >= 1) || votes > inputs.Count || votes != Math.Floor(votes))
                    {
                        Error(Location("votes"), $"rule '{spec.Id}': 'votes' must be a whole number from 1 to the number of inputs ({inputs.Count})");
                    }

                    var unit = inputs.Count > 0 ? UnitOf(inputs[0]) : null;
                    var condition = Single(own, "VOTE", 2, setpoint, unit, string.Create(CultureInfo.InvariantCulture, $"{votes}oo{inputs.Count} ≥ {setpoint} {unit}"), "表决报警", "voted alarm");
                    if (inputs.Count >= 2)
                    {
                        rules.Add(new VotingRule([new StageSpec(condition, votes, true)], Deps([.. inputs], gate), inputs.Count, gate, 0, Delay("onDelay"), Delay("offDelay"), setpoint));
                    }

                    break;
                }

            case RuleTypes.CauseEffect:
                {
                    var cause = Signal("cause", required: true);
                    var effects = new List<int>();
                    foreach (var role in RuleTypes.Roles(RuleTypes.CauseEffect).Skip(1))
                    {
                        if (Signal(role, required: false) is var s and >= 0)
                        {
                            effects.Add(s);
                        }
                    }

                    if (effects.Count == 0)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': a cause-effect rule needs at least one effect signal (effect1, ...)");
                    }

                    var within = Ms(RequiredDuration("within") ?? TimeSpan.Zero);
                    var condition = Single(own, "NOT_EXECUTED", 2, within / 1000d, "s", string.Create(CultureInfo.InvariantCulture, $"not confirmed within {within / 1000d} s"), "联锁动作未在规定时间内确认", "expected action not confirmed in time");
                    if (cause >= 0 && effects.Count > 0)
                    {
                        rules.Add(new CauseEffectRule(condition, Deps([cause, .. effects], gate), effects.Count, gate, within, Number("causeAbove") ?? (Number("causeBelow") is null ? 0.5 : double.PositiveInfinity), Number("causeBelow") ?? double.NegativeInfinity, Number("effectAbove") ?? 0.5, Boolean("latch") ?? false));
                    }

                    break;
                }

            case RuleTypes.NoData:
                {
                    var value = Signal("value", required: true);
                    var timeout = Duration("timeout");
                    var period = Duration("period");
                    var minimum = Duration("minimum") ?? TimeSpan.FromSeconds(60);
                    if (timeout is null && period is null)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': missing parameter 'timeout' or 'period' (no data after max(3 × period, minimum))");
                    }

                    var ms = Ms(timeout ?? TimeSpan.FromTicks(Math.Max(3 * (period ?? TimeSpan.Zero).Ticks, minimum.Ticks)));
                    if (gate is not null)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': no-data rules cannot be gated: a silent gateway sends no mode either");
                    }

                    var condition = Single(own, "NO_DATA", 1, ms / 1000d, "s", string.Create(CultureInfo.InvariantCulture, $"no data for {ms / 1000d} s"), "数据中断", "no data");
                    if (value >= 0 && ms > 0)
                    {
                        rules.Add(new NoDataRule(condition, [value], ms, table));
                    }

                    break;
                }

            case RuleTypes.SensorHealth:
                {
                    var value = Signal("value", required: true);
                    var badFor = Duration("badFor");
                    var low = Number("rangeLow");
                    var high = Number("rangeHigh");
                    var flatFor = Duration("flatFor");
                    var tolerance = Number("flatTolerance") ?? 0;
                    if ((low is null) != (high is null) || low >= high)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': inconsistent limits: give both rangeLow and rangeHigh, with rangeLow < rangeHigh");
                    }

                    if (badFor is null && low is null && flatFor is null)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': sensor health needs at least one of badFor, rangeLow/rangeHigh, flatFor");
                    }

                    var unit = UnitOf(value);
                    var bad = badFor is { } b ? Single(own, "BAD_QUALITY", 1, b.TotalSeconds, "s", string.Create(CultureInfo.InvariantCulture, $"bad quality for {b.TotalSeconds} s"), "测点质量坏", "bad quality") : null;
                    var range = low is { } lo && high is { } hi ? Single(own, "OUT_OF_RANGE", 1, null, unit, string.Create(CultureInfo.InvariantCulture, $"outside {lo}..{hi} {unit}"), "超出仪表量程", "outside instrument range") : null;
                    var flat = flatFor is { } f ? Single(own, "FLATLINE", 1, f.TotalSeconds, "s", string.Create(CultureInfo.InvariantCulture, $"unchanged for {f.TotalSeconds} s"), "数值冻结", "flat line") : null;
                    if (value >= 0 && (bad ?? range ?? flat) is not null)
                    {
                        rules.Add(new SensorHealthRule(bad, range, flat, Deps([value], gate), gate, Ms(badFor ?? TimeSpan.Zero), low ?? 0, high ?? 0, Ms(flatFor ?? TimeSpan.Zero), tolerance));
                    }

                    break;
                }

            case RuleTypes.SetpointCheck:
                {
                    var setpoint = RequiredNumber("setpoint");
                    var maximum = Number("maximum");
                    var minimum = Number("minimum");
                    if (maximum is null && minimum is null)
                    {
                        Error(spec.Location, $"rule '{spec.Id}': a setpoint check needs 'maximum' or 'minimum'");
                    }

                    var bound = maximum is { } mx ? $"≤ {F(mx)}" : $"≥ {F(minimum ?? 0)}";
                    var condition = Single(own, "STATIC", 2, maximum ?? minimum, null, $"setpoint {F(setpoint ?? 0)} must be {bound}", "设定值超出设计限值", "setpoint beyond design limit");
                    if (setpoint is { } sp && (sp > (maximum ?? double.PositiveInfinity) || sp < (minimum ?? double.NegativeInfinity)))
                    {
                        StaticViolations.Add(condition);
                    }

                    break;
                }
        }

        foreach (var (name, value) in spec.Parameters)
        {
            if (!_usedParameters.Contains(name))
            {
                Error(value.Location, $"rule '{spec.Id}': unknown parameter '{name}' for rule type '{part.Type}': expected one of {string.Join(", ", RuleTypes.Parameters(part.Type))}");
            }
        }

        foreach (var (role, tag) in spec.Signals)
        {
            if (!_usedRoles.Contains(role))
            {
                Error(tag.Location, $"rule '{spec.Id}': unknown signal role '{role}' for rule type '{part.Type}': expected one of {string.Join(", ", RuleTypes.Roles(part.Type))} or a role named in armedWhen");
            }
        }

        if (errors.Count != _errorsBefore)
        {
            return null;
        }

        conditions.AddRange(own);
        return rules;
    }

    /// <summary>Rounded up: an on-delay of 0.5 ms must still wait, not fire at once.</summary>
    internal static long Ms(TimeSpan t) => (long)Math.Ceiling(t.TotalMilliseconds);

    private static string F(double v) => v.ToString(CultureInfo.InvariantCulture);

    private static int[] Deps(int[] own, ModeGate? gate)
    {
        if (gate is null)
        {
            return own;
        }

        var all = new List<int>(own);
        foreach (var s in gate.Signals)
        {
            if (!all.Contains(s))
            {
                all.Add(s);
            }
        }

        return [.. all];
    }

    private ModeGate? Gate()
    {
        var spec = _part.Spec;
        if (spec.ArmedWhen.Count == 0)
        {
            return null;
        }

        var signals = new List<int>();
        var thresholds = new List<double>();
        foreach (var (role, threshold) in spec.ArmedWhen)
        {
            _usedRoles.Add(role);
            if (!spec.Signals.TryGetValue(role, out var tag))
            {
                Error(threshold.Location, $"rule '{spec.Id}': armedWhen names '{role}', which is not one of the rule's signals");
                continue;
            }

            if (!double.TryParse(threshold.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
            {
                Error(threshold.Location, $"rule '{spec.Id}': armedWhen.{role} must be a finite number (armed while the signal is at least it), not '{threshold.Text}'");
                continue;
            }

            if (Resolve(tag) is var index and >= 0)
            {
                signals.Add(index);
                thresholds.Add(value);
            }
        }

        var staleAfter = spec.GateStaleAfter is { } given ? Ms(given) : ModeGate.DefaultStaleAfterMs;
        foreach (var signal in signals)
        {
            GateSignals[signal] = GateSignals.TryGetValue(signal, out var known) && (staleAfter == 0 || (known > 0 && known < staleAfter))
                ? known
                : staleAfter;
        }

        return new ModeGate([.. signals], [.. thresholds], staleAfter);
    }

    private int Resolve(LocatedText tag)
    {
        if (tagIndex.TryGetValue(tag.Text, out var index))
        {
            return index;
        }

        Error(tag.Location, $"rule '{_part.Spec.Id}': unknown tag '{tag.Text}': not a configured point of gateway '{gateway.Id}'");
        return -1;
    }

    private int Signal(string role, bool required)
    {
        _usedRoles.Add(role);
        if (!_part.Spec.Signals.TryGetValue(role, out var tag))
        {
            if (required)
            {
                Error(_part.Spec.Location, $"rule '{_part.Spec.Id}': missing signal '{role}' for rule type '{_part.Type}'");
            }

            return -1;
        }

        return Resolve(tag);
    }

    private string? UnitOf(int signal) => signal >= 0 ? points[signal].Unit : null;

    private SourceMark Location(string parameter)
        => _part.Spec.Parameters.TryGetValue(parameter, out var value) ? value.Location : _part.Spec.Location;

    private string? Text(string parameter)
    {
        _usedParameters.Add(parameter);
        return _part.Spec.Parameters.TryGetValue(parameter, out var value) ? value.Text : null;
    }

    private double? Number(string parameter)
    {
        if (Text(parameter) is not { } text)
        {
            return null;
        }

        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(Location(parameter), $"rule '{_part.Spec.Id}': '{parameter}' must be a finite number, not '{text}'");
            return null;
        }

        return value;
    }

    private double? RequiredNumber(string parameter)
    {
        if (!_part.Spec.Parameters.ContainsKey(parameter))
        {
            _usedParameters.Add(parameter);
            Error(_part.Spec.Location, $"rule '{_part.Spec.Id}': missing parameter '{parameter}'");
            return null;
        }

        return Number(parameter);
    }

    private TimeSpan? Duration(string parameter)
    {
        if (Text(parameter) is not { } text)
        {
            return null;
        }

        if (!YamlDurations.TryParse(text, out var duration) || duration < TimeSpan.Zero)
        {
            Error(Location(parameter), $"rule '{_part.Spec.Id}': '{parameter}' is not a duration >= 0: '{text}' (expected e.g. 500ms, 2s, 1m)");
            return null;
        }

        return duration;
    }

    private TimeSpan? RequiredDuration(string parameter)
    {
        if (!_part.Spec.Parameters.ContainsKey(parameter))
        {
            _usedParameters.Add(parameter);
            Error(_part.Spec.Location, $"rule '{_part.Spec.Id}': missing parameter '{parameter}'");
            return null;
        }

        var value = Duration(parameter);
        if (value is { } d && d <= TimeSpan.Zero)
        {
            Error(Location(parameter), $"rule '{_part.Spec.Id}': '{parameter}' must be above 0");
        }

        return value;
    }

    private bool? Boolean(string parameter) => Text(parameter) switch
    {
        null => null,
        "true" => true,
        "false" => false,
        var text => ErrorBoolean(parameter, text),
    };

    private bool? ErrorBoolean(string parameter, string text)
    {
        Error(Location(parameter), $"rule '{_part.Spec.Id}': '{parameter}' must be true or false, not '{text}'");
        return null;
    }

    private double Deadband()
    {
        var deadband = Number("deadband") ?? 0;
        if (deadband < 0)
        {
            Error(Location("deadband"), $"rule '{_part.Spec.Id}': deadband must be >= 0");
        }

        return deadband;
    }

    private long Delay(string parameter) => Ms(Duration(parameter) ?? TimeSpan.Zero);

    /// <summary>HH/H/L/LL stages from the hh, h, l, ll parameters; they must be strictly ordered.</summary>
    private StageSpec[]? Stages(List<AlarmCondition> own, string? unit, int firstLevel, bool required, Func<double, double>? shownLimit = null)
    {
        _ = firstLevel;
        var given = new List<(string Name, string Stage, double Value, bool High, int Level)>(4);
        foreach (var (name, stage, high, level) in new[] { ("h", "H", true, 1), ("hh", "HH", true, 2), ("l", "L", false, 1), ("ll", "LL", false, 2) })
        {
            if (Number(name) is { } value)
            {
                given.Add((name, stage, value, high, level));
            }
        }

        if (given.Count == 0)
        {
            if (required)
            {
                Error(_part.Spec.Location, $"rule '{_part.Spec.Id}': no limits: give at least one of hh, h, l, ll");
            }

            return null;
        }

        // Strictly ordered, or a second-level stage could fire before its first-level one.
        string? previousName = null;
        var previous = double.NegativeInfinity;
        foreach (var name in new[] { "ll", "l", "h", "hh" })
        {
            foreach (var g in given)
            {
                if (g.Name != name)
                {
                    continue;
                }

                if (previousName is not null && !(previous < g.Value))
                {
                    Error(Location(name), string.Create(CultureInfo.InvariantCulture,
                        $"rule '{_part.Spec.Id}': inconsistent limits: {previousName} ({previous}) must be below {name} ({g.Value}); the order must be ll < l < h < hh"));
                }

                previousName = name;
                previous = g.Value;
            }
        }

        var stages = new StageSpec[given.Count];
        for (var i = 0; i < given.Count; i++)
        {
            var g = given[i];
            var limit = shownLimit?.Invoke(g.Value) ?? g.Value;
            var (zh, en) = LimitStages.Words(g.Stage);
            var bound = LimitStages.Bound(g.Stage, limit, unit);
            stages[i] = new StageSpec(Condition(own, g.Stage, g.Level, limit, unit, bound, zh, en, stageFixedLevel: true), g.Value, g.High);
        }

        return stages;
    }

    private AlarmCondition Single(List<AlarmCondition> own, string stage, int defaultLevel, double? limit, string? unit, string bound, string zh, string en)
        => Condition(own, stage, defaultLevel, limit, unit, bound, zh, en, stageFixedLevel: false);

    private AlarmCondition Condition(List<AlarmCondition> own, string stage, int level, double? limit, string? unit, string bound, string zh, string en, bool stageFixedLevel)
    {
        var spec = _part.Spec;
        var tags = new List<string>();
        foreach (var role in RuleTypes.Roles(_part.Type))
        {
            if (spec.Signals.TryGetValue(role, out var tag) && !tags.Contains(tag.Text))
            {
                tags.Add(tag.Text);
            }
        }

        var effectiveLevel = stageFixedLevel ? level : spec.Level ?? _part.DefaultLevel ?? level;
        var fullStage = _part.StagePrefix + stage;
        var equipment = spec.Equipment;
        if (equipment is null && tags.Count > 0 && tagIndex.TryGetValue(tags[0], out var first))
        {
            equipment = points[first].Equipment;
        }

        var text = spec.Condition ?? _part.DefaultCondition;
        var condition = new AlarmCondition
        {
            Key = $"{site.Enterprise}/{gateway.Id}/{(tags.Count > 0 ? tags[0] : "@config")}/{spec.Id}/{fullStage}",
            RuleId = spec.Id,
            RuleVersion = spec.Version,
            Enterprise = site.Enterprise,
            Gateway = gateway.Id,
            Tags = [.. tags],
            Equipment = equipment,
            Industry = site.Industry,
            Priority = spec.Priority ?? _part.DefaultPriority ?? (effectiveLevel == 2 ? AlarmPriorities.High : AlarmPriorities.Medium),
            Level = effectiveLevel,
            MajorHazard = spec.MajorHazard ?? _part.DefaultMajorHazard,
            Latching = spec.Latch,
            Clause = spec.Clause ?? _part.DefaultClause,
            Limit = limit,
            Unit = unit,
            Description = text is { } t
                ? new LocalizedText($"{t.Zh} ({zh}, {bound})", $"{t.En} ({en}, {bound})")
                : new LocalizedText($"{spec.Id} {zh} ({bound})", $"{spec.Id} {en} ({bound})"),
            Stage = fullStage,
        };
        own.Add(condition);
        return condition;
    }
}

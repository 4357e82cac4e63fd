using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;

namespace Monitoring.Benchmarks;

/// <summary>The rule kinds measured one at a time (docs/rules.md, rule types).</summary>
public enum RuleKind
{
    Limit,
    RateOfChange,
    Difference,
    Ratio,
    Deviation,
    Baseline,
    State,
    CauseEffect,
    NoData,
    SensorHealth,
    CountInWindow,
    Voting,
    ModeGating,
}

/// <summary>
/// Each rule kind alone, so that a regression (time or allocation) points at one kind: one gateway with ten
/// instances of the rule, each on its own points, fed round-robin with quiet values (the common case) in which
/// every rule is armed and computes its derived number; the gateway is ticked once per 1 000 readings (10 s of
/// event time), as in the plant mix. Figures are per reading (OperationsPerInvoke).
/// <c>Limit</c> is a point rule; <c>ModeGating</c> is a gateway limit gated on two signals (casting and cast length);
/// <c>Baseline</c> is a deviation from a baseline learnt after a reset, the others as their type word.
/// </summary>
[MemoryDiagnoser]
public class RuleKindBenchmarks
{
    private const int Instances = 10;
    private const int Readings = 4_000;
    private const long T0 = 1_763_800_000_000;

    private readonly List<AlarmTransition> _transitions = new(64);
    private GatewayRules _gateway = null!;
    private SensorRules[] _sensors = [];
    private double[] _values = [];
    private long _timestampMs = T0;

    [Params(RuleKind.Limit, RuleKind.RateOfChange, RuleKind.Difference, RuleKind.Ratio, RuleKind.Deviation, RuleKind.Baseline, RuleKind.State,
        RuleKind.CauseEffect, RuleKind.NoData, RuleKind.SensorHealth, RuleKind.CountInWindow, RuleKind.Voting, RuleKind.ModeGating)]
    public RuleKind Kind { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var (suffixes, rule) = Define(Kind);
        var yaml = new StringBuilder("enterprise: BENCH\nindustry: steel\ngateways:\n  - id: gw01\n    points:\n");
        var slots = new List<string>();
        for (var n = 0; n < Instances; n++)
        {
            foreach (var suffix in suffixes)
            {
                var tag = string.Create(CultureInfo.InvariantCulture, $"K{n}.{suffix}");
                slots.Add(tag);
                yaml.Append("      - tag: ").Append(tag).Append('\n');
                if (Kind == RuleKind.Limit)
                {
                    yaml.Append("        rules:\n          - { id: R, type: limit, ll: 10, l: 20, h: 80, hh: 90, deadband: 1, onDelay: 2s, offDelay: 2s }\n");
                }
            }
        }

        if (rule is not null)
        {
            yaml.Append("    rules:\n");
            for (var n = 0; n < Instances; n++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"      - id: R{n}\n").Append(rule.Replace("{n}", n.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal));
            }
        }

        var parsed = SiteConfigurationParser.Parse(yaml.ToString(), "bench.yaml");
        if (parsed.Site is null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, parsed.Errors));
        }

        var ruleSet = RuleCompiler.Compile([parsed.Site]).RuleSet ?? throw new InvalidOperationException("benchmark site does not compile");
        _gateway = ruleSet.FindGateway("BENCH", "gw01")!;
        _sensors = new SensorRules[slots.Count];
        for (var i = 0; i < slots.Count; i++)
        {
            if (!_gateway.TryGetSensor(slots[i], out _sensors[i]))
            {
                throw new InvalidOperationException($"benchmark sensor {slots[i]} missing");
            }
        }

        var random = new Random(42);
        _values = new double[Readings];
        for (var i = 0; i < Readings; i++)
        {
            var slot = slots[i % slots.Count];
            _values[i] = Value(slot[(slot.IndexOf('.', StringComparison.Ordinal) + 1)..], i, 45 + (random.NextDouble() * 10));
        }

        if (Kind == RuleKind.Baseline)
        {
            // A bag change on every instance: the baseline is then learnt from the quiet stream below (5 s), so
            // the measured readings are compared with a learnt reference rather than skipped.
            foreach (var sensor in _sensors)
            {
                if (sensor.Tag.EndsWith(".RST", StringComparison.Ordinal))
                {
                    sensor.Evaluate(_timestampMs, 1, PointQuality.Good, _transitions, _timestampMs);
                }
            }
        }

        // Two passes settle windows, learnt baselines and the first tick before anything is measured.
        Feed();
        Feed();
        if (Feed() != 0)
        {
            throw new InvalidOperationException($"the quiet {Kind} stream raised or cleared alarms: not the case this benchmark measures");
        }
    }

    [Benchmark(OperationsPerInvoke = Readings)]
    public int Reading() => Feed();

    private int Feed()
    {
        var count = 0;
        var sensors = _sensors;
        var values = _values;
        for (var i = 0; i < values.Length; i++)
        {
            _timestampMs += 10;
            _transitions.Clear();
            sensors[i % sensors.Length].Evaluate(_timestampMs, values[i], PointQuality.Good, _transitions, _timestampMs);
            if (i % 1_000 == 0)
            {
                _gateway.Tick(_timestampMs, _transitions);
            }

            count += _transitions.Count;
        }

        return count;
    }

    /// <summary>The points of one instance (tag suffixes) and its gateway rule after <c>- id:</c> ({n} = instance), null for a point rule.</summary>
    private static (string[] Suffixes, string? Rule) Define(RuleKind kind) => kind switch
    {
        RuleKind.Limit => (["V"], null),
        RuleKind.RateOfChange => (["V"], Rule("rateOfChange", "value: K{n}.V", "window: 2s, fallPercent: 20")),
        RuleKind.Difference => (["A", "B"], Rule("difference", "a: K{n}.A, b: K{n}.B", "hh: 30, h: 20, l: -20, ll: -30, deadband: 1, onDelay: 2s")),
        RuleKind.Ratio => (["A", "B"], Rule("ratio", "a: K{n}.A, b: K{n}.B", "hh: 2, h: 1.5, l: 0.67, ll: 0.5, deadband: 0.01, onDelay: 2s")),
        RuleKind.Deviation => (["V"], Rule("deviation", "value: K{n}.V", "reference: 50, hh: 140, h: 120, l: 80, ll: 60, deadband: 1")),
        RuleKind.Baseline => (["V", "RST"], Rule("deviation", "value: K{n}.V, reset: K{n}.RST", "learnFor: 5s, h: 120, l: 80, deadband: 1")),
        RuleKind.State => (["IL", "RUN"], Rule("state", "value: K{n}.IL, running: K{n}.RUN", "expected: 1, onDelay: 1s", "running: 1")),
        RuleKind.CauseEffect => (["TR", "CV"], Rule("causeEffect", "cause: K{n}.TR, effect1: K{n}.CV", "within: 3s")),
        RuleKind.NoData => (["V"], Rule("noData", "value: K{n}.V", "timeout: 30s")),
        RuleKind.SensorHealth => (["V", "RUN"], Rule("sensorHealth", "value: K{n}.V, running: K{n}.RUN", "badFor: 10s, rangeLow: 0, rangeHigh: 100, flatFor: 5m, flatTolerance: 0.001", "running: 1")),
        RuleKind.CountInWindow => (["SP"], Rule("countInWindow", "value: K{n}.SP", "window: 60s, count: 3")),
        RuleKind.Voting => (["CO1", "CO2", "CO3"], Rule("voting", "input1: K{n}.CO1, input2: K{n}.CO2, input3: K{n}.CO3", "setpoint: 24, votes: 2, onDelay: 1s")),
        RuleKind.ModeGating => (["V", "CS", "CL"], Rule("limit", "value: K{n}.V, casting: K{n}.CS, castLength: K{n}.CL", "ll: 10, l: 20, h: 80, hh: 90, deadband: 1, onDelay: 2s", "casting: 1, castLength: 300")),
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    private static string Rule(string type, string signals, string parameters, string? armedWhen = null)
        => $"        type: {type}\n        signals: {{ {signals} }}\n        parameters: {{ {parameters} }}\n"
            + (armedWhen is null ? "" : $"        armedWhen: {{ {armedWhen} }}\n");

    /// <summary>Quiet values: bits that arm gates read 1, a trip is answered by its valve, sparks are rare (never 3 in a window).</summary>
    private static double Value(string suffix, int i, double quiet) => suffix switch
    {
        "RUN" or "CS" or "IL" or "TR" or "CV" => 1,
        "CL" => 400,
        "RST" => 0,
        "SP" => i % 997 == 0 ? 1 : 0,
        "CO1" or "CO2" or "CO3" => quiet / 9,
        _ => quiet,
    };
}

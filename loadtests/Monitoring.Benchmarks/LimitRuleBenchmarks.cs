using BenchmarkDotNet.Attributes;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;

namespace Monitoring.Benchmarks;

/// <summary>
/// One sensor with a four-stage limit rule (LL 10, L 20, H 80, HH 90, deadband 1) fed a stream of readings.
/// Quiet: values stay normal, the common case, which must not allocate. Alarming: values sweep across all four
/// stages, so most readings raise or clear something (into a reused, pre-sized list).
/// </summary>
[MemoryDiagnoser]
public class LimitRuleBenchmarks
{
    private const int Readings = 1_000;
    private const long T0 = 1_763_800_000_000;

    private readonly List<AlarmTransition> _transitions = new(16);
    private double[] _quiet = [];
    private double[] _alarming = [];
    private SensorRules _sensor = null!;
    private long _timestampMs;

    [GlobalSetup]
    public void Setup()
    {
        var rule = new LimitRuleConfiguration { Id = "R1", LowLow = 10, Low = 20, High = 80, HighHigh = 90, Deadband = 1 };
        var site = new SiteConfiguration
        {
            SourceFile = "bench.yaml",
            Enterprise = "E1",
            Industry = "steel",
            Gateways = [new GatewayConfiguration { Id = "gw01", Points = [new PointConfiguration { Tag = "T.1", Rules = [rule] }] }],
        };
        var ruleSet = RuleCompiler.Compile([site]).RuleSet ?? throw new InvalidOperationException("benchmark site does not compile");
        if (!ruleSet.FindGateway("E1", "gw01")!.TryGetSensor("T.1", out _sensor))
        {
            throw new InvalidOperationException("benchmark sensor missing");
        }

        var random = new Random(42);
        _quiet = new double[Readings];
        _alarming = new double[Readings];
        double[] sweep = [50, 85, 95, 50, 15, 5, 50];
        for (var i = 0; i < Readings; i++)
        {
            _quiet[i] = 30 + (random.NextDouble() * 40);
            _alarming[i] = sweep[i % sweep.Length];
        }

        _timestampMs = T0;
    }

    [Benchmark(OperationsPerInvoke = Readings)]
    public int NoTransition() => Feed(_quiet);

    [Benchmark(OperationsPerInvoke = Readings)]
    public int WithTransitions() => Feed(_alarming);

    private int Feed(double[] values)
    {
        var count = 0;
        foreach (var value in values)
        {
            _transitions.Clear();
            _timestampMs += 100;
            _sensor.Evaluate(_timestampMs, value, PointQuality.Good, _transitions);
            count += _transitions.Count;
        }

        return count;
    }
}

using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;

namespace Monitoring.Benchmarks;

/// <summary>
/// The timer side of no data: a gateway of 200 points, each with a no-data rule, ticked while every point is
/// still fresh (the common case: the tick finds nothing overdue). Runs for every gateway on every timer round,
/// with or without readings, so it must not allocate. Reported per point checked (OperationsPerInvoke).
/// </summary>
[MemoryDiagnoser]
public class NoDataTickBenchmarks
{
    private const int Points = 200;
    private const long T0 = 1_763_800_000_000;

    private readonly List<AlarmTransition> _transitions = new(Points);
    private GatewayRules _gateway = null!;

    [GlobalSetup]
    public void Setup()
    {
        var yaml = new StringBuilder("enterprise: BENCH\nindustry: steel\ngateways:\n  - id: gw01\n    points:\n");
        for (var i = 0; i < Points; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"      - tag: P{i}\n");
        }

        yaml.Append("    rules:\n");
        for (var i = 0; i < Points; i++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"      - id: ND{i}\n        type: noData\n        signals: {{ value: P{i} }}\n        parameters: {{ timeout: 30s }}\n");
        }

        var parsed = SiteConfigurationParser.Parse(yaml.ToString(), "bench.yaml");
        if (parsed.Site is null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, parsed.Errors));
        }

        var ruleSet = RuleCompiler.Compile([parsed.Site]).RuleSet ?? throw new InvalidOperationException("benchmark site does not compile");
        _gateway = ruleSet.FindGateway("BENCH", "gw01")!;
        foreach (var sensor in _gateway.Sensors)
        {
            sensor.Evaluate(T0, 50, PointQuality.Good, _transitions, T0);
        }

        if (Tick() != 0)
        {
            throw new InvalidOperationException("a fresh gateway reported no data: not the case this benchmark measures");
        }
    }

    [Benchmark(OperationsPerInvoke = Points)]
    public int Tick()
    {
        _transitions.Clear();

        // Always 1 s after the readings: time does not advance, so the points never become overdue.
        _gateway.Tick(T0 + 1_000, _transitions);
        return _transitions.Count;
    }
}

using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;

namespace Monitoring.Benchmarks;

/// <summary>
/// A realistic plant mix: 20 gateways, each with 42 points: 24 with point limit rules only, and 18 read by
/// gateway rules of every kind (presets: CO voting, lance flow difference, mould water deviation and sudden
/// drop with casting gating, launder level, actuation verification, no data, sensor health, baseline
/// deviation, spark count; and an air/fuel ratio, the one kind no preset uses). Readings go round-robin over every point with quiet values (the common case);
/// every gateway is ticked once per 1 000 readings (10 s of event time at this rate; the service ticks on a
/// wall-clock timer, so at millions of readings per second ticks are rarer still). <c>LimitOnly</c> is the
/// same stream over the 24 limit-only points without ticks, for the per-core target of limit rules.
/// </summary>
[MemoryDiagnoser]
public class PlantRuleBenchmarks
{
    private const int Gateways = 20;
    private const int Readings = 8_000;
    private const long T0 = 1_763_800_000_000;

    private readonly List<AlarmTransition> _transitions = new(64);
    private SensorRules[] _all = [];
    private SensorRules[] _limitOnly = [];
    private GatewayRules[] _gateways = [];
    private double[] _quiet = [];
    private double[] _fixedAll = [];
    private double[] _fixedLimit = [];
    private long _timestampMs = T0;

    [GlobalSetup]
    public void Setup()
    {
        var yaml = new StringBuilder("enterprise: BENCH\nindustry: steel\ngateways:\n");
        for (var g = 0; g < Gateways; g++)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"  - id: gw{g:00}\n    points:\n");
            for (var i = 0; i < 24; i++)
            {
                yaml.Append(CultureInfo.InvariantCulture, $"      - tag: L{i}\n        rules:\n          - {{ id: R{i}, type: limit, ll: 10, l: 20, h: 80, hh: 90, deadband: 1, onDelay: 2s, offDelay: 2s }}\n");
            }

            foreach (var tag in (string[])["CO1", "CO2", "CO3", "QI", "QO", "BL", "MP", "CS", "CL", "LV", "TR", "CV", "DP", "BC", "FAN", "SP", "AF", "FF"])
            {
                yaml.Append("      - tag: ").Append(tag).Append('\n');
            }

            yaml.Append("""
                    rules:
                      - preset: CO_AMBIENT
                        signals: { value: CO1, detector2: CO2, detector3: CO3 }
                      - preset: DETECTOR_OFFLINE_OR_FAULT
                        signals: { value: CO1, running: FAN }
                      - preset: LANCE_COOLING_DQ
                        signals: { inlet: QI, outlet: QO, blowing: BL }
                      - preset: DC_MOULD_WATER_PRESSURE
                        signals: { pressure: MP, casting: CS }
                        parameters: { recipe: 50 }
                      - preset: DC_LAUNDER_LEVEL
                        signals: { level: LV, casting: CS, castLength: CL }
                        parameters: { setpoint: 50 }
                      - preset: DC_TRIP_ACTUATION_VERIFY
                        signals: { trip: TR, cutOff: CV }
                      - preset: DUST_DP_DEVIATION
                        signals: { dp: DP, bagChange: BC, fanRunning: FAN }
                        parameters: { baseline: 50 }
                      - preset: SPARK_DETECTION
                        signals: { sparks: SP }
                      - id: AIR_FUEL_RATIO
                        type: ratio
                        signals: { a: AF, b: FF }
                        parameters: { hh: 2, h: 1.5, l: 0.67, ll: 0.5, deadband: 0.01 }

                """);
        }

        var site = SiteConfigurationParser.Parse(yaml.ToString(), "bench.yaml");
        if (site.Site is null)
        {
            throw new InvalidOperationException(string.Join(Environment.NewLine, site.Errors));
        }

        var ruleSet = RuleCompiler.Compile([site.Site]).RuleSet ?? throw new InvalidOperationException("benchmark plant does not compile");
        _gateways = [.. ruleSet.Gateways];
        _all = [.. _gateways.SelectMany(g => g.Sensors)];
        _limitOnly = [.. _all.Where(s => s.Tag.StartsWith('L') && s.Tag != "LV")];

        // Quiet values: 50 is normal for every limit, every deviation and every level; bits read 0 except the
        // gates below, which read 1 so that gated rules are armed and evaluated rather than skipped.
        _fixedAll = [.. _all.Select(s => Fixed(s.Tag))];
        _fixedLimit = [.. _limitOnly.Select(s => Fixed(s.Tag))];
        var random = new Random(42);
        _quiet = new double[Readings];
        for (var i = 0; i < Readings; i++)
        {
            _quiet[i] = 45 + (random.NextDouble() * 10);
        }
    }

    [Benchmark(OperationsPerInvoke = Readings)]
    public int PlantMix() => Feed(_all, _fixedAll, tick: true);

    [Benchmark(OperationsPerInvoke = Readings)]
    public int LimitOnly() => Feed(_limitOnly, _fixedLimit, tick: false);

    // NaN: a varying quiet value.
    private static double Fixed(string tag) => tag switch
    {
        "BL" or "CS" or "FAN" => 1,
        "CL" => 400,
        "TR" or "BC" or "SP" or "CV" => 0,
        "CO1" or "CO2" or "CO3" => 5,
        "QI" or "QO" => 50,
        _ => double.NaN,
    };

    private int Feed(SensorRules[] sensors, double[] fixedValues, bool tick)
    {
        var count = 0;
        for (var i = 0; i < Readings; i++)
        {
            var index = i % sensors.Length;
            var sensor = sensors[index];
            _timestampMs += 10;
            _transitions.Clear();
            var value = double.IsNaN(fixedValues[index]) ? _quiet[i] : fixedValues[index];
            sensor.Evaluate(_timestampMs, value, PointQuality.Good, _transitions, _timestampMs);
            if (tick && i % 1_000 == 0)
            {
                foreach (var gateway in _gateways)
                {
                    gateway.Tick(_timestampMs, _transitions);
                }
            }

            count += _transitions.Count;
        }

        return count;
    }
}

using System.Buffers;
using BenchmarkDotNet.Attributes;
using Monitoring.Contracts.LineProtocol;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Benchmarks;

/// <summary>
/// The time-series writer's body: readings formatted as InfluxDB line protocol into a reused buffer,
/// as the store does for every batch. Must allocate nothing (the Allocated column is the figure to watch).
/// </summary>
[MemoryDiagnoser]
public class LineProtocolBenchmarks
{
    private const long NowMs = 1_763_800_000_000;
    private readonly ArrayBufferWriter<byte> _buffer = new(1024 * 1024);
    private Reading[] _one = [];
    private Reading[] _batch = [];

    [GlobalSetup]
    public void Setup()
    {
        _one = [new Reading("91350100MA2XYZ1234", "gw-01", "CAST1.MOULD.WATER.P", NowMs, PointValueKind.Number, 0.182, false, PointQuality.Good)];

        // A realistic mix as the store sees it: mostly numbers, some booleans, the odd bad-quality null.
        // The strings are shared, as the partition workers intern them per gateway and tag.
        var tags = new string[200];
        for (var i = 0; i < tags.Length; i++)
        {
            tags[i] = $"CAST1.LINE{i % 4}.POINT_{i:D3}";
        }

        _batch = new Reading[5_000];
        for (var i = 0; i < _batch.Length; i++)
        {
            var tag = tags[i % tags.Length];
            var ts = NowMs - (i * 100L);
            _batch[i] = (i % 10) switch
            {
                8 => new Reading("91350100MA2XYZ1234", "gw-01", tag, ts, PointValueKind.Boolean, 0, i % 20 == 8, PointQuality.Good),
                9 => new Reading("91350100MA2XYZ1234", "gw-01", tag, ts, PointValueKind.Null, 0, false, PointQuality.Bad),
                _ => new Reading("91350100MA2XYZ1234", "gw-01", tag, ts, PointValueKind.Number, 0.1 + (i * 0.013), false, PointQuality.Good),
            };
        }
    }

    [Benchmark(Baseline = true)]
    public int OneReading() => Format(_one);

    // Reported per reading (OperationsPerInvoke), so it compares directly with OneReading.
    [Benchmark(OperationsPerInvoke = 5_000)]
    public int FiveThousandReadings() => Format(_batch);

    private int Format(Reading[] readings)
    {
        _buffer.ResetWrittenCount();
        LineProtocolFormatter.Append(_buffer, readings);
        return _buffer.WrittenCount;
    }
}

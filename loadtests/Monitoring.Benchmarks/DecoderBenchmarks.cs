using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Benchmarks;

/// <summary>
/// The MQTT receive path's first step: decoding a telemetry batch. Must allocate nothing
/// (the Allocated column is the figure to watch).
/// </summary>
[MemoryDiagnoser]
public class DecoderBenchmarks
{
    private const long NowMs = 1_763_800_000_000;
    private byte[] _onePoint = [];
    private byte[] _fiftyPoints = [];

    [GlobalSetup]
    public void Setup()
    {
        _onePoint = Encoding.UTF8.GetBytes("{\"seq\":1042,\"ts\":1763800000000,\"points\":[{\"tag\":\"CAST1.MOULD.WATER.P\",\"v\":0.182}]}");

        var sb = new StringBuilder("{\"seq\":1042,\"ts\":1763800000000,\"points\":[");
        for (var i = 0; i < 50; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            // A realistic mix: mostly numbers, some booleans, the odd bad-quality null.
            var value = (i % 10) switch
            {
                8 => "true",
                9 => "null,\"q\":2",
                _ => (0.1 + (i * 0.013)).ToString("R", CultureInfo.InvariantCulture),
            };
            sb.Append(CultureInfo.InvariantCulture, $"{{\"tag\":\"CAST1.LINE{i % 4}.POINT_{i:D3}\",\"v\":{value},\"ts\":{NowMs - (i * 100)}}}");
        }

        sb.Append("]}");
        _fiftyPoints = Encoding.UTF8.GetBytes(sb.ToString());
    }

    [Benchmark(Baseline = true)]
    public int OnePoint() => Decode(_onePoint);

    // Reported per point (OperationsPerInvoke), so it compares directly with OnePoint.
    [Benchmark(OperationsPerInvoke = 50)]
    public int FiftyPoints() => Decode(_fiftyPoints);

    private static int Decode(byte[] payload)
    {
        var visitor = default(CountingVisitor);
        var result = TelemetryDecoder.Decode(payload, NowMs, TelemetryDecoderOptions.Default, ref visitor);
        return result.AcceptedPoints + visitor.Points + visitor.TagBytes;
    }

    private struct CountingVisitor : ITelemetryVisitor
    {
        public int Points;
        public int TagBytes;

        public void OnEnvelope(in TelemetryEnvelope envelope)
        {
        }

        public void OnPoint(in DecodedPoint point)
        {
            Points++;
            TagBytes += point.Tag.Length;
        }

        public void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint)
        {
        }
    }
}

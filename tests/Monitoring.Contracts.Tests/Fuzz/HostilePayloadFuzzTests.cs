using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Monitoring.Contracts.LineProtocol;
using Monitoring.Contracts.Telemetry;
using Xunit.Abstractions;

namespace Monitoring.Contracts.Tests.Fuzz;

/// <summary>
/// Hostile payloads through the decoder and, for what it accepts, the line-protocol formatter:
/// nothing throws, every rejection carries a defined reason, and every formatted line reads back as
/// exactly one line with the same series (no injection). Hostile identifiers are also given to the
/// formatter directly, since the decoder's tag check is the first line of defence, not the only one.
/// A fast slice runs always; the full run: <c>MON_FUZZ_CASES=100000 dotnet test
/// tests/Monitoring.Contracts.Tests --filter "FullyQualifiedName~Fuzz"</c> (<c>MON_FUZZ_SEED</c> picks another seed).
/// </summary>
public sealed class HostilePayloadFuzzTests(ITestOutputHelper output)
{
    private const int FastSliceCases = 5_000;
    private const int DefaultSeed = 20_251_122;
    private const long NowMs = 1_763_800_000_000;

    private static int EnvironmentInt(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) ? value : fallback;

    [Fact]
    public void DecodeThenFormat_HostilePayloads_NoExceptionEveryRejectionReasonedNoInjectedLine()
    {
        var cases = EnvironmentInt("MON_FUZZ_CASES", FastSliceCases);
        var seed = EnvironmentInt("MON_FUZZ_SEED", DefaultSeed);
        var generator = new HostilePayloads(seed);
        var identifiers = new Random(seed + 1);
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var stats = new Stats();
        var clock = Stopwatch.StartNew();
        var peak = GC.GetTotalMemory(forceFullCollection: true);

        for (var n = 0; n < cases; n++)
        {
            var payload = generator.Next(NowMs);
            var context = $"case {n} (seed {seed}, {generator.LastKind}, {payload.Length} bytes)";
            try
            {
                CheckDecodeAndFormat(payload, buffer, stats, context);
                CheckFormatterDirect(HostileIdentifier(identifiers), HostileIdentifier(identifiers), HostileIdentifier(identifiers), buffer, stats, context);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                throw new Xunit.Sdk.XunitException($"{context}: {ex.GetType().Name}: {ex.Message}{Environment.NewLine}{Preview(payload)}");
            }

            if ((n & 1023) == 0)
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        }

        clock.Stop();
        peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: false));
        using var process = Process.GetCurrentProcess();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{cases} cases, seed {seed}, {clock.Elapsed.TotalSeconds:F1} s; messages rejected {stats.MessagesRejected}, points accepted {stats.PointsAccepted}, points rejected {stats.PointsRejected}; " +
            $"direct formatter: {stats.DirectFormatted} formatted, {stats.DirectRefused} refused; managed heap peak {peak / (1024 * 1024)} MiB, process peak working set {process.PeakWorkingSet64 / (1024 * 1024)} MiB"));
        output.WriteLine("rejections by reason: " + string.Join(", ", stats.Reasons.OrderBy(r => r.Key.ToString()).Select(r => $"{RejectReasons.Name(r.Key)}={r.Value}")));

        Assert.True(stats.PointsAccepted > cases / 10, "the generator barely reaches the formatter");
        Assert.True(stats.MessagesRejected > cases / 10, "the generator barely produces rejections");
        Assert.True(stats.DirectRefused > 0 && stats.DirectFormatted > 0, "the direct formatter cases are one-sided");
    }

    private static void CheckDecodeAndFormat(byte[] payload, ArrayBufferWriter<byte> buffer, Stats stats, string context)
    {
        var visitor = new CollectingVisitor(new List<Reading>(), stats);
        var result = TelemetryDecoder.Decode(payload, NowMs, TelemetryDecoderOptions.Default, ref visitor);

        if (result.MessageRejection is { } reason)
        {
            Assert.True(Enum.IsDefined(reason), $"{context}: undefined message rejection {reason}");
            Assert.False(string.IsNullOrEmpty(RejectReasons.Name(reason)), $"{context}: rejection without a name");
            stats.MessagesRejected++;
            stats.Count(reason);
            if (reason != RejectReason.NoValidPoints)
                Assert.Empty(visitor.Accepted);
        }

        Assert.Equal(visitor.Accepted.Count, result.AcceptedPoints);
        Assert.Equal(visitor.RejectedPoints, result.RejectedPoints);
        stats.PointsAccepted += visitor.Accepted.Count;

        foreach (var reading in visitor.Accepted)
        {
            buffer.ResetWrittenCount();
            LineProtocolFormatter.Append(buffer, in reading);
            AssertReadsBack(Encoding.UTF8.GetString(buffer.WrittenSpan), reading, context);
        }
    }

    private static void CheckFormatterDirect(string enterprise, string gateway, string tag, ArrayBufferWriter<byte> buffer, Stats stats, string context)
    {
        var reading = new Reading(enterprise, gateway, tag, NowMs, PointValueKind.Number, 1.5, false, PointQuality.Good);
        buffer.ResetWrittenCount();
        try
        {
            LineProtocolFormatter.Append(buffer, in reading);
        }
        catch (ArgumentException)
        {
            Assert.True(IsUnrepresentable(enterprise) || IsUnrepresentable(gateway) || IsUnrepresentable(tag),
                $"{context}: the formatter refused representable identifiers {Show(enterprise)} {Show(gateway)} {Show(tag)}");
            Assert.Equal(0, buffer.WrittenCount);
            stats.DirectRefused++;
            return;
        }

        AssertReadsBack(Encoding.UTF8.GetString(buffer.WrittenSpan), reading, context);
        stats.DirectFormatted++;
    }

    /// <summary>What the formatter must refuse (docs/storage.md, escaping): empty, control characters, backslash, lone surrogates.</summary>
    private static bool IsUnrepresentable(string value)
    {
        if (value.Length == 0)
            return true;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (char.IsControl(c) || c == '\\')
                return true;
            if (char.IsHighSurrogate(c) && (i + 1 >= value.Length || !char.IsLowSurrogate(value[i + 1])))
                return true;
            if (char.IsLowSurrogate(c) && (i == 0 || !char.IsHighSurrogate(value[i - 1])))
                return true;
        }

        return false;
    }

    private static void AssertReadsBack(string text, in Reading reading, string context)
    {
        Assert.True(text.EndsWith('\n'), $"{context}: line not terminated");
        var lines = LineProtocolReader.Parse(text);
        var line = Assert.Single(lines);
        Assert.Equal(LineProtocolFormatter.Measurement, line.Measurement);
        Assert.Equal(
            [new("ent", reading.Enterprise), new("gw", reading.Gateway), new KeyValuePair<string, string>("point", reading.Tag)],
            line.Tags);
        Assert.Equal(reading.TimestampMs.ToString(CultureInfo.InvariantCulture), line.Timestamp);
        var fieldNames = line.Fields.Select(f => f.Key).ToList();
        Assert.All(fieldNames, f => Assert.Contains(f, new[] { "value", "state", "quality" }));
        if (reading.Kind == PointValueKind.Number)
            Assert.Equal(reading.Number, double.Parse(line.Fields[0].Value, NumberStyles.Float, CultureInfo.InvariantCulture));
        _ = context;
    }

    private static string HostileIdentifier(Random random)
    {
        // Half of them use only characters the formatter must escape or pass through, so both outcomes are exercised.
        const string Representable = "aZ09_.:/- ,=\"'é中🔥#{}[]";
        const string Alphabet = Representable + "\\\n\r\t\0\u007f\u0085";
        var alphabet = random.Next(2) == 0 ? Representable : Alphabet;
        var length = random.Next(0, 12);
        var sb = new StringBuilder(length);
        for (var i = 0; i < length; i++)
        {
            sb.Append(random.Next(40) == 0 ? (char)random.Next(0xD800, 0xE000) : alphabet[random.Next(alphabet.Length)]);
        }

        return sb.ToString();
    }

    private static string Show(string s) => "\"" + string.Concat(s.Select(c => c < 0x20 || c > 0x7e ? $"\\u{(int)c:x4}" : c.ToString())) + "\"";

    private static string Preview(byte[] payload) => Encoding.UTF8.GetString(payload, 0, Math.Min(payload.Length, 400));

    private sealed class Stats
    {
        public long MessagesRejected;
        public long PointsAccepted;
        public long PointsRejected;
        public long DirectFormatted;
        public long DirectRefused;
        public Dictionary<RejectReason, long> Reasons { get; } = [];

        public void Count(RejectReason reason) => Reasons[reason] = Reasons.GetValueOrDefault(reason) + 1;
    }

    private struct CollectingVisitor(List<Reading> accepted, Stats stats) : ITelemetryVisitor
    {
        public List<Reading> Accepted { get; } = accepted;

        public int RejectedPoints { get; private set; }

        public readonly void OnEnvelope(in TelemetryEnvelope envelope)
        {
        }

        public readonly void OnPoint(in DecodedPoint point) =>
            Accepted.Add(new Reading("91440300TESTCAST01", "gw01", Encoding.UTF8.GetString(point.Tag), point.TimestampMs, point.Kind, point.Number, point.Boolean, point.Quality));

        public void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint)
        {
            Assert.True(Enum.IsDefined(reason), $"undefined point rejection {reason} at {index}");
            Assert.False(string.IsNullOrEmpty(RejectReasons.Name(reason)));
            RejectedPoints++;
            stats.PointsRejected++;
            stats.Count(reason);
        }
    }
}

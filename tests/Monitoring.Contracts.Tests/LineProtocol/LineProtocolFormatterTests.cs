using System.Buffers;
using System.Text;
using Monitoring.Contracts.LineProtocol;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.Tests.LineProtocol;

public class LineProtocolFormatterTests
{
    private const long Ts = 1_763_800_000_000;

    private static Reading Number(double value, string tag = "CAST1.MOULD.WATER.P", PointQuality quality = PointQuality.Good) =>
        new("E1", "G1", tag, Ts, PointValueKind.Number, value, false, quality);

    private static Reading WithIds(string enterprise, string gateway, string tag) =>
        new(enterprise, gateway, tag, Ts, PointValueKind.Number, 1, false, PointQuality.Good);

    private static string Format(in Reading reading)
    {
        var buffer = new ArrayBufferWriter<byte>();
        LineProtocolFormatter.Append(buffer, in reading);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Fact]
    public void Append_Number_WritesContractLine()
    {
        Assert.Equal(
            "telemetry,ent=E1,gw=G1,point=CAST1.MOULD.WATER.P value=0.182 1763800000000\n",
            Format(Number(0.182)));
    }

    [Theory]
    [InlineData(true, "state=true")]
    [InlineData(false, "state=false")]
    public void Append_Boolean_WritesStateField(bool value, string field)
    {
        var reading = new Reading("E1", "G1", "CAST1.FAST_CUTOFF.CLOSED", 1_763_799_999_500, PointValueKind.Boolean, 0, value, PointQuality.Good);

        Assert.Equal($"telemetry,ent=E1,gw=G1,point=CAST1.FAST_CUTOFF.CLOSED {field} 1763799999500\n", Format(reading));
    }

    [Fact]
    public void Append_NullBad_WritesOnlyQuality()
    {
        var reading = new Reading("E1", "G1", "CAST1.LAUNDER.LEVEL", Ts, PointValueKind.Null, 0, false, PointQuality.Bad);

        Assert.Equal("telemetry,ent=E1,gw=G1,point=CAST1.LAUNDER.LEVEL quality=2i 1763800000000\n", Format(reading));
    }

    [Fact]
    public void Append_NullUncertain_WritesQualityOne()
    {
        var reading = new Reading("E1", "G1", "T", Ts, PointValueKind.Null, 0, false, PointQuality.Uncertain);

        Assert.Equal("telemetry,ent=E1,gw=G1,point=T quality=1i 1763800000000\n", Format(reading));
    }

    [Theory]
    [InlineData(PointQuality.Uncertain, "value=1.5,quality=1i")]
    [InlineData(PointQuality.Bad, "value=1.5,quality=2i")]
    [InlineData(PointQuality.Good, "value=1.5")]
    public void Append_NumberQuality_WritesQualityOnlyWhenNotGood(PointQuality quality, string fields)
    {
        Assert.Equal($"telemetry,ent=E1,gw=G1,point=T {fields} 1763800000000\n", Format(Number(1.5, "T", quality)));
    }

    [Fact]
    public void Append_BooleanBad_WritesStateAndQuality()
    {
        var reading = new Reading("E1", "G1", "T", Ts, PointValueKind.Boolean, 0, true, PointQuality.Bad);

        Assert.Equal("telemetry,ent=E1,gw=G1,point=T state=true,quality=2i 1763800000000\n", Format(reading));
    }

    [Theory]
    [InlineData(0.0, "0")]
    [InlineData(-0.0, "-0")]
    [InlineData(1.0, "1")]
    [InlineData(-273.15, "-273.15")]
    [InlineData(0.1, "0.1")]
    [InlineData(1e20, "1E+20")]
    [InlineData(1e-5, "1E-05")]
    [InlineData(123456789012345.0, "123456789012345")]
    [InlineData(double.MaxValue, "1.7976931348623157E+308")]
    [InlineData(double.Epsilon, "5E-324")]
    public void Append_Number_UsesShortestRoundTripInvariantForm(double value, string expected)
    {
        // Every one of these forms was checked to be accepted by InfluxDB 1.6.7 as a float field.
        Assert.Equal($"telemetry,ent=E1,gw=G1,point=T value={expected} 1763800000000\n", Format(Number(value, "T")));
    }

    [Fact]
    public void Append_NumberUnderCommaDecimalCulture_StillUsesDot()
    {
        var previous = System.Globalization.CultureInfo.CurrentCulture;
        try
        {
            // The build runs with invariant globalization, so a comma-decimal culture is made by hand.
            var commaDecimal = (System.Globalization.CultureInfo)System.Globalization.CultureInfo.InvariantCulture.Clone();
            commaDecimal.NumberFormat.NumberDecimalSeparator = ",";
            System.Globalization.CultureInfo.CurrentCulture = commaDecimal;
            Assert.Equal("0,5", 0.5.ToString(System.Globalization.CultureInfo.CurrentCulture));
            Assert.Contains(" value=0.5 ", Format(Number(0.5, "T")), StringComparison.Ordinal);
        }
        finally
        {
            System.Globalization.CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void Append_NumberRoundTrips_ParsesBackToSameDouble()
    {
        var values = new[] { 0.1 + 0.2, Math.PI, -1e-300, 9007199254740993.0, 1.0 / 3 };
        foreach (var value in values)
        {
            var line = Format(Number(value, "T"));
            var text = line.Split(' ')[1]["value=".Length..];
            Assert.Equal(value, double.Parse(text, System.Globalization.CultureInfo.InvariantCulture));
        }
    }

    [Theory]
    [InlineData("a,b", @"a\,b")]
    [InlineData("a=b", @"a\=b")]
    [InlineData("a b", @"a\ b")]
    [InlineData(",= ", @"\,\=\ ")]
    [InlineData("a\"b", "a\"b")]
    [InlineData("温度:1/2-3_4.5", "温度:1/2-3_4.5")]
    [InlineData("😀", "😀")]
    public void Append_TagValueMetacharacters_AreEscaped(string tag, string escaped)
    {
        Assert.Equal($"telemetry,ent=E1,gw=G1,point={escaped} value=1 1763800000000\n", Format(WithIds("E1", "G1", tag)));
    }

    [Fact]
    public void Append_MetacharactersInEveryTag_EscapesEach()
    {
        Assert.Equal(
            @"telemetry,ent=e\ 1\,x\=y,gw=g\=2,point=p\,3 value=1 1763800000000" + "\n",
            Format(WithIds("e 1,x=y", "g=2", "p,3")));
    }

    [Theory]
    [InlineData("a value=1 0\ntelemetry,ent=x")]
    [InlineData("a\r\nb")]
    [InlineData("a\rb")]
    [InlineData("a\nb")]
    [InlineData("a\tb")]
    [InlineData("a\0b")]
    [InlineData("a\u007Fb")]
    [InlineData("a\u0085b")]
    [InlineData("a\u009Bb")]
    public void Append_ControlCharacter_Throws(string tag)
    {
        Assert.Throws<ArgumentException>(() => Format(WithIds("E1", "G1", tag)));
    }

    [Theory]
    [InlineData("a\\")]
    [InlineData("\\")]
    [InlineData("a\\,b")]
    [InlineData("a\\\\b")]
    [InlineData("a\\b")]
    public void Append_Backslash_Throws(string tag)
    {
        Assert.Throws<ArgumentException>(() => Format(WithIds("E1", "G1", tag)));
    }

    [Fact]
    public void Append_TrailingBackslashInEnterprise_ThrowsInsteadOfSwallowingTheNextTag()
    {
        // Written raw, "ent=a\,gw=G1" would parse as the single tag ent="a\,gw=G1".
        var ex = Assert.Throws<ArgumentException>(() => Format(WithIds("a\\", "G1", "T")));
        Assert.Equal("Enterprise", ex.ParamName);
    }

    [Theory]
    [InlineData("", 0xD800, "")]
    [InlineData("a", 0xDC00, "b")]
    [InlineData("a", 0xD83D, "")]
    public void Append_UnpairedSurrogate_Throws(string before, int surrogate, string after)
    {
        // Built here: xunit would replace a lone surrogate in theory data with U+FFFD.
        var tag = before + (char)surrogate + after;
        Assert.Throws<ArgumentException>(() => Format(WithIds("E1", "G1", tag)));
    }

    [Theory]
    [InlineData("", "G1", "T", "Enterprise")]
    [InlineData("E1", "", "T", "Gateway")]
    [InlineData("E1", "G1", "", "Tag")]
    [InlineData(null, "G1", "T", "Enterprise")]
    public void Append_EmptyOrNullIdentifier_Throws(string? enterprise, string gateway, string tag, string paramName)
    {
        var ex = Assert.Throws<ArgumentException>(() => Format(WithIds(enterprise!, gateway, tag)));
        Assert.Equal(paramName, ex.ParamName);
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Append_NonFiniteNumber_Throws(double value)
    {
        Assert.Throws<ArgumentException>(() => Format(Number(value)));
    }

    [Fact]
    public void Append_NullWithGoodQuality_Throws()
    {
        var reading = new Reading("E1", "G1", "T", Ts, PointValueKind.Null, 0, false, PointQuality.Good);

        Assert.Throws<ArgumentException>(() => Format(reading));
    }

    [Fact]
    public void Append_UndefinedKind_Throws()
    {
        var reading = new Reading("E1", "G1", "T", Ts, (PointValueKind)7, 0, false, PointQuality.Good);

        Assert.Throws<ArgumentException>(() => Format(reading));
    }

    [Theory]
    [InlineData(LineProtocolFormatter.MinTimestampMs, "-9223372036854")]
    [InlineData(LineProtocolFormatter.MaxTimestampMs, "9223372036854")]
    [InlineData(0L, "0")]
    public void Append_TimestampAtInfluxLimits_IsWritten(long ts, string expected)
    {
        var reading = Number(1, "T") with { TimestampMs = ts };

        Assert.EndsWith($" value=1 {expected}\n", Format(reading), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(LineProtocolFormatter.MinTimestampMs - 1)]
    [InlineData(LineProtocolFormatter.MaxTimestampMs + 1)]
    [InlineData(long.MaxValue)]
    public void Append_TimestampOutsideInfluxRange_Throws(long ts)
    {
        Assert.Throws<ArgumentException>(() => Format(Number(1) with { TimestampMs = ts }));
    }

    [Fact]
    public void Append_InvalidReading_LeavesOutputUntouched()
    {
        var buffer = new ArrayBufferWriter<byte>();
        LineProtocolFormatter.Append(buffer, Number(1, "ok"));
        var before = buffer.WrittenCount;

        Assert.Throws<ArgumentException>(() => LineProtocolFormatter.Append(buffer, WithIds("E1", "G1", "bad\nline")));

        Assert.Equal(before, buffer.WrittenCount);
    }

    [Fact]
    public void Append_Span_WritesOneLinePerReading()
    {
        var readings = new[] { Number(1, "a"), Number(2, "b"), Number(3, "c") };
        var buffer = new ArrayBufferWriter<byte>();

        LineProtocolFormatter.Append(buffer, readings);

        Assert.Equal(
            "telemetry,ent=E1,gw=G1,point=a value=1 1763800000000\n" +
            "telemetry,ent=E1,gw=G1,point=b value=2 1763800000000\n" +
            "telemetry,ent=E1,gw=G1,point=c value=3 1763800000000\n",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Append_LongestNonAsciiIdentifiers_FitsInRequestedSpan()
    {
        // Three-byte characters everywhere, each a metacharacter-free worst case for the size estimate.
        var wide = new string('温', 300);
        var line = Format(new Reading(wide, wide, wide, LineProtocolFormatter.MinTimestampMs, PointValueKind.Number, -double.MaxValue, false, PointQuality.Bad));

        Assert.StartsWith("telemetry,ent=" + wide + ",gw=" + wide + ",point=" + wide + " value=-1.7976931348623157E+308,quality=2i -9223372036854\n", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Append_SmallWriterSegments_RequestsEnoughSpace()
    {
        var writer = new SmallSegmentWriter();

        LineProtocolFormatter.Append(writer, WithIds("E 1", "G,1", "T=1"));

        Assert.Equal(@"telemetry,ent=E\ 1,gw=G\,1,point=T\=1 value=1 1763800000000" + "\n", Encoding.UTF8.GetString(writer.Written.ToArray()));
    }

    [Fact]
    public void Measurement_NeedsNoEscaping()
    {
        // The measurement is written from a constant; if it ever changes it must stay free of metacharacters.
        Assert.DoesNotContain(LineProtocolFormatter.Measurement, c => c is ',' or ' ' or '=' or '\\' or '"' || char.IsControl(c));
        Assert.StartsWith(LineProtocolFormatter.Measurement + ",", Format(Number(1)), StringComparison.Ordinal);
    }

    [Fact]
    public void Append_WarmedUp_AllocatesNothing()
    {
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        var readings = new[]
        {
            Number(0.182),
            new Reading("E1", "G1", "温 度", Ts, PointValueKind.Boolean, 0, true, PointQuality.Uncertain),
            new Reading("E1", "G1", "T", Ts, PointValueKind.Null, 0, false, PointQuality.Bad),
        };
        LineProtocolFormatter.Append(buffer, readings);
        buffer.ResetWrittenCount();

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 100; i++)
        {
            LineProtocolFormatter.Append(buffer, readings);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    /// <summary>Hands out spans exactly as large as requested, to catch a size estimate that is too small.</summary>
    private sealed class SmallSegmentWriter : IBufferWriter<byte>
    {
        private byte[] _current = [];
        private readonly List<byte> _written = [];

        public IReadOnlyList<byte> Written => _written;

        public void Advance(int count) => _written.AddRange(_current.AsSpan(0, count).ToArray());

        public Memory<byte> GetMemory(int sizeHint = 0) => _current = new byte[Math.Max(sizeHint, 1)];

        public Span<byte> GetSpan(int sizeHint = 0) => GetMemory(sizeHint).Span;
    }
}

using System.Globalization;
using System.Text;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.Tests.Telemetry;

public class TelemetryDecoderTests
{
    private const long NowMs = 1_763_800_000_000;
    private const long SkewMs = 5 * 60 * 1000;
    private const long WindowMs = 7L * 24 * 60 * 60 * 1000;
    private const string GoodBefore = """{"tag":"GOOD.BEFORE","v":1}""";
    private const string GoodAfter = """{"tag":"GOOD.AFTER","v":2}""";

    private static (DecodeResult Result, Recording Recording) Decode(byte[] payload, TelemetryDecoderOptions? options = null)
    {
        var recording = new Recording();
        var visitor = new RecordingVisitor(recording);
        var result = TelemetryDecoder.Decode(payload, NowMs, options ?? TelemetryDecoderOptions.Default, ref visitor);
        return (result, recording);
    }

    private static (DecodeResult Result, Recording Recording) Decode(string json, TelemetryDecoderOptions? options = null) =>
        Decode(Encoding.UTF8.GetBytes(json), options);

    // A batch with a good point on either side of the one under test.
    private static string Sandwich(string point) =>
        "{\"seq\":7,\"ts\":" + Ms(NowMs) + ",\"points\":[" + GoodBefore + "," + point + "," + GoodAfter + "]}";

    private static string Ms(long value) => value.ToString(CultureInfo.InvariantCulture);

    private static void AssertMessageRejected(string json, RejectReason expected, TelemetryDecoderOptions? options = null)
    {
        var (result, recording) = Decode(json, options);
        Assert.Equal(expected, result.MessageRejection);
        Assert.True(result.IsRejected);
        Assert.Empty(recording.Calls);
        Assert.Equal(0, result.AcceptedPoints);
    }

    private static void AssertPointRejected(string point, RejectReason expected)
    {
        var (result, recording) = Decode(Sandwich(point));
        Assert.Null(result.MessageRejection);
        Assert.Equal(2, result.AcceptedPoints);
        Assert.Equal(1, result.RejectedPoints);
        Assert.Equal(["GOOD.BEFORE", "GOOD.AFTER"], recording.AcceptedTags);
        Assert.Equal([0, 2], recording.Points.Select(p => p.Index));
        var rejection = Assert.Single(recording.Rejections);
        Assert.Equal(new RecordedRejection(expected, 1, point), rejection);
    }

    // ---- Message-level rejections -------------------------------------------------------------

    [Theory]
    [InlineData("not json")]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("[{\"tag\":\"A\",\"v\":1}]")]
    [InlineData("42")]
    [InlineData("\"points\"")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]} {}")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]} x")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":NaN}]}")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":Infinity}]}")]
    [InlineData("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1,}]}")]
    [InlineData("{\"ts\":1763800000000,/*c*/\"points\":[{\"tag\":\"A\",\"v\":1}]}")]
    [InlineData("{'ts':1763800000000,'points':[{'tag':'A','v':1}]}")]
    public void Decode_NotJsonOrTopLevelNotObject_RejectsMessageAsInvalidJson(string json) =>
        AssertMessageRejected(json, RejectReason.InvalidJson);

    [Fact]
    public void Decode_InvalidUtf8InUnknownField_RejectsMessageAsInvalidJson()
    {
        var head = Encoding.UTF8.GetBytes("{\"ts\":1763800000000,\"note\":\"");
        var tail = Encoding.UTF8.GetBytes("\",\"points\":[{\"tag\":\"A\",\"v\":1}]}");
        byte[] payload = [.. head, 0xFF, 0xFE, .. tail];

        var (result, recording) = Decode(payload);

        Assert.Equal(RejectReason.InvalidJson, result.MessageRejection);
        Assert.Empty(recording.Calls);
    }

    [Fact]
    public void Decode_DeepNestingInUnknownField_RejectsMessageAsInvalidJsonWithoutThrowing()
    {
        var json = "{\"ts\":1763800000000,\"x\":" + new string('[', 100_000) + new string(']', 100_000)
            + ",\"points\":[{\"tag\":\"A\",\"v\":1}]}";

        AssertMessageRejected(json, RejectReason.InvalidJson);
    }

    [Fact]
    public void Decode_NestingWithinReaderDepth_IgnoresUnknownField()
    {
        var json = "{\"ts\":1763800000000,\"x\":" + new string('[', 40) + new string(']', 40)
            + ",\"points\":[{\"tag\":\"A\",\"v\":1,\"extra\":" + new string('[', 40) + new string(']', 40) + "}]}";

        var (result, recording) = Decode(json);

        Assert.Null(result.MessageRejection);
        Assert.Equal(["A"], recording.AcceptedTags);
    }

    [Fact]
    public void Decode_PayloadOverLimit_RejectsMessageAsTooLargeBeforeParsing()
    {
        var options = new TelemetryDecoderOptions { MaxPayloadBytes = 64 };
        // Not JSON either: the size check must come first.
        AssertMessageRejected(new string('x', 65), RejectReason.TooLarge, options);
    }

    [Fact]
    public void Decode_PayloadAtLimit_IsDecoded()
    {
        var json = "{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]}";
        var options = new TelemetryDecoderOptions { MaxPayloadBytes = Encoding.UTF8.GetByteCount(json) };

        var (result, _) = Decode(json, options);

        Assert.Null(result.MessageRejection);
        Assert.Equal(1, result.AcceptedPoints);
    }

    [Fact]
    public void Decode_DefaultLimit_Is256KiB()
    {
        const string head = "{\"ts\":1763800000000,\"f\":\"";
        const string tail = "\",\"points\":[{\"tag\":\"A\",\"v\":1}]}";
        var atLimit = head + new string('x', (256 * 1024) - head.Length - tail.Length) + tail;
        var overLimit = head + new string('x', (256 * 1024) + 1 - head.Length - tail.Length) + tail;

        Assert.Null(Decode(atLimit).Result.MessageRejection);
        AssertMessageRejected(overLimit, RejectReason.TooLarge);
    }

    [Theory]
    [InlineData("{\"ts\":1763800000000}")]
    [InlineData("{\"ts\":1763800000000,\"points\":[]}")]
    [InlineData("{\"ts\":1763800000000,\"points\":null}")]
    [InlineData("{\"ts\":1763800000000,\"points\":{\"tag\":\"A\",\"v\":1}}")]
    [InlineData("{\"ts\":1763800000000,\"points\":\"A\"}")]
    [InlineData("{}")]
    public void Decode_PointsMissingNotArrayOrEmpty_RejectsMessageAsNoPoints(string json) =>
        AssertMessageRejected(json, RejectReason.NoPoints);

    [Fact]
    public void Decode_MorePointsThanLimit_RejectsMessageAsTooManyPoints()
    {
        var options = new TelemetryDecoderOptions { MaxPoints = 2 };
        var json = "{\"ts\":1763800000000,\"points\":[" + GoodBefore + "," + GoodAfter + ",42]}";

        AssertMessageRejected(json, RejectReason.TooManyPoints, options);
    }

    [Fact]
    public void Decode_PointsAtLimit_AreDecoded()
    {
        var options = new TelemetryDecoderOptions { MaxPoints = 2 };
        var json = "{\"ts\":1763800000000,\"points\":[" + GoodBefore + "," + GoodAfter + "]}";

        var (result, _) = Decode(json, options);

        Assert.Null(result.MessageRejection);
        Assert.Equal(2, result.AcceptedPoints);
    }

    [Fact]
    public void Decode_DefaultLimit_Is10000Points()
    {
        var points = string.Join(',', Enumerable.Repeat("1", 10_001));

        AssertMessageRejected("{\"points\":[" + points + "]}", RejectReason.TooManyPoints);
    }

    [Theory]
    [InlineData("\"seq\":\"1\"")]
    [InlineData("\"seq\":-1")]
    [InlineData("\"seq\":1.5")]
    [InlineData("\"seq\":18446744073709551616")]
    [InlineData("\"seq\":null")]
    [InlineData("\"seq\":1,\"seq\":2")]
    [InlineData("\"ts\":\"1763800000000\"")]
    [InlineData("\"ts\":1763800000000.5")]
    [InlineData("\"ts\":9223372036854775808")]
    [InlineData("\"ts\":[1]")]
    [InlineData("\"ts\":1763800000000,\"ts\":1763800000000")]
    [InlineData("\"sim\":\"true\"")]
    [InlineData("\"sim\":1")]
    [InlineData("\"sim\":null")]
    [InlineData("\"sim\":true,\"sim\":true")]
    [InlineData("\"points\":[{\"tag\":\"B\",\"v\":1}]")]
    public void Decode_EnvelopeFieldOfWrongTypeOrRepeated_RejectsMessageAsInvalidEnvelope(string fields)
    {
        var json = "{" + fields + ",\"points\":[{\"tag\":\"A\",\"v\":1,\"ts\":1763800000000}]}";

        AssertMessageRejected(json, RejectReason.InvalidEnvelope);
    }

    [Fact]
    public void Decode_EveryPointRejected_ReportsNoValidPointsAfterThePointRejections()
    {
        var json = "{\"ts\":1763800000000,\"points\":[42,{\"v\":1}]}";

        var (result, recording) = Decode(json);

        Assert.Equal(RejectReason.NoValidPoints, result.MessageRejection);
        Assert.Equal(0, result.AcceptedPoints);
        Assert.Equal(2, result.RejectedPoints);
        Assert.Equal(["envelope", "rejected 0", "rejected 1"], recording.Calls);
        Assert.Equal([RejectReason.PointNotObject, RejectReason.MissingTag], recording.Rejections.Select(r => r.Reason));
    }

    // ---- Point-level rejections -----------------------------------------------------------

    [Theory]
    [InlineData("42")]
    [InlineData("\"A\"")]
    [InlineData("null")]
    [InlineData("true")]
    [InlineData("[{\"tag\":\"A\",\"v\":1}]")]
    public void Decode_PointNotObject_RejectsPointAlone(string point) =>
        AssertPointRejected(point, RejectReason.PointNotObject);

    [Theory]
    [InlineData("{\"v\":1}")]
    [InlineData("{}")]
    [InlineData("{\"Tag\":\"A\",\"v\":1}")]
    public void Decode_PointWithoutTag_RejectsPointAsMissingTag(string point) =>
        AssertPointRejected(point, RejectReason.MissingTag);

    [Theory]
    [InlineData("{\"tag\":\"\",\"v\":1}")]
    [InlineData("{\"tag\":\"A B\",\"v\":1}")]
    [InlineData("{\"tag\":\"A*B\",\"v\":1}")]
    [InlineData("{\"tag\":\"温度\",\"v\":1}")]
    [InlineData("{\"tag\":5,\"v\":1}")]
    [InlineData("{\"tag\":null,\"v\":1}")]
    [InlineData("{\"tag\":{\"x\":\"A\"},\"v\":1}")]
    [InlineData("{\"tag\":[\"A\"],\"v\":1}")]
    [InlineData("{\"tag\":\"\\u0041\",\"v\":1}")]
    [InlineData("{\"tag\":\"A\\/B\",\"v\":1}")]
    public void Decode_PointWithBadTag_RejectsPointAsInvalidTag(string point) =>
        AssertPointRejected(point, RejectReason.InvalidTag);

    [Fact]
    public void Decode_TagOf129Characters_RejectsPointAsInvalidTag() =>
        AssertPointRejected("{\"tag\":\"" + new string('A', 129) + "\",\"v\":1}", RejectReason.InvalidTag);

    [Fact]
    public void Decode_TagOf128CharactersWithEveryAllowedSymbol_IsAccepted()
    {
        var tag = ("az.AZ_09:/-" + new string('x', 128)).Substring(0, 128);

        var (result, recording) = Decode("{\"ts\":1763800000000,\"points\":[{\"tag\":\"" + tag + "\",\"v\":1}]}");

        Assert.Null(result.MessageRejection);
        Assert.Equal([tag], recording.AcceptedTags);
    }

    [Theory]
    [InlineData("{\"tag\":\"A\"}")]
    [InlineData("{\"tag\":\"A\",\"v\":\"1\"}")]
    [InlineData("{\"tag\":\"A\",\"v\":{}}")]
    [InlineData("{\"tag\":\"A\",\"v\":[1]}")]
    [InlineData("{\"tag\":\"A\",\"v\":null}")]
    [InlineData("{\"tag\":\"A\",\"v\":null,\"q\":0}")]
    [InlineData("{\"tag\":\"A\",\"v\":null,\"q\":1}")]
    public void Decode_PointWithBadValue_RejectsPointAsInvalidValue(string point) =>
        AssertPointRejected(point, RejectReason.InvalidValue);

    [Theory]
    [InlineData("{\"tag\":\"A\",\"v\":1e999}")]
    [InlineData("{\"tag\":\"A\",\"v\":-1e999}")]
    [InlineData("{\"tag\":\"A\",\"v\":1.8e308}")]
    public void Decode_NumberBeyondDouble_RejectsPointAsNonFiniteValue(string point) =>
        AssertPointRejected(point, RejectReason.NonFiniteValue);

    [Theory]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":3}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":-1}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":1.5}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":\"1\"}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":null}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":true}")]
    [InlineData("{\"tag\":\"A\",\"v\":null,\"q\":99999999999}")]
    public void Decode_PointWithBadQuality_RejectsPointAsInvalidQuality(string point) =>
        AssertPointRejected(point, RejectReason.InvalidQuality);

    [Fact]
    public void Decode_PointWithoutTimestampInBatchWithout_RejectsPointAsMissingTimestamp()
    {
        var own = "{\"tag\":\"OWN\",\"v\":1,\"ts\":" + Ms(NowMs) + "}";
        var bare = "{\"tag\":\"BARE\",\"v\":1}";

        var (result, recording) = Decode("{\"points\":[" + own + "," + bare + "]}");

        Assert.Null(result.MessageRejection);
        Assert.Null(result.Envelope.TimestampMs);
        Assert.Equal(["OWN"], recording.AcceptedTags);
        Assert.Equal(new RecordedRejection(RejectReason.MissingTimestamp, 1, bare), Assert.Single(recording.Rejections));
    }

    [Theory]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":\"1763800000000\"}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":1763800000000.5}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":1.7638e12}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":-1}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":null}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":99999999999999999}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":1e30}")]
    public void Decode_PointWithBadTimestamp_RejectsPointAsInvalidTimestamp(string point) =>
        AssertPointRejected(point, RejectReason.InvalidTimestamp);

    [Fact]
    public void Decode_PointBeyondFutureSkew_RejectsPointAsFutureTimestamp() =>
        AssertPointRejected("{\"tag\":\"A\",\"v\":1,\"ts\":" + Ms(NowMs + SkewMs + 1) + "}", RejectReason.FutureTimestamp);

    [Fact]
    public void Decode_PointOlderThanHistoryWindow_RejectsPointAsTooOld() =>
        AssertPointRejected("{\"tag\":\"A\",\"v\":1,\"ts\":" + Ms(NowMs - WindowMs - 1) + "}", RejectReason.TooOld);

    [Fact]
    public void Decode_PointsAtTheEdgesOfSkewAndWindow_AreAccepted()
    {
        var json = "{\"points\":[{\"tag\":\"NEWEST\",\"v\":1,\"ts\":" + Ms(NowMs + SkewMs) + "},"
            + "{\"tag\":\"OLDEST\",\"v\":1,\"ts\":" + Ms(NowMs - WindowMs) + "}]}";

        var (result, recording) = Decode(json);

        Assert.Null(result.MessageRejection);
        Assert.Equal(["NEWEST", "OLDEST"], recording.AcceptedTags);
    }

    [Fact]
    public void Decode_CustomSkewAndWindow_AreApplied()
    {
        var options = new TelemetryDecoderOptions { MaxFutureSkew = TimeSpan.FromSeconds(1), HistoryWindow = TimeSpan.FromHours(1) };
        var json = "{\"points\":[{\"tag\":\"FUTURE\",\"v\":1,\"ts\":" + Ms(NowMs + 1001) + "},"
            + "{\"tag\":\"OLD\",\"v\":1,\"ts\":" + Ms(NowMs - 3_600_001) + "},"
            + "{\"tag\":\"OK\",\"v\":1,\"ts\":" + Ms(NowMs - 3_600_000) + "}]}";

        var (_, recording) = Decode(json, options);

        Assert.Equal(["OK"], recording.AcceptedTags);
        Assert.Equal([RejectReason.FutureTimestamp, RejectReason.TooOld], recording.Rejections.Select(r => r.Reason));
    }

    [Fact]
    public void Decode_BatchTimestampTooOld_RejectsEveryPointWithoutOwnTimestamp()
    {
        var json = "{\"ts\":" + Ms(NowMs - WindowMs - 1) + ",\"points\":[{\"tag\":\"A\",\"v\":1},{\"tag\":\"B\",\"v\":1,\"ts\":" + Ms(NowMs) + "}]}";

        var (_, recording) = Decode(json);

        Assert.Equal(["B"], recording.AcceptedTags);
        Assert.Equal(RejectReason.TooOld, Assert.Single(recording.Rejections).Reason);
    }

    [Theory]
    [InlineData("{\"tag\":\"A\",\"tag\":\"B\",\"v\":1}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"v\":2}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"ts\":1763800000000,\"ts\":1763800000000}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"q\":0,\"q\":0}")]
    [InlineData("{\"tag\":\"A\",\"v\":1,\"\\u0076\":1}")]
    public void Decode_RepeatedKeyInPoint_RejectsPointAsDuplicateField(string point) =>
        AssertPointRejected(point, RejectReason.DuplicateField);

    [Fact]
    public void Decode_RawPointWithNestedUnknownFieldAndWhitespace_IsPassedExactly()
    {
        const string point = "{ \"tag\" : \"A\" ,\n \"x\": {\"y\": [1, {\"z\": null}]}, \"v\": \"bad\" }";

        AssertPointRejected(point, RejectReason.InvalidValue);
    }

    // ---- Happy path -----------------------------------------------------------------------

    [Fact]
    public void Decode_ContractExample_DeliversEnvelopeThenEveryPoint()
    {
        const string json = """
            {
              "seq": 1042,
              "ts": 1763800000000,
              "points": [
                { "tag": "CAST1.MOULD.WATER.P", "v": 0.182 },
                { "tag": "CAST1.FAST_CUTOFF.CLOSED", "v": false, "ts": 1763799999500 },
                { "tag": "CAST1.LAUNDER.LEVEL", "v": null, "q": 2 }
              ]
            }
            """;

        var (result, recording) = Decode(json);

        Assert.Null(result.MessageRejection);
        Assert.Equal(new TelemetryEnvelope(1042, NowMs, false, 3), result.Envelope);
        Assert.Equal(3, result.AcceptedPoints);
        Assert.Equal(0, result.RejectedPoints);
        Assert.Equal(["envelope", "point 0", "point 1", "point 2"], recording.Calls);
        Assert.Equal(result.Envelope, Assert.Single(recording.Envelopes));
        Assert.Equal(
            [
                new RecordedPoint(0, "CAST1.MOULD.WATER.P", NowMs, PointValueKind.Number, 0.182, false, PointQuality.Good),
                new RecordedPoint(1, "CAST1.FAST_CUTOFF.CLOSED", 1763799999500, PointValueKind.Boolean, 0, false, PointQuality.Good),
                new RecordedPoint(2, "CAST1.LAUNDER.LEVEL", NowMs, PointValueKind.Null, 0, false, PointQuality.Bad),
            ],
            recording.Points);
    }

    [Fact]
    public void Decode_Booleans_AreDeliveredAsBooleanKind()
    {
        var (_, recording) = Decode("{\"ts\":1763800000000,\"points\":[{\"tag\":\"T\",\"v\":true},{\"tag\":\"F\",\"v\":false}]}");

        Assert.Equal([PointValueKind.Boolean, PointValueKind.Boolean], recording.Points.Select(p => p.Kind));
        Assert.Equal([true, false], recording.Points.Select(p => p.Boolean));
    }

    [Theory]
    [InlineData("0", 0.0)]
    [InlineData("-0.5", -0.5)]
    [InlineData("1e3", 1000.0)]
    [InlineData("1.7976931348623157e308", double.MaxValue)]
    [InlineData("-12345678901234567890", -12345678901234567890.0)]
    public void Decode_Numbers_AreDeliveredAsDoubles(string number, double expected)
    {
        var (_, recording) = Decode("{\"ts\":1763800000000,\"points\":[{\"tag\":\"N\",\"v\":" + number + "}]}");

        var point = Assert.Single(recording.Points);
        Assert.Equal(PointValueKind.Number, point.Kind);
        Assert.Equal(expected, point.Number);
    }

    [Theory]
    [InlineData(0, PointQuality.Good)]
    [InlineData(1, PointQuality.Uncertain)]
    [InlineData(2, PointQuality.Bad)]
    public void Decode_Quality_IsDelivered(int q, PointQuality expected)
    {
        var (_, recording) = Decode("{\"ts\":1763800000000,\"points\":[{\"tag\":\"N\",\"v\":1,\"q\":" + q.ToString(CultureInfo.InvariantCulture) + "}]}");

        Assert.Equal(expected, Assert.Single(recording.Points).Quality);
    }

    [Fact]
    public void Decode_NullWithBadQuality_IsAccepted()
    {
        var (_, recording) = Decode("{\"ts\":1763800000000,\"points\":[{\"q\":2,\"v\":null,\"tag\":\"N\"}]}");

        var point = Assert.Single(recording.Points);
        Assert.Equal(PointValueKind.Null, point.Kind);
        Assert.Equal(PointQuality.Bad, point.Quality);
    }

    [Fact]
    public void Decode_PointTimestamp_OverridesBatchTimestamp()
    {
        var (_, recording) = Decode("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1,\"ts\":1763799000000},{\"tag\":\"B\",\"v\":1}]}");

        Assert.Equal([1763799000000L, NowMs], recording.Points.Select(p => p.TimestampMs));
    }

    [Fact]
    public void Decode_BatchFieldsAfterPoints_AreAppliedToEveryPoint()
    {
        var (result, recording) = Decode("{\"points\":[{\"tag\":\"A\",\"v\":1}],\"sim\":true,\"ts\":1763799000000,\"seq\":3}");

        Assert.Equal(new TelemetryEnvelope(3, 1763799000000, true, 1), result.Envelope);
        Assert.Equal(1763799000000L, Assert.Single(recording.Points).TimestampMs);
    }

    [Theory]
    [InlineData("true", true)]
    [InlineData("false", false)]
    public void Decode_SimFlag_IsReportedInEnvelope(string sim, bool expected)
    {
        var (result, recording) = Decode("{\"sim\":" + sim + ",\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]}");

        Assert.Equal(expected, result.Envelope.Simulated);
        Assert.Equal(expected, Assert.Single(recording.Envelopes).Simulated);
    }

    [Fact]
    public void Decode_SimAbsent_IsFalse()
    {
        var (result, _) = Decode("{\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]}");

        Assert.False(result.Envelope.Simulated);
        Assert.Null(result.Envelope.Seq);
    }

    [Theory]
    [InlineData("0", 0UL)]
    [InlineData("18446744073709551615", ulong.MaxValue)]
    public void Decode_Seq_IsReadAsUInt64(string seq, ulong expected)
    {
        var (result, _) = Decode("{\"seq\":" + seq + ",\"ts\":1763800000000,\"points\":[{\"tag\":\"A\",\"v\":1}]}");

        Assert.Null(result.MessageRejection);
        Assert.Equal(expected, result.Envelope.Seq);
    }

    [Fact]
    public void Decode_UnknownFields_AreIgnored()
    {
        const string json = """
            {"v2":{"a":[1,2,{"b":null}]},"ts":1763800000000,"gw":"x",
             "points":[{"unit":"MPa","tag":"A","meta":{"k":[true]},"v":1.5,"extra":"s"}],"z":[]}
            """;

        var (result, recording) = Decode(json);

        Assert.Null(result.MessageRejection);
        Assert.Equal(1.5, Assert.Single(recording.Points).Number);
    }

    [Fact]
    public void Decode_EscapedKnownKeys_AreRecognised()
    {
        var (result, recording) = Decode("{\"\\u0074s\":1763800000000,\"p\\u006fints\":[{\"t\\u0061g\":\"A\",\"\\u0076\":1}]}");

        Assert.Null(result.MessageRejection);
        Assert.Equal(["A"], recording.AcceptedTags);
    }

    [Fact]
    public void Decode_PointIndexes_CountEveryElementIncludingRejected()
    {
        var (_, recording) = Decode("{\"ts\":1763800000000,\"points\":[1,{\"tag\":\"A\",\"v\":1},[],{\"tag\":\"B\",\"v\":1}]}");

        Assert.Equal([1, 3], recording.Points.Select(p => p.Index));
        Assert.Equal([0, 2], recording.Rejections.Select(r => r.Index));
        Assert.Equal(4, recording.Envelopes.Single().PointCount);
    }

    // ---- Robustness and allocation ----------------------------------------------------------

    [Fact]
    public void Decode_EveryTruncationAndByteFlipOfValidPayload_NeverThrows()
    {
        var payload = Encoding.UTF8.GetBytes(Sandwich("{\"tag\":\"X\",\"v\":true,\"q\":1,\"ts\":1763800000000,\"u\":{\"a\":[1,\"s\"]}}"));
        var random = new Random(1234);
        for (var length = 0; length <= payload.Length; length++)
        {
            _ = Decode(payload.AsSpan(0, length).ToArray());
        }

        for (var i = 0; i < 5_000; i++)
        {
            var mutated = (byte[])payload.Clone();
            mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
            var (result, recording) = Decode(mutated);
            Assert.Equal(result.AcceptedPoints, recording.Points.Count);
            Assert.Equal(result.RejectedPoints, recording.Rejections.Count);
        }
    }

    [Fact]
    public void Decode_Valid50PointPayloadWithStructVisitor_AllocatesNothing()
    {
        var payload = Build50PointPayload();
        var options = TelemetryDecoderOptions.Default;
        var visitor = default(CountingVisitor);
        // Warm up: JIT and static initialisation allocate once.
        _ = TelemetryDecoder.Decode(payload, NowMs, options, ref visitor);
        visitor = default;

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = TelemetryDecoder.Decode(payload, NowMs, options, ref visitor);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Null(result.MessageRejection);
        Assert.Equal(50, visitor.Points);
        Assert.Equal(1, visitor.Envelopes);
    }

    internal static byte[] Build50PointPayload()
    {
        var sb = new StringBuilder("{\"seq\":1042,\"points\":[");
        for (var i = 0; i < 50; i++)
        {
            if (i > 0)
            {
                sb.Append(',');
            }

            var v = (i % 3) switch
            {
                0 => (i * 0.5).ToString(CultureInfo.InvariantCulture),
                1 => "true",
                _ => "null,\"q\":2",
            };
            sb.Append(CultureInfo.InvariantCulture, $"{{\"tag\":\"CAST1.POINT.{i}\",\"v\":{v},\"ts\":{NowMs - i}}}");
        }

        sb.Append("],\"ts\":1763800000000,\"sim\":false}");
        return Encoding.UTF8.GetBytes(sb.ToString());
    }
}

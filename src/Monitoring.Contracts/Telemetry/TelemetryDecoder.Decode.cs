using System.Text.Json;
using System.Text.Unicode;

namespace Monitoring.Contracts.Telemetry;

public static partial class TelemetryDecoder
{
    /// <summary>Latest timestamp accepted at all (end of year 9999), whatever the clock says.</summary>
    public static readonly long MaxTimestampMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    // JSON escapes at most 6 bytes per character (\uXXXX), so an escaped tag longer than this cannot
    // unescape to a valid one.
    private const int MaxEscapedTagLength = Identifiers.MaxTagLength * 6;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    /// <summary>
    /// Decodes one telemetry batch (docs/contract.md 1). The visitor gets <see cref="ITelemetryVisitor.OnEnvelope"/>
    /// once when the message-level checks pass, then each point in order, accepted or rejected.
    /// A message rejected whole gives the visitor nothing. Never throws on bad input.
    /// </summary>
    /// <param name="payload">The MQTT payload (UTF-8 JSON).</param>
    /// <param name="nowMs">Server time, ms since the Unix epoch, for the skew and history checks.</param>
    /// <param name="options">Limits.</param>
    /// <param name="visitor">Receives the envelope and points; passed by reference so a struct keeps its state.</param>
    public static DecodeResult Decode<TVisitor>(
        ReadOnlySpan<byte> payload,
        long nowMs,
        TelemetryDecoderOptions options,
        ref TVisitor visitor)
        where TVisitor : ITelemetryVisitor, allows ref struct
        => Decode(payload, nowMs, nowMs, options, ref visitor);

    /// <summary>
    /// As the other overload, for a gateway whose clock is known to be off the server's: a point is in the future
    /// only when it is more than <see cref="TelemetryDecoderOptions.MaxFutureSkew"/> ahead of both clocks, and too old
    /// only when it is older than <see cref="TelemetryDecoderOptions.HistoryWindow"/> before both (docs/contract.md,
    /// "Clock skew"): no clock error of the gateway rejects its live readings.
    /// </summary>
    /// <param name="gatewayNowMs">The gateway's own clock now, as estimated by the caller from its earlier messages.</param>
    public static DecodeResult Decode<TVisitor>(
        ReadOnlySpan<byte> payload,
        long nowMs,
        long gatewayNowMs,
        TelemetryDecoderOptions options,
        ref TVisitor visitor)
        where TVisitor : ITelemetryVisitor, allows ref struct
    {
        ArgumentNullException.ThrowIfNull(options);

        if (payload.Length > options.MaxPayloadBytes)
        {
            return Rejected(RejectReason.TooLarge, default);
        }

        // Utf8JsonReader does not validate the UTF-8 of strings it only skips, and we skip unknown fields.
        if (!Utf8.IsValid(payload))
        {
            return Rejected(RejectReason.InvalidJson, default);
        }

        // Pass 1: the batch fields, wherever they are. ts may follow points, and every point needs it.
        var scan = ScanEnvelope(payload);
        var envelope = new TelemetryEnvelope(scan.Seq, scan.TimestampMs, scan.Simulated, scan.PointCount);
        if (scan.Rejection is { } rejection)
        {
            return Rejected(rejection, envelope);
        }

        if (scan.PointCount > options.MaxPoints)
        {
            return Rejected(RejectReason.TooManyPoints, envelope);
        }

        visitor.OnEnvelope(in envelope);

        // Pass 2: the points, over the slice pass 1 found (already known to be well-formed JSON).
        var limits = new PointLimits(scan.TimestampMs, nowMs, gatewayNowMs, options);
        var points = payload.Slice(scan.PointsStart, scan.PointsLength);
        var accepted = 0;
        var rejected = 0;
        try
        {
            DecodePoints(points, in limits, ref visitor, ref accepted, ref rejected);
        }
        catch (JsonException)
        {
            // Cannot happen after pass 1 validated the same bytes; kept so that the decoder never throws.
            return new DecodeResult(RejectReason.InvalidJson, envelope, accepted, rejected);
        }

        return new DecodeResult(accepted == 0 ? RejectReason.NoValidPoints : null, envelope, accepted, rejected);
    }

    private static DecodeResult Rejected(RejectReason reason, TelemetryEnvelope envelope) =>
        new(reason, envelope, 0, 0);

    private static EnvelopeScan ScanEnvelope(ReadOnlySpan<byte> payload)
    {
        var scan = default(EnvelopeScan);
        var reader = new Utf8JsonReader(payload, ReaderOptions);
        var envelopeInvalid = false;
        var seenSeq = false;
        var seenTs = false;
        var seenSim = false;
        var seenPoints = false;
        var pointsIsArray = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                scan.Rejection = RejectReason.InvalidJson;
                return scan;
            }

            // Keep reading after a bad field: a truncated message is invalid_json, whatever came before.
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("seq"u8))
                {
                    envelopeInvalid |= seenSeq;
                    seenSeq = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetUInt64(out var seq))
                    {
                        scan.Seq = seq;
                    }
                    else
                    {
                        envelopeInvalid = true;
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("ts"u8))
                {
                    envelopeInvalid |= seenTs;
                    seenTs = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var ts))
                    {
                        scan.TimestampMs = ts;
                    }
                    else
                    {
                        envelopeInvalid = true;
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("sim"u8))
                {
                    envelopeInvalid |= seenSim;
                    seenSim = true;
                    reader.Read();
                    if (reader.TokenType is JsonTokenType.True or JsonTokenType.False)
                    {
                        scan.Simulated = reader.TokenType == JsonTokenType.True;
                    }
                    else
                    {
                        envelopeInvalid = true;
                        reader.Skip();
                    }
                }
                else if (reader.ValueTextEquals("points"u8))
                {
                    envelopeInvalid |= seenPoints;
                    seenPoints = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.StartArray)
                    {
                        pointsIsArray = true;
                        scan.PointsStart = (int)reader.TokenStartIndex;
                        var count = 0;
                        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                        {
                            count++;
                            reader.Skip();
                        }

                        scan.PointCount = count;
                        scan.PointsLength = (int)reader.BytesConsumed - scan.PointsStart;
                    }
                    else
                    {
                        pointsIsArray = false;
                        reader.Skip();
                    }
                }
                else
                {
                    // Unknown field: ignored, for forward compatibility.
                    reader.Read();
                    reader.Skip();
                }
            }

            // The loop ends on the closing brace of the top-level object; anything after it but
            // whitespace makes the reader throw.
            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
            {
                scan.Rejection = RejectReason.InvalidJson;
                return scan;
            }
        }
        catch (JsonException)
        {
            scan.Rejection = RejectReason.InvalidJson;
            return scan;
        }

        if (envelopeInvalid)
        {
            scan.Rejection = RejectReason.InvalidEnvelope;
        }
        else if (!pointsIsArray || scan.PointCount == 0)
        {
            scan.Rejection = RejectReason.NoPoints;
        }

        return scan;
    }

    private static void DecodePoints<TVisitor>(
        ReadOnlySpan<byte> points,
        in PointLimits limits,
        ref TVisitor visitor,
        ref int accepted,
        ref int rejected)
        where TVisitor : ITelemetryVisitor, allows ref struct
    {
        var reader = new Utf8JsonReader(points, ReaderOptions);
        reader.Read(); // StartArray
        var index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            var start = (int)reader.TokenStartIndex;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                rejected++;
                visitor.OnPointRejected(RejectReason.PointNotObject, index, points[start..(int)reader.BytesConsumed]);
                index++;
                continue;
            }

            var point = ReadPoint(ref reader, points);
            var raw = points[start..(int)reader.BytesConsumed];
            var reason = point.Validate(in limits, out var timestampMs);
            if (reason is { } r)
            {
                rejected++;
                visitor.OnPointRejected(r, index, raw);
            }
            else
            {
                accepted++;
                var decoded = new DecodedPoint(
                    index,
                    points.Slice(point.TagStart, point.TagLength),
                    timestampMs,
                    point.Kind,
                    point.Number,
                    point.Boolean,
                    (PointQuality)point.Quality);
                visitor.OnPoint(in decoded);
            }

            index++;
        }
    }

    // Reads one point object, leaving the reader on its closing brace. Problems are recorded, not
    // acted on, so that the whole object is consumed and the checks run in a fixed order.
    private static PointFields ReadPoint(ref Utf8JsonReader reader, ReadOnlySpan<byte> points)
    {
        var p = default(PointFields);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("tag"u8))
            {
                p.Duplicate |= p.HasTag;
                p.HasTag = true;
                reader.Read();
                p.TagValid = reader.TokenType == JsonTokenType.String && TryReadTag(ref reader, points, ref p);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("v"u8))
            {
                p.Duplicate |= p.HasValue;
                p.HasValue = true;
                reader.Read();
                ReadValue(ref reader, ref p);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("ts"u8))
            {
                p.Duplicate |= p.HasTimestamp;
                p.HasTimestamp = true;
                reader.Read();
                p.TimestampValid = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out p.TimestampMs);
                reader.Skip();
            }
            else if (reader.ValueTextEquals("q"u8))
            {
                p.Duplicate |= p.HasQuality;
                p.HasQuality = true;
                reader.Read();
                p.QualityValid = reader.TokenType == JsonTokenType.Number
                    && reader.TryGetInt32(out var q)
                    && (uint)q <= (uint)PointQuality.Bad;
                if (p.QualityValid)
                {
                    p.Quality = reader.GetByte();
                }

                reader.Skip();
            }
            else
            {
                reader.Read();
                reader.Skip();
            }
        }

        return p;
    }

    // Tags are kept as a slice of the payload so that the visitor gets them without a copy. An escaped
    // tag (e.g. "A\/B" from an encoder that escapes slashes) has no such slice; it is rejected as
    // invalid_tag (docs/contract.md explains why).
    private static bool TryReadTag(ref Utf8JsonReader reader, ReadOnlySpan<byte> points, ref PointFields p)
    {
        if (reader.ValueIsEscaped)
        {
            return false;
        }

        var tag = reader.ValueSpan;
        if (!Identifiers.IsValidTag(tag))
        {
            return false;
        }

        // TokenStartIndex is the opening quote.
        p.TagStart = (int)reader.TokenStartIndex + 1;
        p.TagLength = tag.Length;
        return true;
    }

    private static void ReadValue(ref Utf8JsonReader reader, ref PointFields p)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.Number:
                p.Kind = PointValueKind.Number;
                // TryGetDouble accepts 1e999 and returns infinity (checked on .NET 10), hence IsFinite.
                if (reader.TryGetDouble(out var number) && double.IsFinite(number))
                {
                    p.Number = number;
                    p.ValueState = ValueState.Valid;
                }
                else
                {
                    p.ValueState = ValueState.NonFinite;
                }

                break;
            case JsonTokenType.True:
            case JsonTokenType.False:
                p.Kind = PointValueKind.Boolean;
                p.Boolean = reader.TokenType == JsonTokenType.True;
                p.ValueState = ValueState.Valid;
                break;
            case JsonTokenType.Null:
                p.Kind = PointValueKind.Null;
                p.ValueState = ValueState.Valid;
                break;
            default:
                p.ValueState = ValueState.WrongType;
                break;
        }
    }

    private enum ValueState : byte
    {
        Missing,
        Valid,
        WrongType,
        NonFinite,
    }

    private struct EnvelopeScan
    {
        public RejectReason? Rejection;
        public ulong? Seq;
        public long? TimestampMs;
        public bool Simulated;
        public int PointCount;
        public int PointsStart;
        public int PointsLength;
    }

    private readonly struct PointLimits
    {
        public PointLimits(long? batchTimestampMs, long nowMs, long gatewayNowMs, TelemetryDecoderOptions options)
        {
            BatchTimestampMs = batchTimestampMs;
            var skewMs = options.MaxFutureSkew.Ticks / TimeSpan.TicksPerMillisecond;
            var windowMs = options.HistoryWindow.Ticks / TimeSpan.TicksPerMillisecond;
            var latest = Math.Max(nowMs, gatewayNowMs);
            var earliest = Math.Min(nowMs, gatewayNowMs);
            // Saturating, so that an extreme clock or option cannot wrap around.
            NewestMs = latest > long.MaxValue - skewMs ? long.MaxValue : latest + skewMs;
            OldestMs = earliest < long.MinValue + windowMs ? long.MinValue : earliest - windowMs;
        }

        public long? BatchTimestampMs { get; }
        public long NewestMs { get; }
        public long OldestMs { get; }
    }

    private struct PointFields
    {
        public bool Duplicate;
        public bool HasTag;
        public bool TagValid;
        public int TagStart;
        public int TagLength;
        public bool HasValue;
        public ValueState ValueState;
        public PointValueKind Kind;
        public double Number;
        public bool Boolean;
        public bool HasTimestamp;
        public bool TimestampValid;
        public long TimestampMs;
        public bool HasQuality;
        public bool QualityValid;
        public byte Quality;

        // One reason per point, in a fixed order: structure, identity, value, quality, time.
        public readonly RejectReason? Validate(in PointLimits limits, out long timestampMs)
        {
            timestampMs = 0;
            if (Duplicate)
            {
                return RejectReason.DuplicateField;
            }

            if (!HasTag)
            {
                return RejectReason.MissingTag;
            }

            if (!TagValid)
            {
                return RejectReason.InvalidTag;
            }

            if (HasQuality && !QualityValid)
            {
                return RejectReason.InvalidQuality;
            }

            switch (ValueState)
            {
                case ValueState.Missing:
                case ValueState.WrongType:
                    return RejectReason.InvalidValue;
                case ValueState.NonFinite:
                    return RejectReason.NonFiniteValue;
                case ValueState.Valid when Kind == PointValueKind.Null && Quality != (byte)PointQuality.Bad:
                    return RejectReason.InvalidValue;
            }

            if (HasTimestamp)
            {
                if (!TimestampValid)
                {
                    return RejectReason.InvalidTimestamp;
                }

                timestampMs = TimestampMs;
            }
            else if (limits.BatchTimestampMs is { } batchTs)
            {
                timestampMs = batchTs;
            }
            else
            {
                return RejectReason.MissingTimestamp;
            }

            if (timestampMs < 0 || timestampMs > MaxTimestampMs)
            {
                return RejectReason.InvalidTimestamp;
            }

            if (timestampMs > limits.NewestMs)
            {
                return RejectReason.FutureTimestamp;
            }

            return timestampMs < limits.OldestMs ? RejectReason.TooOld : null;
        }
    }
}

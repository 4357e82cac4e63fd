using System.Text;
using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>A telemetry message: decoding, each point into the batch and through its rules, refused points.</summary>
internal sealed partial class PartitionWorker
{
    private const int MaxInternedTags = 1_000_000;

    private readonly Dictionary<string, string> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _tagLookup;

    // Per message: the newest sensor time among its points, accepted or rejected as in the future (the clock sample).
    private long _messageNewestMs;

    private void Process(InboundMessage message)
    {
        IngestionMetrics.AddPipelineQueued(-1);
        var nowMs = _deps.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var gateway = message.State;
        gateway.MessageTaken();
        gateway.LastSeenAtMs = nowMs;
        gateway.Messages++;
        if (gateway.Silent)
        {
            // Data resumed after a silence: say so, as loudly as the silence was reported.
            gateway.Silent = false;
            ReportGatewayState(gateway, GatewayStates.Online, nowMs, nowMs);
        }

        if (message.Kind == TopicKind.Status)
            ProcessStatus(message, gateway, nowMs);
        else
            ProcessTelemetry(message, gateway, nowMs);

        if (_batchCount > 0 && _pendingAcks.Count == 0)
            _batchStartedAtMs = nowMs;
        _pendingAcks.Add(message);
    }

    private void ProcessTelemetry(InboundMessage message, GatewayState gateway, long nowMs)
    {
        var batchCountBefore = _batchCount;
        var rules = gateway.RulesIn(_deps.RuleSets.Current);
        _messageNewestMs = long.MinValue;
        var visitor = new TelemetryVisitor(this, message, gateway, rules, nowMs);
        // Judged against the gateway's own clock as well as the server's: no clock error rejects its live data.
        var result = TelemetryDecoder.Decode(message.Payload, nowMs, gateway.Clock.GatewayNowMs(nowMs), _deps.DecoderOptions, ref visitor);

        if (result.MessageRejection is RejectReason.NoValidPoints)
            Rejections.Count(RejectReasons.Name(RejectReason.NoValidPoints), gateway);
        else if (result.MessageRejection is { } reason)
            _deps.Rejections.Record(reason, message.Topic, gateway, detail: null, pointIndex: null, message.Payload);

        if (result.Envelope.Seq is { } seq && !result.IsRejected)
        {
            var lostBefore = gateway.LostMessages;
            if (!gateway.AccountSequence(seq, gateway.SequenceMayRestart))
                IngestionMetrics.DuplicateMessages.Add(1);
            gateway.SequenceMayRestart = false;
            if (gateway.LostMessages > lostBefore)
                IngestionMetrics.SequenceGaps.Add(gateway.LostMessages - lostBefore);
        }

        if (result.AcceptedPoints > 0)
        {
            gateway.Readings += result.AcceptedPoints;
            gateway.Simulated = result.Envelope.Simulated;
            IngestionMetrics.ReadingsAccepted.Add(result.AcceptedPoints);
            IngestionMetrics.EventTimeLag.Record(gateway.Clock.GatewayNowMs(nowMs) - _batch[batchCountBefore].TimestampMs);
        }

        if (_messageNewestMs != long.MinValue)
            ObserveClock(gateway, rules, message.ReceivedAtMs, nowMs);
    }

    private string InternTag(ReadOnlySpan<char> chars)
    {
        if (_tagLookup.TryGetValue(chars, out var tag))
            return tag;

        tag = new string(chars);
        // Bounded: a gateway inventing endless tags must not grow memory without limit.
        if (_tags.Count < MaxInternedTags)
            _tags[tag] = tag;
        return tag;
    }

    private void OnPoint(in DecodedPoint point, InboundMessage message, GatewayState gateway, GatewayRules? rules, bool simulated, long nowMs)
    {
        // Tags are ASCII by contract (validated by the decoder): one byte is one char, decoded once.
        Span<char> chars = stackalloc char[point.Tag.Length];
        Encoding.Latin1.GetChars(point.Tag, chars);
        SensorRules? sensor = null;
        string tag;
        if (rules is not null && rules.TryGetSensor(chars, out var found))
        {
            sensor = found;
            tag = found.Tag;
        }
        else
        {
            tag = InternTag(chars);
        }

        _batch[_batchCount++] = new Reading(message.Enterprise, message.Gateway, tag, point.TimestampMs, point.Kind, point.Number, point.Boolean, point.Quality);
        if (point.TimestampMs > _messageNewestMs)
            _messageNewestMs = point.TimestampMs;

        if (sensor is null)
            return;

        var number = point.Kind == PointValueKind.Boolean ? (point.Boolean ? 1d : 0d) : point.Number;
        Evaluator.Evaluate(rules!, sensor, gateway, point.TimestampMs, point.Kind, number, point.Quality, message.ReceivedAtMs,
            nowMs, simulated, TransitionOrigin.Reading, _pendingJournal);
    }

    private void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint, InboundMessage message, GatewayState gateway, long? batchTimestampMs)
    {
        // A gateway whose clock was set far ahead: its first messages are in the future against every clock known
        // so far. Their timestamps still tell the clock estimate, so the next messages are accepted (GatewayClock).
        if (reason == RejectReason.FutureTimestamp && (PointTimestamp(rawPoint) ?? batchTimestampMs) is { } ts && ts > _messageNewestMs)
            _messageNewestMs = ts;

        _deps.Rejections.Record(reason, message.Topic, gateway, detail: null, pointIndex: index, rawPoint);
    }

    /// <summary>The <c>ts</c> of a point's JSON text, if it has a valid one (rare path: future-rejected points only).</summary>
    private static long? PointTimestamp(ReadOnlySpan<byte> rawPoint)
    {
        var reader = new System.Text.Json.Utf8JsonReader(rawPoint);
        try
        {
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isTs = reader.ValueTextEquals("ts"u8);
                if (!reader.Read())
                    return null;
                if (isTs)
                    return reader.TokenType == System.Text.Json.JsonTokenType.Number && reader.TryGetInt64(out var ts) ? ts : null;
                reader.Skip();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not reachable for a point the decoder parsed; no timestamp then.
        }

        return null;
    }

    /// <summary>Receives the decoder's callbacks. A struct holding references, passed by ref: nothing is boxed or captured.</summary>
    private struct TelemetryVisitor(PartitionWorker worker, InboundMessage message, GatewayState gateway, GatewayRules? rules, long nowMs) : ITelemetryVisitor
    {
        private bool _simulated;
        private long? _batchTimestampMs;

        public void OnEnvelope(in TelemetryEnvelope envelope)
        {
            _simulated = envelope.Simulated;
            _batchTimestampMs = envelope.TimestampMs;
        }

        public readonly void OnPoint(in DecodedPoint point) => worker.OnPoint(point, message, gateway, rules, _simulated, nowMs);

        public readonly void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint) =>
            worker.OnPointRejected(reason, index, rawPoint, message, gateway, _batchTimestampMs);
    }
}

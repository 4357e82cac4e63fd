using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Monitoring.Simulators.Gateway;

/// <summary>How a simulated gateway identifies itself and shapes its traffic.</summary>
public sealed class GatewayOptions
{
    public required string Enterprise { get; init; }

    public required string Gateway { get; init; }

    public string TopicRoot { get; init; } = "mon/v1";

    /// <summary>Marks every batch <c>"sim": true</c>, so its alarms carry <c>simulated: true</c> and never page a person.</summary>
    public bool Simulated { get; init; } = true;

    /// <summary>Added to every timestamp the gateway writes, as a gateway with a wrong clock would.</summary>
    public TimeSpan ClockSkew { get; init; }

    /// <summary>A batch with more points is split into several messages.</summary>
    public int MaxPointsPerBatch { get; init; } = 1000;

    /// <summary>Messages kept while the link is down; the oldest are dropped beyond it (counted in <see cref="SimulatedGateway.Dropped"/>).</summary>
    public int BufferLimit { get; init; } = 100_000;

    public string Firmware { get; init; } = "monitoring-sim/1";

    public string TelemetryTopic => $"{TopicRoot}/{Enterprise}/{Gateway}/telemetry";

    public string StatusTopic => $"{TopicRoot}/{Enterprise}/{Gateway}/status";
}

/// <summary>
/// A plant gateway as real ones behave: one <c>seq</c> per message, retained <c>online</c> status with a
/// retained <c>offline</c> last will, points collected into batches, and while the link is down the batches
/// are kept and later back-filled in order with their original timestamps.
/// </summary>
public sealed class SimulatedGateway
{
    private readonly IMessageSink _sink;
    private readonly List<PendingPoint> _pending = [];
    private readonly Queue<byte[]> _buffer = new();
    private readonly ArrayBufferWriter<byte> _writer = new(4096);
    private bool _linkUp;

    public SimulatedGateway(IMessageSink sink, GatewayOptions options)
    {
        _sink = sink;
        Options = options;
    }

    public GatewayOptions Options { get; }

    /// <summary>The <c>seq</c> the next message will carry.</summary>
    public ulong NextSeq { get; private set; }

    public long MessagesPublished { get; private set; }

    public long PointsPublished { get; private set; }

    public int Buffered => _buffer.Count;

    public long Dropped { get; private set; }

    public bool LinkUp => _linkUp;

    public int PendingPoints => _pending.Count;

    /// <summary>Connects and publishes the retained <c>online</c> status.</summary>
    public async Task StartAsync(long nowMs, CancellationToken cancellationToken)
    {
        await _sink.ConnectAsync(Options.StatusTopic, StatusPayload("offline", null, Options.Firmware), cancellationToken);
        _linkUp = true;
        await _sink.PublishAsync(Options.StatusTopic, StatusPayload("online", Skewed(nowMs), Options.Firmware), retain: true, cancellationToken);
    }

    /// <summary>Publishes the retained <c>offline</c> status and closes the link, as a gateway shut down on purpose.</summary>
    public async Task StopAsync(long nowMs, CancellationToken cancellationToken)
    {
        if (_linkUp && _sink.IsConnected)
        {
            await _sink.PublishAsync(Options.StatusTopic, StatusPayload("offline", Skewed(nowMs), Options.Firmware), retain: true, cancellationToken);
            await _sink.DisconnectAsync(sendWill: false, cancellationToken);
        }

        _linkUp = false;
    }

    /// <summary>The link breaks: the broker publishes the last will; telemetry is buffered from now on.</summary>
    public async Task LoseLinkAsync(CancellationToken cancellationToken)
    {
        _linkUp = false;
        await _sink.DisconnectAsync(sendWill: true, cancellationToken);
    }

    /// <summary>The link is back: reconnect, announce <c>online</c>, then back-fill every buffered message in order.</summary>
    public async Task RestoreLinkAsync(long nowMs, CancellationToken cancellationToken)
    {
        await StartAsync(nowMs, cancellationToken);
        while (_buffer.Count > 0)
        {
            await _sink.PublishAsync(Options.TelemetryTopic, _buffer.Peek(), retain: false, cancellationToken);
            _buffer.Dequeue();
            MessagesPublished++;
        }
    }

    public void Add(string tag, long timestampMs, double value) => _pending.Add(new PendingPoint(tag, timestampMs, PointKind.Number, value, 0));

    public void Add(string tag, long timestampMs, bool value) => _pending.Add(new PendingPoint(tag, timestampMs, PointKind.Boolean, value ? 1 : 0, 0));

    /// <summary>A reading the sensor could not deliver: <c>"v": null, "q": 2</c>.</summary>
    public void AddBad(string tag, long timestampMs) => _pending.Add(new PendingPoint(tag, timestampMs, PointKind.Null, 0, 2));

    /// <summary>
    /// Sends the collected points as one message per <see cref="GatewayOptions.MaxPointsPerBatch"/>, with batch
    /// <c>ts</c> <paramref name="batchTimestampMs"/>; points with another timestamp carry their own. Kept in the
    /// buffer while the link is down.
    /// </summary>
    public async Task FlushAsync(long batchTimestampMs, CancellationToken cancellationToken)
    {
        var start = 0;
        while (start < _pending.Count)
        {
            var count = Math.Min(Options.MaxPointsPerBatch, _pending.Count - start);
            var payload = WriteBatch(NextSeq, batchTimestampMs, start, count);
            NextSeq++;
            PointsPublished += count;
            if (_linkUp && _sink.IsConnected)
            {
                await _sink.PublishAsync(Options.TelemetryTopic, payload, retain: false, cancellationToken);
                MessagesPublished++;
            }
            else
            {
                if (_buffer.Count >= Options.BufferLimit)
                {
                    _buffer.Dequeue();
                    Dropped++;
                }

                _buffer.Enqueue(payload);
            }

            start += count;
        }

        _pending.Clear();
    }

    private long Skewed(long ms) => ms + (long)Options.ClockSkew.TotalMilliseconds;

    private byte[] WriteBatch(ulong seq, long batchTs, int start, int count)
    {
        _writer.ResetWrittenCount();
        using (var json = new Utf8JsonWriter(_writer))
        {
            json.WriteStartObject();
            json.WriteNumber("seq", seq);
            json.WriteNumber("ts", Skewed(batchTs));
            if (Options.Simulated)
                json.WriteBoolean("sim", true);
            json.WriteStartArray("points");
            for (var i = start; i < start + count; i++)
            {
                var point = _pending[i];
                json.WriteStartObject();
                json.WriteString("tag", point.Tag);
                switch (point.Kind)
                {
                    case PointKind.Number:
                        json.WriteNumber("v", point.Value);
                        break;
                    case PointKind.Boolean:
                        json.WriteBoolean("v", point.Value != 0);
                        break;
                    default:
                        json.WriteNull("v");
                        break;
                }

                if (point.TimestampMs != batchTs)
                    json.WriteNumber("ts", Skewed(point.TimestampMs));
                if (point.Quality != 0)
                    json.WriteNumber("q", point.Quality);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        return _writer.WrittenSpan.ToArray();
    }

    /// <summary>The contract's status payload: <c>{"state":..,"ts":..,"fw":..}</c>.</summary>
    public static byte[] StatusPayload(string state, long? timestampMs, string? firmware)
    {
        var buffer = new ArrayBufferWriter<byte>(128);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("state", state);
            if (timestampMs is { } ts)
                json.WriteNumber("ts", ts);
            if (firmware is not null)
                json.WriteString("fw", firmware);
            json.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    public static string Text(ReadOnlyMemory<byte> payload) => Encoding.UTF8.GetString(payload.Span);

    private enum PointKind
    {
        Number,
        Boolean,
        Null,
    }

    private readonly record struct PendingPoint(string Tag, long TimestampMs, PointKind Kind, double Value, int Quality);
}

using System.Buffers;
using System.Globalization;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Monitoring.LoadTests;

/// <summary>
/// Consumes <c>AlarmRaised</c> as the supervision platform would (a queue bound to the MassTransit fanout
/// exchange, the event under <c>message</c>) and keeps, per event of this run, its sensor time and how
/// long after it the event was consumed.
/// </summary>
public sealed class AlarmListener : IAsyncDisposable
{
    public const string Exchange = "Monitoring.Contracts:AlarmRaised";
    private readonly List<(long OccurredMs, long LatencyUs)> _events = [];
    private readonly Lock _lock = new();
    private readonly string _enterprisePrefix;
    private IConnection? _connection;
    private IChannel? _channel;

    private AlarmListener(string enterprisePrefix) => _enterprisePrefix = enterprisePrefix;

    public static async Task<AlarmListener> StartAsync(int amqpPort, string enterprisePrefix, CancellationToken cancellationToken)
    {
        var listener = new AlarmListener(enterprisePrefix);
        var factory = new ConnectionFactory { HostName = "127.0.0.1", Port = amqpPort, UserName = "guest", Password = "guest" };
        listener._connection = await factory.CreateConnectionAsync(cancellationToken);
        var channel = await listener._connection.CreateChannelAsync(cancellationToken: cancellationToken);
        listener._channel = channel;
        // The same declaration as MassTransit's publish topology: whichever side comes first wins harmlessly.
        await channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await channel.QueueBindAsync(queue.QueueName, Exchange, string.Empty, cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            listener.OnEvent(delivery.Body);
            return Task.CompletedTask;
        };
        await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);
        return listener;
    }

    private void OnEvent(ReadOnlyMemory<byte> body)
    {
        var received = TimeProvider.System.GetUtcNow();
        using var document = JsonDocument.Parse(body);
        if (!document.RootElement.TryGetProperty("message", out var message))
            return;
        var enterprise = message.TryGetProperty("enterprise", out var e) ? e.GetString() ?? string.Empty : string.Empty;
        if (!enterprise.StartsWith(_enterprisePrefix, StringComparison.Ordinal))
            return;
        var occurred = message.GetProperty("occurredAt").GetDateTimeOffset();
        var latencyUs = (long)(received - occurred).TotalMicroseconds;
        lock (_lock)
            _events.Add((occurred.ToUnixTimeMilliseconds(), latencyUs));
    }

    /// <summary>Latency of the events whose sensor time is in [from, to] ms, and how many there were.</summary>
    public Latency Between(long fromMs, long toMs)
    {
        var latency = new Latency();
        lock (_lock)
        {
            foreach (var (occurred, us) in _events)
            {
                if (occurred >= fromMs && occurred <= toMs)
                    latency.RecordMicroseconds(us);
            }
        }

        return latency;
    }

    public async ValueTask DisposeAsync()
    {
        if (_channel is not null)
        {
            await _channel.CloseAsync();
            _channel.Dispose();
        }

        if (_connection is not null)
        {
            await _connection.CloseAsync();
            _connection.Dispose();
        }
    }
}

/// <summary>
/// Sensor time -> readable in InfluxDB, sampled: one probe at a time takes a gateway's last acknowledged
/// message and polls for its alarm-point reading until it is there.
/// </summary>
public sealed class VisibilityProbe : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public VisibilityProbe(Influx influx, string database, FleetLoad fleet, Latency latency)
    {
        _loop = Task.Run(async () =>
        {
            var gateway = 0;
            var shape = fleet.Shape;
            try
            {
                while (!_stop.IsCancellationRequested)
                {
                    gateway = (gateway + 7) % shape.Gateways;
                    // Wait for the gateway's next message: its last one may be a whole tick old already,
                    // and that age is not the service's latency.
                    var previous = fleet.LastAcknowledgedTs(gateway);
                    var ts = previous;
                    var waitStart = TimeProvider.System.GetTimestamp();
                    while (ts == previous && TimeProvider.System.GetElapsedTime(waitStart) < TimeSpan.FromSeconds(5))
                    {
                        await Task.Delay(TimeSpan.FromMilliseconds(1), _stop.Token);
                        ts = fleet.LastAcknowledgedTs(gateway);
                    }

                    if (ts == previous)
                        continue;

                    while (!await influx.ExistsAsync(database, shape.Enterprise(gateway), shape.Gateway(gateway), FleetShape.AlarmPoint, ts, _stop.Token))
                    {
                        if (TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - ts > 60_000)
                            break;
                        await Task.Delay(TimeSpan.FromMilliseconds(5), _stop.Token);
                    }

                    latency.RecordMicroseconds((TimeProvider.System.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ts)).Ticks / 10);
                    await Task.Delay(TimeSpan.FromMilliseconds(20), _stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
                // Step over.
            }
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

/// <summary>
/// The broker pass-through reference: an MQTT 5 subscriber (QoS 1, Receive Maximum 65535, acknowledged as
/// soon as the handler returns) that only counts what arrives and, from the batch <c>ts</c>, how late.
/// </summary>
public sealed class PassThroughSubscriber : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly int _pointsPerMessage;
    private long _messages;

    private PassThroughSubscriber(int pointsPerMessage) => _pointsPerMessage = pointsPerMessage;

    public Latency Delivery { get; set; } = new();

    public long Readings => Interlocked.Read(ref _messages) * _pointsPerMessage;

    public static async Task<PassThroughSubscriber> StartAsync(int port, string topicRoot, int pointsPerMessage, CancellationToken cancellationToken)
    {
        var subscriber = new PassThroughSubscriber(pointsPerMessage);
        subscriber._client.ApplicationMessageReceivedAsync += e =>
        {
            if (e.ApplicationMessage.Topic.EndsWith("/telemetry", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref subscriber._messages);
                var ts = BatchTimestamp(e.ApplicationMessage.Payload);
                if (ts > 0)
                    subscriber.Delivery.RecordMicroseconds((TimeProvider.System.GetUtcNow() - DateTimeOffset.FromUnixTimeMilliseconds(ts)).Ticks / 10);
            }

            return Task.CompletedTask;
        };
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId("load-passthrough-" + Guid.NewGuid().ToString("N")[..8])
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithReceiveMaximum(65535)
            .Build();
        // MQTTnet's default 8 KiB socket buffers stall delivery on loopback (MqttOptions.SocketBufferBytes).
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 4 * 1024 * 1024;
        await subscriber._client.ConnectAsync(options, cancellationToken);
        var factory = new MqttClientFactory();
        await subscriber._client.SubscribeAsync(
            factory.CreateSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic($"{topicRoot}/+/+/telemetry").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(),
            cancellationToken);
        return subscriber;
    }

    /// <summary>The top-level <c>ts</c>, read without building a document: the simulator writes it second.</summary>
    private static long BatchTimestamp(ReadOnlySequence<byte> payload)
    {
        var reader = new Utf8JsonReader(payload);
        var depth = 0;
        while (reader.Read())
        {
            switch (reader.TokenType)
            {
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    depth++;
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    depth--;
                    break;
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("ts"u8):
                    reader.Read();
                    return reader.GetInt64();
                case JsonTokenType.PropertyName when depth == 1 && reader.ValueTextEquals("points"u8):
                    return 0;
                default:
                    break;
            }
        }

        return 0;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
            await _client.DisconnectAsync();
        _client.Dispose();
    }
}

internal static class Invariant
{
    public static string F(double value, string format = "0.#") => value.ToString(format, CultureInfo.InvariantCulture);
}

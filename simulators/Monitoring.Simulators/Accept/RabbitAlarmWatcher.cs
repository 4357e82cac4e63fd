using System.Globalization;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Monitoring.Simulators.Accept;

/// <summary>
/// Watches <c>AlarmRaised</c> on RabbitMQ as any supervision consumer would: an exclusive queue bound to the
/// MassTransit fanout exchange <c>Monitoring.Contracts:AlarmRaised</c>, reading the envelope's <c>message</c>.
/// </summary>
public sealed class RabbitAlarmWatcher : IAlarmWatcher
{
    private const string Exchange = "Monitoring.Contracts:AlarmRaised";
    private readonly ConnectionFactory _factory;
    private readonly List<ObservedAlarm> _alarms = [];
    private readonly Lock _lock = new();
    private IConnection? _connection;
    private IChannel? _channel;

    public RabbitAlarmWatcher(string host, int port, string virtualHost = "/", string user = "guest", string password = "guest")
    {
        _factory = new ConnectionFactory { HostName = host, Port = port, VirtualHost = virtualHost, UserName = user, Password = password };
        Source = string.Create(CultureInfo.InvariantCulture, $"RabbitMQ amqp://{host}:{port}{(virtualHost == "/" ? "/" : "/" + virtualHost)} exchange {Exchange}");
    }

    public string Source { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            _connection = await _factory.CreateConnectionAsync(cancellationToken);
        }
        catch (BrokerUnreachableException ex)
        {
            throw new Gateway.BrokerUnreachableException($"cannot reach RabbitMQ at {_factory.HostName}:{_factory.Port.ToString(CultureInfo.InvariantCulture)} (virtual host '{_factory.VirtualHost}'): {ex.InnerException?.Message ?? ex.Message}", ex);
        }

        _channel = await _connection.CreateChannelAsync(cancellationToken: cancellationToken);
        // The same declaration as MassTransit's publish topology, so whichever side comes first wins harmlessly.
        await _channel.ExchangeDeclareAsync(Exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: cancellationToken);
        var queue = await _channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true, cancellationToken: cancellationToken);
        await _channel.QueueBindAsync(queue.QueueName, Exchange, string.Empty, cancellationToken: cancellationToken);
        var consumer = new AsyncEventingBasicConsumer(_channel);
        consumer.ReceivedAsync += (_, delivery) =>
        {
            using var document = JsonDocument.Parse(delivery.Body);
            if (document.RootElement.TryGetProperty("message", out var message))
            {
                var alarm = ObservedAlarm.FromJson(message);
                lock (_lock)
                    _alarms.Add(alarm);
            }

            return Task.CompletedTask;
        };
        await _channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer, cancellationToken);
    }

    public IReadOnlyList<ObservedAlarm> Snapshot()
    {
        lock (_lock)
            return [.. _alarms];
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

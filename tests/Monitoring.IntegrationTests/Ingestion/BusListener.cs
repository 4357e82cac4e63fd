using System.Text.Json;
using System.Threading.Channels;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// Reads alarm events the way a non-.NET consumer of the supervision platform would: its own queue
/// bound to the MassTransit fanout exchange <c>Monitoring.Contracts:&lt;Type&gt;</c>, reading the
/// <c>message</c> property of the JSON envelope.
/// </summary>
internal sealed class BusListener : IAsyncDisposable
{
    private readonly IConnection _connection;
    private readonly IChannel _channel;
    private readonly Channel<(string Type, JsonElement Envelope)> _received = Channel.CreateUnbounded<(string, JsonElement)>();

    private readonly List<string> _skipped = [];

    private BusListener(IConnection connection, IChannel channel)
    {
        _connection = connection;
        _channel = channel;
    }

    public static Task<BusListener> StartAsync(string host, int port, string virtualHost, string user, string password, params string[] types) =>
        StartAsync(host, port, virtualHost, user, password, declareExchanges: true, types);

    /// <summary>
    /// Binds to exchanges that must already exist (a consumer that relies on the service having
    /// declared them): binding to a missing exchange fails with 404 NOT_FOUND.
    /// </summary>
    public static Task<BusListener> BindToExistingAsync(string host, int port, string virtualHost, string user, string password, params string[] types) =>
        StartAsync(host, port, virtualHost, user, password, declareExchanges: false, types);

    private static async Task<BusListener> StartAsync(string host, int port, string virtualHost, string user, string password, bool declareExchanges, string[] types)
    {
        var factory = new ConnectionFactory { HostName = host, Port = port, VirtualHost = virtualHost, UserName = user, Password = password };
        var connection = await factory.CreateConnectionAsync();
        var channel = await connection.CreateChannelAsync();
        var listener = new BusListener(connection, channel);
        foreach (var type in types)
        {
            var exchange = $"Monitoring.Contracts:{type}";
            // Same declaration as MassTransit's publish topology, so whichever side comes first wins harmlessly.
            if (declareExchanges)
                await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            var queue = await channel.QueueDeclareAsync(string.Empty, durable: false, exclusive: true, autoDelete: true);
            await channel.QueueBindAsync(queue.QueueName, exchange, string.Empty);
            var consumer = new AsyncEventingBasicConsumer(channel);
            var typeName = type;
            consumer.ReceivedAsync += (_, delivery) =>
            {
                using var document = JsonDocument.Parse(delivery.Body);
                listener._received.Writer.TryWrite((typeName, document.RootElement.Clone()));
                return Task.CompletedTask;
            };
            await channel.BasicConsumeAsync(queue.QueueName, autoAck: true, consumer);
        }

        return listener;
    }

    /// <summary>Waits for the next event of <paramref name="type"/>; returns its envelope (the contract's fields are under <c>message</c>).</summary>
    public async Task<JsonElement> NextAsync(string type, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (true)
            {
                var (received, envelope) = await _received.Reader.ReadAsync(cts.Token);
                if (received == type)
                    return envelope;
                _skipped.Add(received);
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"no {type} event within {timeout}");
        }
    }

    /// <summary>
    /// Takes every event as it arrives (any type) until <paramref name="done"/> holds for those taken so far; returns them,
    /// as (type, <c>message</c>), in arrival order.
    /// </summary>
    public async Task<List<(string Type, JsonElement Message)>> TakeUntilAsync(Func<IReadOnlyList<(string Type, JsonElement Message)>, bool> done, TimeSpan timeout, string what)
    {
        var taken = new List<(string Type, JsonElement Message)>();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            while (!done(taken))
            {
                var (type, envelope) = await _received.Reader.ReadAsync(cts.Token);
                taken.Add((type, envelope.GetProperty("message")));
            }

            return taken;
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{what}: not within {timeout}; took {string.Join(", ", taken.Select(t => t.Type))}");
        }
    }

    /// <summary>Events of <paramref name="type"/> received and not yet taken (skipped ones included).</summary>
    public int Pending(string type)
    {
        var count = _skipped.Count(t => t == type);
        return count + (_received.Reader.Count > 0 ? CountQueued(type) : 0);
    }

    private int CountQueued(string type)
    {
        var count = 0;
        while (_received.Reader.TryRead(out var item))
        {
            _skipped.Add(item.Type);
            if (item.Type == type)
                count++;
        }

        return count;
    }

    public async ValueTask DisposeAsync()
    {
        await _channel.CloseAsync();
        await _connection.CloseAsync();
        _channel.Dispose();
        _connection.Dispose();
    }
}

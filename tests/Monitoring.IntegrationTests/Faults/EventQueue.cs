using System.Text.Json;
using Monitoring.Testing;
using RabbitMQ.Client;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>One alarm event as a consumer of the bus saw it; for a major-hazard event, <see cref="AlarmId"/> is the hazard record's id.</summary>
internal sealed record ReceivedEvent(string Type, Guid AlarmId, Guid EventId, Guid MessageId, long Sequence, string? RuleId = null, bool Historical = false, DateTimeOffset OccurredAt = default, double? Value = null, string? Gateway = null);

/// <summary>
/// A consumer's durable queue, bound to the MassTransit fanout exchanges before the service starts:
/// unlike an exclusive auto-delete queue (BusListener's) it survives a RabbitMQ restart with what it
/// holds, so a fault test sees every event the service published whatever the broker did meanwhile.
/// Read by polling (basic.get on a fresh connection), which rides through broker restarts too.
/// </summary>
internal sealed class EventQueue
{
    private readonly ConnectionFactory _factory;
    private readonly string _queue;
    private readonly List<ReceivedEvent> _received = [];

    private EventQueue(ConnectionFactory factory, string queue)
    {
        _factory = factory;
        _queue = queue;
    }

    public static async Task<EventQueue> DeclareAsync(RealServers servers, string virtualHost, params string[] types)
    {
        var factory = new ConnectionFactory
        {
            HostName = servers.AmqpHost,
            Port = servers.AmqpPort,
            VirtualHost = virtualHost,
            UserName = servers.AmqpUser,
            Password = servers.AmqpPassword,
            AutomaticRecoveryEnabled = false,
        };
        var queue = RealServers.UniqueName("events-");
        await using var connection = await factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false);
        foreach (var type in types)
        {
            var exchange = $"Monitoring.Contracts:{type}";
            // Same declaration as MassTransit's publish topology, so whichever side comes first wins harmlessly.
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false);
            await channel.QueueBindAsync(queue, exchange, string.Empty);
        }

        await channel.CloseAsync();
        await connection.CloseAsync();
        return new EventQueue(factory, queue);
    }

    /// <summary>Takes what the queue holds now and returns every event received so far, in arrival order.</summary>
    public async Task<IReadOnlyList<ReceivedEvent>> DrainAsync()
    {
        await using var connection = await _factory.CreateConnectionAsync();
        await using var channel = await connection.CreateChannelAsync();
        while (await channel.BasicGetAsync(_queue, autoAck: true) is { } delivery)
        {
            using var document = JsonDocument.Parse(delivery.Body);
            var envelope = document.RootElement;
            var message = envelope.GetProperty("message");
            var urn = envelope.GetProperty("messageType")[0].GetString()!;
            _received.Add(new ReceivedEvent(
                urn[(urn.LastIndexOf(':') + 1)..],
                (message.TryGetProperty("hazardId", out var hazard) ? hazard : message.GetProperty("alarmId")).GetGuid(),
                message.GetProperty("eventId").GetGuid(),
                envelope.GetProperty("messageId").GetGuid(),
                message.GetProperty("sequence").GetInt64(),
                message.TryGetProperty("ruleId", out var rule) ? rule.GetString() : null,
                message.TryGetProperty("historical", out var historical) && historical.GetBoolean(),
                message.TryGetProperty("occurredAt", out var at) ? at.GetDateTimeOffset() : default,
                message.TryGetProperty("value", out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null,
                message.TryGetProperty("gateway", out var gateway) ? gateway.GetString() : null));
        }

        await channel.CloseAsync();
        await connection.CloseAsync();
        return [.. _received];
    }

    /// <summary>Distinct transitions (by eventId) received so far.</summary>
    public async Task<int> CountDistinctAsync() => (await DrainAsync()).Select(e => e.EventId).Distinct().Count();
}

using System.Text.Json;
using MassTransit;
using Microsoft.Extensions.Options;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;

namespace Monitoring.Ingestion.Bus;

/// <summary>
/// Drains the outbox to the bus in commit order, one event at a time, deleting each only after the
/// bus accepted it (RabbitMQ publisher confirm). At least once: a crash between publish and delete
/// republishes the event with the same <c>eventId</c> (also used as MassTransit's MessageId), which
/// consumers dedupe. While the bus is down events wait in the outbox; nothing is dropped.
/// </summary>
internal sealed partial class OutboxPublisher(
    AlarmJournal journal,
    OutboxSignal signal,
    AlarmFeed feed,
    IBus bus,
    IOptions<BusOptions> options,
    TimeProvider time,
    ILogger<OutboxPublisher> logger) : BackgroundService
{
    private static readonly TimeSpan IdlePoll = TimeSpan.FromSeconds(1);

    /// <summary>True after the last attempt to publish succeeded (or there was nothing to publish).</summary>
    public bool IsHealthy { get; private set; } = true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var published = await PublishPendingAsync(stoppingToken);
                failures = 0;
                IsHealthy = true;
                if (published == 0)
                    await signal.WaitAsync(IdlePoll, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                IsHealthy = false;
                failures++;
                IngestionMetrics.PublishFailures.Add(1);
                LogPublishFailed(logger, failures, ex.Message);
                var backoff = TimeSpan.FromMilliseconds(Math.Min(10_000, 200 * Math.Pow(2, Math.Min(failures, 6))));
                try
                {
                    await Task.Delay(backoff, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Bound of the final flush on stop; what is left waits in the durable outbox for the next start.</summary>
    public static readonly TimeSpan FinalFlushTimeout = TimeSpan.FromSeconds(10);

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);

        // The ingestion path has drained into the outbox by now (it stops first): publish what it left.
        using var flush = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        flush.CancelAfter(FinalFlushTimeout);
        try
        {
            while (await PublishPendingAsync(flush.Token) > 0)
            {
            }
        }
        catch (Exception ex)
        {
            LogFinalFlushIncomplete(logger, ex.Message);
        }
    }

    /// <summary>Publishes what is in the outbox now. Returns how many events were published.</summary>
    public async Task<int> PublishPendingAsync(CancellationToken cancellationToken)
    {
        // Counted before publishing too, so the gauge shows the backlog while the bus is down.
        IngestionMetrics.SetOutboxDepth(await journal.CountOutboxAsync(cancellationToken));
        var items = await journal.ReadOutboxAsync(options.Value.PublishBatch, cancellationToken);
        // The alarm list changed with these events: the console hears it now, even while the bus is down.
        if (items.Count > 0)
            feed.Changed();
        foreach (var item in items)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(options.Value.PublishTimeout);
            await PublishAsync(item, timeout.Token);
            await journal.DeleteOutboxAsync(item.Id, CancellationToken.None);
            IngestionMetrics.EventsPublished.Add(1, new KeyValuePair<string, object?>("type", item.MessageType));
        }

        IngestionMetrics.SetOutboxDepth(await journal.CountOutboxAsync(cancellationToken));
        return items.Count;
    }

    private Task PublishAsync(OutboxItem item, CancellationToken cancellationToken)
    {
        if (!PublishedEvents.TryGetType(item.MessageType, out var type))
            throw new InvalidOperationException($"Outbox item {item.Id} has unknown message type '{item.MessageType}'");
        var message = JsonSerializer.Deserialize(item.Payload, type, AlarmJournal.JsonOptions)
                      ?? throw new InvalidOperationException($"Outbox item {item.Id} is empty");
        var eventId = item.EventId;
        // Published as its contract type (not object), so it goes to that type's exchange; the envelope
        // names only that type, not the shared AlarmEvent base MassTransit would add (docs/contract.md 3).
        string[] messageType = [MessageUrn.ForTypeString(type)];
        return bus.Publish(message, type, context =>
        {
            context.MessageId = eventId;
            context.SupportedMessageTypes = messageType;
        }, cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Final outbox flush on stop did not finish; the rest is published at the next start: {Error}")]
    private static partial void LogFinalFlushIncomplete(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Publishing alarm events failed ({Failures} in a row); they stay in the outbox: {Error}")]
    private static partial void LogPublishFailed(ILogger logger, int failures, string error);
}

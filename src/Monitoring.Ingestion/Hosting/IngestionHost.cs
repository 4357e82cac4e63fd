using Microsoft.Extensions.Options;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Mqtt;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Hosting;

/// <summary>
/// Starts and stops the ingestion path in the order its guarantees need.
/// Start: stores and journal, restore active alarms, replay the last stored minutes through the rules, workers, embedded broker, MQTT connections
/// (a broker that cannot be reached fails the start with a clear message).
/// Stop: stop taking messages, let the workers write and acknowledge what they hold (bounded by
/// <see cref="DrainTimeout"/>), then disconnect. Anything unacknowledged is redelivered by the broker.
/// </summary>
internal sealed partial class IngestionHost(
    ITimeSeriesStore store,
    AlarmJournal journal,
    AlarmTracker alarms,
    DeadLetterStore deadLetters,
    IngestionPipeline pipeline,
    MqttIngress ingress,
    EmbeddedBroker embeddedBroker,
    IOptions<MqttOptions> mqttOptions,
    RuleSetHolder ruleSets,
    GatewayRegistry gateways,
    RuleStateReplay replay,
    TimeProvider time,
    ILogger<IngestionHost> logger) : IHostedService
{
    public static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(20);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await store.InitializeAsync(cancellationToken);
        alarms.Restore(await journal.LoadActiveAsync(cancellationToken));
        RestoreRuleState();
        Observability.IngestionMetrics.ObserveSuppressedByMode(() => ruleSets.Current.Gateways.Sum(g => g.SuppressedCount));
        var startedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var site in ruleSets.Current.Sites)
        {
            foreach (var configured in site.Gateways)
                gateways.Expect(site.Enterprise, configured.Id, startedAtMs);
        }

        // Before the workers and the MQTT connections: the replay owns the rule state while it runs.
        await replay.RunAsync(cancellationToken);
        await deadLetters.StartAsync(cancellationToken);
        pipeline.Start();

        var mqtt = mqttOptions.Value;
        if (mqtt.Broker == BrokerMode.Embedded)
            await embeddedBroker.StartAsync();

        try
        {
            await ingress.StartAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            throw new InvalidOperationException(
                $"Cannot connect to the MQTT broker at {mqtt.Host}:{mqtt.Port} (Monitoring:Mqtt). {ex.Message}", ex);
        }

        LogStarted(logger, store.Name, mqtt.Broker.ToString());
    }

    /// <summary>
    /// Tells the rules which alarms are still active, so that a condition still true raises nothing new
    /// and a return to normal clears the restored alarm. An alarm whose rule no longer exists stays
    /// listed until an operator deals with it (issue: configuration reload).
    /// </summary>
    private void RestoreRuleState()
    {
        var rules = ruleSets.Current;
        foreach (var alarm in alarms.All)
        {
            if (!alarm.ConditionActive || !rules.TryGetCondition(alarm.Key, out var condition))
                continue;
            var gateway = rules.FindGateway(condition.Enterprise, condition.Gateway);
            foreach (var tag in condition.Tags)
            {
                if (gateway is not null && gateway.TryGetSensor(tag, out var sensor))
                    sensor.RestoreActive(condition);
            }
        }
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        ingress.StopAccepting();
        await pipeline.DrainAsync(DrainTimeout);
        await ingress.DisposeAsync();
        await embeddedBroker.DisposeAsync();
        await deadLetters.StopAsync(cancellationToken);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Ingestion started: store {Store}, broker {Broker}")]
    private static partial void LogStarted(ILogger logger, string store, string broker);
}

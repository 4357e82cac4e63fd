using Microsoft.Extensions.Options;
using Monitoring.Ingestion.Mqtt;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Hosting;

/// <summary>
/// Starts and stops the ingestion path in the order its guarantees need.
/// Start: stores and journal, restore the journal's alarms and gateway clocks and replay the last stored minutes through the rules (RuleStateReplay), workers, embedded broker, MQTT connections
/// (a broker that cannot be reached fails the start with a clear message).
/// Stop: stop taking messages, let the workers write and acknowledge what they hold (bounded by
/// <see cref="DrainTimeout"/>), then disconnect. Anything unacknowledged is redelivered by the broker.
/// </summary>
internal sealed partial class IngestionHost(
    ITimeSeriesStore store,
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
        Observability.IngestionMetrics.ObserveSuppressedByMode(() => ruleSets.Current.Gateways.Sum(g => g.SuppressedCount));
        var startedAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var site in ruleSets.Current.Sites)
        {
            foreach (var configured in site.Gateways)
                gateways.Expect(site.Enterprise, configured.Id, startedAtMs);
        }

        // Before the workers and the MQTT connections: the journal's alarms and clocks are restored, the replay
        // owns the rule state while it runs, and leaves every rule agreeing with the journal's alarms.
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

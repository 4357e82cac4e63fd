using System.Diagnostics.Metrics;

namespace Monitoring.Notifications.Observability;

/// <summary>The service's instruments, created once. Tags are low-cardinality: channel, outcome, event type.</summary>
internal static class NotificationMetrics
{
    public const string MeterName = "Monitoring.Notifications";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Consumed events by <c>type</c> and <c>outcome</c> (applied, duplicate, late).</summary>
    public static readonly Counter<long> Events = Meter.CreateCounter<long>("notifications.events", description: "Events consumed from the bus, by type and outcome");

    /// <summary>Completed deliveries by <c>channel</c> and <c>outcome</c> (sent, sandboxed, failed).</summary>
    public static readonly Counter<long> Deliveries = Meter.CreateCounter<long>("notifications.deliveries", description: "Deliveries completed, by channel and outcome");

    /// <summary>A channel that failed after its retries, by <c>channel</c>: each one also raised a diagnostic (or there was one open).</summary>
    public static readonly Counter<long> ChannelFailures = Meter.CreateCounter<long>("notifications.channel.failures", description: "Deliveries that failed after every retry, by channel");

    public static readonly Counter<long> Retries = Meter.CreateCounter<long>("notifications.delivery.retries", description: "Delivery attempts retried, by channel");

    public static readonly Histogram<double> Latency = Meter.CreateHistogram<double>("notifications.delivery.latency", unit: "s", description: "From planning a delivery to its completion");

    private static int s_openDiagnostics;
    private static int s_ingestionSilent;

    static NotificationMetrics()
    {
        Meter.CreateObservableGauge("notifications.diagnostics.open", () => Volatile.Read(ref s_openDiagnostics), description: "Open diagnostic alarms of the notification path (failing channel, silent ingestion)");
        Meter.CreateObservableGauge("notifications.watchdog.ingestion_silent", () => Volatile.Read(ref s_ingestionSilent), description: "1 while no event and no heartbeat from the ingestion service arrives");
    }

    public static void SetOpenDiagnostics(int count) => Volatile.Write(ref s_openDiagnostics, count);

    public static void SetIngestionSilent(bool silent) => Volatile.Write(ref s_ingestionSilent, silent ? 1 : 0);
}

using System.Diagnostics.Metrics;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// The spool's instruments, on the service's meter name so the Prometheus exporter picks them up
/// (<c>monitoring_spool_*</c>). One spool per process: the gauges report the last one opened.
/// </summary>
internal static class SpoolMetrics
{
    private static readonly Meter Meter = new(Observability.IngestionMetrics.MeterName);

    private static long _bytes;
    private static long _batches;
    private static long _full;

    public static readonly Counter<long> BatchesSpooled =
        Meter.CreateCounter<long>("monitoring.spool.batches.spooled", "{batch}", "Batches written to the disk spool because the time-series store failed or the spool was not empty.");

    public static readonly Counter<long> BatchesReplayed =
        Meter.CreateCounter<long>("monitoring.spool.batches.replayed", "{batch}", "Spooled batches written to the time-series store.");

    public static readonly Counter<long> ReadingsReplayed =
        Meter.CreateCounter<long>("monitoring.spool.readings.replayed", "{reading}", "Spooled readings written to the time-series store.");

    public static readonly Counter<long> ReplayFailures =
        Meter.CreateCounter<long>("monitoring.spool.replay.failures", "{attempt}", "Failed replay writes (retried with back-off).");

    public static readonly Counter<long> FullRefusals =
        Meter.CreateCounter<long>("monitoring.spool.full.refusals", "{batch}", "Batches the spool refused because it was full (not acknowledged; the caller retries).");

    public static readonly Counter<long> RecordsDropped =
        Meter.CreateCounter<long>("monitoring.spool.records.dropped", "{record}", "Spool records dropped: torn at the end after a crash (never acknowledged), or refused by the store on replay.");

    static SpoolMetrics()
    {
        Meter.CreateObservableGauge("monitoring.spool.bytes", () => Interlocked.Read(ref _bytes), "By", "Bytes of spool segment files on disk.");
        Meter.CreateObservableGauge("monitoring.spool.batches", () => Interlocked.Read(ref _batches), "{batch}", "Spooled batches not yet written to the store.");
        Meter.CreateObservableGauge("monitoring.spool.full", () => Interlocked.Read(ref _full), "{state}", "1 while the spool refuses batches (full).");
    }

    public static void Set(long bytes, long batches, bool full)
    {
        Interlocked.Exchange(ref _bytes, bytes);
        Interlocked.Exchange(ref _batches, batches);
        Interlocked.Exchange(ref _full, full ? 1 : 0);
    }
}

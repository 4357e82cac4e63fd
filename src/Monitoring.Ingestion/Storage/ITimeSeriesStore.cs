using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// Where readings become durable: InfluxDB (1.x or 2.x/3.x HTTP line protocol) or the embedded SQLite store.
/// Writing the same (series, timestamp) twice overwrites, so a replay is idempotent.
/// Implementations are thread-safe: several partition workers write concurrently.
/// </summary>
internal interface ITimeSeriesStore
{
    /// <summary>A short name for logs and metrics: <c>influxdb</c> or <c>embedded</c>.</summary>
    string Name { get; }

    /// <summary>Creates the database/table when missing. Called once at start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Writes the readings durably, or throws. Returns only when every reading is stored.
    /// A rejected write (malformed data) throws <see cref="TimeSeriesWriteRejectedException"/>;
    /// anything else (unreachable, 5xx, timeout) is transient and worth retrying.
    /// </summary>
    Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken);

    /// <summary>True when the store answers (InfluxDB <c>/ping</c>, SQLite open). For readiness.</summary>
    Task<bool> IsReachableAsync(CancellationToken cancellationToken);
}

/// <summary>The store refused the data itself (HTTP 400): retrying the same batch cannot succeed.</summary>
internal sealed class TimeSeriesWriteRejectedException : Exception
{
    public TimeSeriesWriteRejectedException(string message)
        : base(message)
    {
    }

    public TimeSeriesWriteRejectedException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

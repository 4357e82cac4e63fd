using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// Readiness of the disk spool: unhealthy while full (nothing is acknowledged), degraded while it
/// holds batches for a failing store (data is safe on local disk, but not in the store yet).
/// </summary>
internal sealed class SpoolHealthCheck(ITimeSeriesStore store) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (store is not SpoolingTimeSeriesStore spool)
            return Task.FromResult(HealthCheckResult.Healthy("spool disabled"));
        if (spool.IsFull)
            return Task.FromResult(HealthCheckResult.Unhealthy($"spool full: {spool.SpoolBytes} bytes, {spool.PendingBatches} batches wait for the {spool.Name} store; messages are not acknowledged"));
        if (spool.PendingBatches > 0)
            return Task.FromResult(HealthCheckResult.Degraded($"spooling: {spool.PendingBatches} batches ({spool.SpoolBytes} bytes) wait for the {spool.Name} store"));
        return Task.FromResult(HealthCheckResult.Healthy());
    }
}

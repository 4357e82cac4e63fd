using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>A store that accepts every write at once, for pipeline tests that are not about storage.</summary>
internal sealed class NullStore : ITimeSeriesStore
{
    public string Name => "null";
    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    public Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken) => Task.CompletedTask;
    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
}

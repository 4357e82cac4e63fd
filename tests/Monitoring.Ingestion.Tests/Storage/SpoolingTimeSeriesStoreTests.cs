using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Tests.Storage;

public sealed class SpoolingTimeSeriesStoreTests : IDisposable
{
    private const long Ts = 1_763_800_000_000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly FakeStore _inner = new();

    public void Dispose() => _folder.Dispose();

    private string SpoolPath => _folder.File("spool");

    private async Task<SpoolingTimeSeriesStore> OpenAsync(long maxBytes = 1L << 30, FakeStore? inner = null)
    {
        var store = new SpoolingTimeSeriesStore(inner ?? _inner, SpoolPath,
            new SpoolOptions { MaxBytes = maxBytes, RetryDelay = TimeSpan.FromHours(1), MaxRetryDelay = TimeSpan.FromHours(1) },
            _time, NullLogger.Instance);
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    /// <summary>A batch whose readings carry <paramref name="batch"/> in the tag and a running timestamp.</summary>
    private static Reading[] Batch(int batch, int size = 3)
    {
        var readings = new Reading[size];
        for (var i = 0; i < size; i++)
        {
            readings[i] = new Reading("E1", "G1", "T" + batch, Ts + (batch * 100) + i, PointValueKind.Number, (batch * 100) + i + 0.5, false, PointQuality.Good);
        }

        return readings;
    }

    /// <summary>Moves fake time on (past the replayer's back-off) until <paramref name="task"/> completes.</summary>
    private async Task AdvanceUntilAsync(Task task)
    {
        using var cts = new CancellationTokenSource(Timeout);
        while (!task.IsCompleted)
        {
            cts.Token.ThrowIfCancellationRequested();
            _time.Advance(TimeSpan.FromHours(1));
            await Task.WhenAny(task, Task.Delay(TimeSpan.FromMilliseconds(20), TimeProvider.System));
        }

        await task;
    }

    [Fact]
    public async Task WriteAsync_StoreUp_WritesThroughAndSpoolsNothing()
    {
        await using var store = await OpenAsync();

        await store.WriteAsync(Batch(1), CancellationToken.None);

        Assert.Equal(Batch(1), _inner.Stored);
        Assert.Equal(0, store.PendingBatches);
        Assert.Empty(Directory.GetFiles(SpoolPath));
    }

    [Fact]
    public async Task WriteAsync_StoreDown_ReturnsAfterSpoolingThenReplaysInOrder()
    {
        _inner.Failing = true;
        await using var store = await OpenAsync();

        for (var b = 1; b <= 5; b++)
        {
            await store.WriteAsync(Batch(b), CancellationToken.None);
        }

        Assert.Empty(_inner.Stored);
        Assert.Equal(5, store.PendingBatches);
        Assert.NotEmpty(Directory.GetFiles(SpoolPath));

        _inner.Failing = false;
        await AdvanceUntilAsync(store.WaitUntilEmptyAsync(CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 5).SelectMany(b => Batch(b)), _inner.Stored);
        Assert.Equal(0, store.PendingBatches);
        Assert.Empty(Directory.GetFiles(SpoolPath));
    }

    [Fact]
    public async Task WriteAsync_SpoolNotEmpty_NewBatchGoesBehindSpooledOnesEvenWhenStoreIsBack()
    {
        _inner.Failing = true;
        await using var store = await OpenAsync();
        await store.WriteAsync(Batch(1), CancellationToken.None);
        await _inner.ReplayFailed.Task.WaitAsync(Timeout);

        _inner.Failing = false;
        await store.WriteAsync(Batch(2), CancellationToken.None);

        Assert.Empty(_inner.Stored);
        Assert.Equal(2, store.PendingBatches);
        await AdvanceUntilAsync(store.WaitUntilEmptyAsync(CancellationToken.None));
        Assert.Equal(Batch(1).Concat(Batch(2)), _inner.Stored);
    }

    [Fact]
    public async Task InitializeAsync_SpoolLeftOnDisk_ReplaysItAfterRestart()
    {
        _inner.Failing = true;
        await using (var first = await OpenAsync())
        {
            await first.WriteAsync(Batch(1), CancellationToken.None);
            await first.WriteAsync(Batch(2), CancellationToken.None);
        }

        var restarted = new FakeStore();
        await using var second = await OpenAsync(inner: restarted);
        await second.WaitUntilEmptyAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(Batch(1).Concat(Batch(2)), restarted.Stored);
        Assert.Empty(Directory.GetFiles(SpoolPath));
    }

    [Fact]
    public async Task InitializeAsync_TornLastRecord_DropsOnlyThatRecord()
    {
        _inner.Failing = true;
        await using (var first = await OpenAsync())
        {
            await first.WriteAsync(Batch(1), CancellationToken.None);
            await first.WriteAsync(Batch(2), CancellationToken.None);
        }

        // A crash in the middle of the second append: its tail never reached the disk.
        var segment = Assert.Single(Directory.GetFiles(SpoolPath));
        await using (var fs = new FileStream(segment, FileMode.Open, FileAccess.Write))
        {
            fs.SetLength(fs.Length - 7);
        }

        var restarted = new FakeStore();
        await using var second = await OpenAsync(inner: restarted);
        await second.WaitUntilEmptyAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(Batch(1), restarted.Stored);
    }

    [Fact]
    public async Task InitializeAsync_FlippedByteInRecord_ChecksumDropsItAndWhatFollows()
    {
        _inner.Failing = true;
        await using (var first = await OpenAsync())
        {
            await first.WriteAsync(Batch(1), CancellationToken.None);
            await first.WriteAsync(Batch(2), CancellationToken.None);
        }

        var segment = Assert.Single(Directory.GetFiles(SpoolPath));
        var bytes = await File.ReadAllBytesAsync(segment);
        bytes[^3] ^= 0x40;
        await File.WriteAllBytesAsync(segment, bytes);

        var restarted = new FakeStore();
        await using var second = await OpenAsync(inner: restarted);
        await second.WaitUntilEmptyAsync(CancellationToken.None).WaitAsync(Timeout);

        Assert.Equal(Batch(1), restarted.Stored);
    }

    [Fact]
    public async Task WriteAsync_SpoolFull_ThrowsAndReportsUnhealthyUntilReplayMakesRoom()
    {
        _inner.Failing = true;
        await using var store = await OpenAsync(maxBytes: 2_000);
        var health = new SpoolHealthCheck(store);
        var accepted = 0;
        SpoolFullException? refused = null;
        for (var b = 1; b <= 100 && refused is null; b++)
        {
            try
            {
                await store.WriteAsync(Batch(b, size: 5), CancellationToken.None);
                accepted++;
            }
            catch (SpoolFullException ex)
            {
                refused = ex;
            }
        }

        Assert.NotNull(refused);
        Assert.InRange(accepted, 1, 99);
        Assert.True(store.IsFull);
        Assert.InRange(store.SpoolBytes, 1, 2_000);
        var report = await health.CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains("spool full", report.Description, StringComparison.Ordinal);

        _inner.Failing = false;
        await AdvanceUntilAsync(store.WaitUntilEmptyAsync(CancellationToken.None));
        Assert.False(store.IsFull);
        Assert.Equal(accepted * 5, _inner.Stored.Count);
        Assert.Equal(HealthStatus.Healthy, (await health.CheckHealthAsync(new HealthCheckContext())).Status);
        await store.WriteAsync(Batch(999), CancellationToken.None);
        Assert.Equal(Batch(999), _inner.Stored[^3..]);
    }

    [Fact]
    public async Task WriteAsync_Spooling_HealthIsDegradedNotUnhealthy()
    {
        _inner.Failing = true;
        await using var store = await OpenAsync();

        await store.WriteAsync(Batch(1), CancellationToken.None);

        var report = await new SpoolHealthCheck(store).CheckHealthAsync(new HealthCheckContext());
        Assert.Equal(HealthStatus.Degraded, report.Status);
    }

    [Fact]
    public async Task WriteAsync_StoreRejectsBatch_ThrowsRejectionAndSpoolsNothing()
    {
        _inner.Reject = true;
        await using var store = await OpenAsync();

        await Assert.ThrowsAsync<TimeSeriesWriteRejectedException>(() => store.WriteAsync(Batch(1), CancellationToken.None));

        Assert.Equal(0, store.PendingBatches);
    }

    [Fact]
    public async Task Replay_ManyBatchesAcrossSegments_AllStoredInOrderAndSegmentsDeleted()
    {
        _inner.Failing = true;
        var store = new SpoolingTimeSeriesStore(_inner, SpoolPath,
            new SpoolOptions { SegmentBytes = 1_000, ReplayBatchReadings = 7, RetryDelay = TimeSpan.FromHours(1), MaxRetryDelay = TimeSpan.FromHours(1) },
            _time, NullLogger.Instance);
        await using var _ = store;
        await store.InitializeAsync(CancellationToken.None);
        for (var b = 1; b <= 40; b++)
        {
            await store.WriteAsync(Batch(b, size: 4), CancellationToken.None);
        }

        Assert.True(Directory.GetFiles(SpoolPath).Length > 3);
        _inner.Failing = false;
        await AdvanceUntilAsync(store.WaitUntilEmptyAsync(CancellationToken.None));

        Assert.Equal(Enumerable.Range(1, 40).SelectMany(b => Batch(b, size: 4)), _inner.Stored);
        Assert.Empty(Directory.GetFiles(SpoolPath));
    }

    [Fact]
    public async Task Spool_NonAsciiIdentifiers_RoundTrip()
    {
        _inner.Failing = true;
        await using var store = await OpenAsync();
        Reading[] batch =
        [
            new("Ünïcödé", "G 1", "Ã©", Ts, PointValueKind.Boolean, 0, true, PointQuality.Uncertain),
            new("Ünïcödé", "G 1", "é", Ts, PointValueKind.Null, 0, false, PointQuality.Bad),
            new("E", "G", "🔥", Ts, PointValueKind.Number, double.MaxValue, false, PointQuality.Good),
        ];
        await store.WriteAsync(batch, CancellationToken.None);

        _inner.Failing = false;
        await AdvanceUntilAsync(store.WaitUntilEmptyAsync(CancellationToken.None));

        Assert.Equal(batch, _inner.Stored);
    }

    private sealed class FakeStore : ITimeSeriesStore
    {
        private readonly Lock _gate = new();
        private readonly List<Reading> _stored = [];

        public volatile bool Failing;
        public volatile bool Reject;

        private int _failures;

        /// <summary>Set at the second failed write: the direct write, then the replayer's first attempt.</summary>
        public TaskCompletionSource ReplayFailed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public List<Reading> Stored
        {
            get
            {
                lock (_gate)
                {
                    return [.. _stored];
                }
            }
        }

        public string Name => "fake";

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
        {
            if (Reject)
                throw new TimeSeriesWriteRejectedException("bad data");
            if (Failing)
            {
                if (Interlocked.Increment(ref _failures) >= 2)
                    ReplayFailed.TrySetResult();
                throw new HttpRequestException("connection refused");
            }

            lock (_gate)
            {
                _stored.AddRange(readings.Span);
            }

            return Task.CompletedTask;
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(!Failing);
    }
}

using System.Threading.Channels;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// Puts a disk spool in front of the time-series store. A batch goes straight to the store while the
/// spool is empty; when that write fails (transiently), and for every batch after it while the spool
/// holds anything, the batch is appended to the spool (fsync'd) and the write returns: the messages
/// can be acknowledged because the readings are durable on local disk. One background replayer writes
/// the spool to the store in append order, merging batches, and deletes a segment only after the
/// store took all of it; it backs off exponentially while the store fails, so a dead store sees one
/// probe at a time, not one write per partition (the non-empty spool is the open circuit; the drained
/// spool closes it). When the spool reaches <see cref="SpoolOptions.MaxBytes"/> or the disk refuses
/// the write, <see cref="WriteAsync"/> throws <see cref="SpoolFullException"/>: the caller retries
/// and acknowledges nothing meanwhile. On start the spool left on disk (a crash, a stop during an
/// outage) is replayed first. Replaying a batch twice (a crash between store write and segment
/// delete) is harmless: the store overwrites identical points.
/// </summary>
internal sealed partial class SpoolingTimeSeriesStore : ITimeSeriesStore, IAsyncDisposable
{
    private readonly ITimeSeriesStore _inner;
    private readonly string _directory;
    private readonly SpoolOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly CancellationTokenSource _stop = new();
    private SpoolSegments? _spool;
    private Task _replayer = Task.CompletedTask;
    private bool _full;
    private TaskCompletionSource _empty = NewEmptySignal(completed: true);
    private int _disposed;

    public SpoolingTimeSeriesStore(ITimeSeriesStore inner, string directory, SpoolOptions options, TimeProvider time, ILogger logger)
    {
        _inner = inner;
        _directory = directory;
        _options = options;
        _time = time;
        _logger = logger;
    }

    public string Name => _inner.Name;

    /// <summary>
    /// The store the service uses: <paramref name="inner"/> behind a spool in <paramref name="directory"/>,
    /// configured by <c>Monitoring:Store:Spool</c>, or <paramref name="inner"/> itself when the spool is disabled.
    /// </summary>
    public static ITimeSeriesStore Wrap(IServiceProvider services, ITimeSeriesStore inner, string directory)
    {
        var options = services.GetRequiredService<IConfiguration>().GetSection(SpoolOptions.Section).Get<SpoolOptions>() ?? new SpoolOptions();
        if (!options.Enabled)
            return inner;
        return new SpoolingTimeSeriesStore(inner, directory, options, services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Spool"));
    }

    public ITimeSeriesStore Inner => _inner;

    /// <summary>Batches on disk waiting for the store.</summary>
    public long PendingBatches { get; private set; }

    public long SpoolBytes { get; private set; }

    /// <summary>True while the spool refuses batches (size limit or disk error) and nothing is acknowledged.</summary>
    public bool IsFull => Volatile.Read(ref _full);

    public long ReplayedBatches { get; private set; }

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _inner.InitializeAsync(cancellationToken);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            _spool = SpoolSegments.Open(_directory, _options.SegmentBytes);
            if (_spool.DroppedAtOpen > 0)
            {
                SpoolMetrics.RecordsDropped.Add(_spool.DroppedAtOpen);
                LogTornDropped(_logger, _spool.DroppedAtOpen, _directory);
            }

            if (!_spool.IsEmpty)
                _empty = NewEmptySignal(completed: false);
            if (!_spool.IsEmpty)
                LogReplayingAtStart(_logger, _spool.PendingRecords, _spool.TotalBytes, _directory);
            Publish();
        }
        finally
        {
            _lock.Release();
        }

        _wake.Writer.TryWrite(true);
        _replayer = Task.Run(() => ReplayLoopAsync(_stop.Token), CancellationToken.None);
    }

    public async Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
    {
        var spool = _spool ?? throw new InvalidOperationException("InitializeAsync first.");
        bool direct;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            direct = spool.IsEmpty;
        }
        finally
        {
            _lock.Release();
        }

        if (direct)
        {
            try
            {
                await _inner.WriteAsync(readings, cancellationToken);
                return;
            }
            catch (TimeSeriesWriteRejectedException)
            {
                throw;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (Exception ex)
            {
                LogSpooling(_logger, _inner.Name, ex.Message);
            }
        }

        await _lock.WaitAsync(cancellationToken);
        try
        {
            AppendLocked(spool, readings.Span);
        }
        finally
        {
            _lock.Release();
        }

        _wake.Writer.TryWrite(true);
    }

    public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => _inner.IsReachableAsync(cancellationToken);

    /// <summary>Completes when the spool is empty (everything replayed), at once if it is. For tests and diagnostics.</summary>
    public async Task WaitUntilEmptyAsync(CancellationToken cancellationToken)
    {
        Task empty;
        await _lock.WaitAsync(cancellationToken);
        try
        {
            empty = _empty.Task;
        }
        finally
        {
            _lock.Release();
        }

        await empty.WaitAsync(cancellationToken);
    }

    private static TaskCompletionSource NewEmptySignal(bool completed)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (completed)
            signal.SetResult();
        return signal;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        await _stop.CancelAsync();
        try
        {
            await _replayer;
        }
        catch (OperationCanceledException)
        {
            // Stopping: what is still spooled stays on disk and is replayed at the next start.
        }

        await _lock.WaitAsync();
        try
        {
            _spool?.Dispose();
        }
        finally
        {
            _lock.Release();
        }

        switch (_inner)
        {
            case IAsyncDisposable asyncDisposable:
                await asyncDisposable.DisposeAsync();
                break;
            case IDisposable disposable:
                disposable.Dispose();
                break;
        }

        _stop.Dispose();
    }

    private void AppendLocked(SpoolSegments spool, ReadOnlySpan<Reading> readings)
    {
        var record = SpoolSegments.HeaderSize + 4 + (long)readings.Length * 64;
        if (spool.TotalBytes + record > _options.MaxBytes && !spool.IsEmpty)
        {
            SetFull(spool, $"the spool holds {spool.TotalBytes} bytes, its limit is {_options.MaxBytes} (Monitoring:Store:Spool:MaxBytes)");
            throw new SpoolFullException($"The disk spool is full ({spool.TotalBytes} of {_options.MaxBytes} bytes) while the {_inner.Name} store is failing; batches stay unacknowledged.");
        }

        try
        {
            spool.Append(readings);
        }
        catch (IOException ex)
        {
            SetFull(spool, "the disk refused the write: " + ex.Message);
            throw new SpoolFullException($"The disk spool cannot write ({ex.Message}) while the {_inner.Name} store is failing; batches stay unacknowledged.", ex);
        }
        catch (UnauthorizedAccessException ex)
        {
            SetFull(spool, "the disk refused the write: " + ex.Message);
            throw new SpoolFullException($"The disk spool cannot write ({ex.Message}) while the {_inner.Name} store is failing; batches stay unacknowledged.", ex);
        }

        if (_full)
        {
            Volatile.Write(ref _full, false);
            LogSpoolAccepting(_logger, spool.TotalBytes);
        }

        if (_empty.Task.IsCompleted)
            _empty = NewEmptySignal(completed: false);
        SpoolMetrics.BatchesSpooled.Add(1);
        Publish();
    }

    private void SetFull(SpoolSegments spool, string why)
    {
        SpoolMetrics.FullRefusals.Add(1);
        if (!_full)
        {
            Volatile.Write(ref _full, true);
            LogSpoolFull(_logger, why, _inner.Name, spool.PendingRecords);
        }

        Publish();
    }

    private void Publish()
    {
        if (_spool is null)
            return;
        PendingBatches = _spool.PendingRecords;
        SpoolBytes = _spool.TotalBytes;
        SpoolMetrics.Set(SpoolBytes, PendingBatches, _full);
    }

    private async Task ReplayLoopAsync(CancellationToken cancellationToken)
    {
        var spool = _spool!;
        var readings = new List<Reading>(_options.ReplayBatchReadings);
        var delay = _options.RetryDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            readings.Clear();
            int records;
            await _lock.WaitAsync(cancellationToken);
            try
            {
                records = spool.IsEmpty ? 0 : spool.ReadPending(readings, _options.ReplayBatchReadings);
            }
            catch (InvalidDataException ex)
            {
                // Damaged after it was written and checked (disk corruption): skip it rather than stall forever.
                LogDamaged(_logger, ex.Message);
                SpoolMetrics.RecordsDropped.Add(1);
                spool.Commit(1);
                Publish();
                if (spool.IsEmpty)
                    _empty.TrySetResult();
                continue;
            }
            finally
            {
                _lock.Release();
            }

            if (records == 0)
            {
                await _wake.Reader.ReadAsync(cancellationToken);
                continue;
            }

            var batch = readings.ToArray();
            try
            {
                await _inner.WriteAsync(batch, cancellationToken);
            }
            catch (TimeSeriesWriteRejectedException ex)
            {
                // Retrying cannot succeed and would block everything behind it.
                LogReplayRejected(_logger, records, batch.Length, ex.Message);
                SpoolMetrics.RecordsDropped.Add(records);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                SpoolMetrics.ReplayFailures.Add(1);
                LogReplayFailed(_logger, _inner.Name, delay, ex.Message);
                await Task.Delay(delay, _time, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxRetryDelay.Ticks));
                continue;
            }

            delay = _options.RetryDelay;
            await _lock.WaitAsync(cancellationToken);
            try
            {
                spool.Commit(records);
                ReplayedBatches += records;
                SpoolMetrics.BatchesReplayed.Add(records);
                SpoolMetrics.ReadingsReplayed.Add(batch.Length);
                if (_full && spool.TotalBytes < _options.MaxBytes)
                {
                    Volatile.Write(ref _full, false);
                    LogSpoolAccepting(_logger, spool.TotalBytes);
                }

                Publish();
                if (spool.IsEmpty)
                {
                    LogDrained(_logger, ReplayedBatches, _inner.Name);
                    _empty.TrySetResult();
                }
            }
            finally
            {
                _lock.Release();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The {Store} store failed ({Error}); batches go to the disk spool until it is back")]
    private static partial void LogSpooling(ILogger logger, string store, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Disk spool full: {Why}. The {Store} store is still failing and {Pending} batches wait on disk; no more messages are acknowledged until replay makes room")]
    private static partial void LogSpoolFull(ILogger logger, string why, string store, long pending);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disk spool accepting batches again ({Bytes} bytes on disk)")]
    private static partial void LogSpoolAccepting(ILogger logger, long bytes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Replay to the {Store} store failed, retrying in {Delay}: {Error}")]
    private static partial void LogReplayFailed(ILogger logger, string store, TimeSpan delay, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "The store refused {Records} spooled batches ({Readings} readings); dropped: {Error}")]
    private static partial void LogReplayRejected(ILogger logger, int records, int readings, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disk spool drained: {Replayed} batches replayed to the {Store} store so far")]
    private static partial void LogDrained(ILogger logger, long replayed, string store);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Dropped {Count} torn record(s) at the end of the disk spool in {Directory} (written during a crash, never acknowledged)")]
    private static partial void LogTornDropped(ILogger logger, long count, string directory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Disk spool holds {Batches} batches ({Bytes} bytes) in {Directory}: replaying them")]
    private static partial void LogReplayingAtStart(ILogger logger, long batches, long bytes, string directory);

    [LoggerMessage(Level = LogLevel.Error, Message = "Disk spool record damaged, skipped: {Error}")]
    private static partial void LogDamaged(ILogger logger, string error);
}

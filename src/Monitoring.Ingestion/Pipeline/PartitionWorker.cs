using System.Threading.Channels;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// One partition of the pipeline: the single writer of the sensors of the gateways that hash to it.
/// Decodes each message, evaluates rules in arrival order, batches readings, and after each batch is
/// durable (store written, alarm events in the outbox) acknowledges the batch's MQTT messages.
/// Everything here runs on one task: no locks on the per-reading path.
/// <para>
/// This file: the loop, operator commands, and durability (journal commit, store write, acknowledgement). A message's
/// telemetry: PartitionWorker.Telemetry.cs; the gateway as a whole (status, silence, clock): PartitionWorker.Gateways.cs;
/// what time alone changes: PartitionWorker.Timers.cs.
/// </para>
/// </summary>
internal sealed partial class PartitionWorker
{
    private readonly Channel<WorkItem> _queue;
    private readonly PipelineDependencies _deps;
    private readonly Reading[] _batch;
    private int _batchCount;
    private long _batchStartedAtMs;
    private readonly List<InboundMessage> _pendingAcks = [];
    private readonly List<AlarmCommand> _pendingCommands = [];
    private readonly List<JournalEntry> _pendingJournal = [];

    public PartitionWorker(int index, PipelineDependencies deps)
    {
        Index = index;
        _deps = deps;
        _queue = Channel.CreateBounded<WorkItem>(new BoundedChannelOptions(deps.Options.QueueCapacity)
        {
            SingleReader = true,
            SingleWriter = false,
            FullMode = BoundedChannelFullMode.Wait,
        });
        // A message never straddles two batches: room for one batch plus one maximal message.
        _batch = new Reading[deps.Options.BatchSize + deps.DecoderOptions.MaxPoints];
        _tagLookup = _tags.GetAlternateLookup<ReadOnlySpan<char>>();
        _heldTooLong = HeldTooLong;
        Evaluator = new ReadingEvaluator(deps);
        _historicalAfterMs = (long)deps.Options.HistoricalAfter.TotalMilliseconds;
        _skewLimitMs = (long)deps.Options.ClockSkewLimit.TotalMilliseconds;
    }

    public int Index { get; }

    /// <summary>This partition's reading evaluator (the start-up replay runs the owned gateways' stored readings through it).</summary>
    public ReadingEvaluator Evaluator { get; }

    public ChannelWriter<WorkItem> Writer => _queue.Writer;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = _queue.Reader;
        try
        {
            while (await reader.WaitToReadAsync(cancellationToken))
            {
                while (reader.TryRead(out var item))
                {
                    switch (item)
                    {
                        case InboundMessage message:
                            Process(message);
                            break;
                        case AlarmCommand command:
                            Execute(command);
                            break;
                    }

                    RunTimersWhenDue();
                    if (_batchCount >= _deps.Options.BatchSize)
                        await FlushAsync(cancellationToken);
                    else if (_pendingJournal.Count > 0 && JournalDue(reader))
                        await CommitJournalAsync(cancellationToken);
                }

                if (!HasPendingWork)
                    continue;

                // The queue is empty: wait a little for more data to share the write, bounded by the flush interval.
                var remaining = _batchStartedAtMs + (long)_deps.Options.FlushInterval.TotalMilliseconds - _deps.Time.GetUtcNow().ToUnixTimeMilliseconds();
                if (remaining > 0 && _batchCount > 0)
                {
                    using var linger = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                    linger.CancelAfter(TimeSpan.FromMilliseconds(remaining));
                    try
                    {
                        if (await reader.WaitToReadAsync(linger.Token))
                            continue;
                    }
                    catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                    {
                        // The flush interval elapsed with no new data.
                    }
                }

                await FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Hard stop: whatever is not flushed stays unacknowledged and the broker redelivers it.
            return;
        }

        // The queue was completed (graceful stop): make what was read durable and acknowledge it.
        await FlushAsync(CancellationToken.None);
    }

    private bool HasPendingWork => _batchCount > 0 || _pendingAcks.Count > 0 || _pendingJournal.Count > 0 || _pendingCommands.Count > 0;

    private void Execute(AlarmCommand command)
    {
        var outcome = command.Action(_pendingJournal);
        if (outcome.Kind == Alarms.OperatorOutcomeKind.Done)
        {
            // Completed after the flush, when its event and audit row are durable.
            command.Outcome = outcome;
            _pendingCommands.Add(command);
        }
        else
        {
            command.Completion.TrySetResult(outcome);
        }
    }

    /// <summary>
    /// Alarm events go out ahead of the batch they were found in: a transition is committed to the journal
    /// (and the publisher woken) as soon as the queue is momentarily empty or it has waited
    /// <see cref="JournalLingerMs"/>, not when the batch of readings is full, which under load takes a
    /// quarter of a second or more and would sit between the sensor and the duty officer. Committing the
    /// event before the readings are in the store is safe: the messages stay unacknowledged until they are,
    /// a redelivery finds the alarm already in that state (deterministic event ids), and a store outage no
    /// longer holds alarms back.
    /// </summary>
    private bool JournalDue(ChannelReader<WorkItem> reader)
    {
        var now = _deps.Time.GetTimestamp();
        if (_journalPendingSince == 0)
            _journalPendingSince = now;
        return !reader.TryPeek(out _) || _deps.Time.GetElapsedTime(_journalPendingSince, now).TotalMilliseconds >= JournalLingerMs;
    }

    /// <summary>Longest a committed-to-be alarm event waits for more to share its journal transaction (bounds fsyncs per second under an alarm flood).</summary>
    public const int JournalLingerMs = 10;

    private long _journalPendingSince;

    /// <summary>Commits pending alarm events, state and audit rows in one transaction, wakes the publisher, and answers operator commands (their events are now durable).</summary>
    private async Task CommitJournalAsync(CancellationToken cancellationToken)
    {
        if (_pendingJournal.Count > 0)
        {
            await _deps.JournalRetry.ExecuteAsync(
                static (state, ct) => new ValueTask(state.Journal.CommitAsync(state.Entries, state.Now, ct)),
                (Journal: _deps.Journal, Entries: _pendingJournal, Now: _deps.Time.GetUtcNow().ToUnixTimeMilliseconds()),
                cancellationToken);
            _pendingJournal.Clear();
            _deps.OutboxSignal.Notify();
        }

        _journalPendingSince = 0;
        foreach (var command in _pendingCommands)
            command.Completion.TrySetResult(command.Outcome!);
        _pendingCommands.Clear();
    }

    private async Task FlushAsync(CancellationToken cancellationToken)
    {
        // Events first (see JournalDue), then readings, then acknowledgements.
        await CommitJournalAsync(cancellationToken);
        if (_batchCount > 0)
        {
            var started = _deps.Time.GetTimestamp();
            var readings = new ReadOnlyMemory<Reading>(_batch, 0, _batchCount);
            try
            {
                await _deps.StoreRetry.ExecuteAsync(
                    static (state, ct) => new ValueTask(state.Store.WriteAsync(state.Readings, ct)),
                    (Store: _deps.Store, Readings: readings),
                    cancellationToken);
                IngestionMetrics.ReadingsWritten.Add(_batchCount);
            }
            catch (TimeSeriesWriteRejectedException ex)
            {
                // Retrying cannot help; keep the evidence and move on rather than block the partition.
                IngestionMetrics.StoreWritesRejected.Add(_batchCount);
                LogStoreRejected(_deps.Logger, _batchCount, ex.Message);
                _deps.DeadLetters.Enqueue(new DeadLetter(_deps.Time.GetUtcNow(), "(store)", null, null, "store_rejected", ex.Message, null,
                    $"{_batchCount} readings, first {_batch[0].Enterprise}/{_batch[0].Gateway}/{_batch[0].Tag}@{_batch[0].TimestampMs}"));
            }

            IngestionMetrics.StoreWriteDuration.Record(_deps.Time.GetElapsedTime(started).TotalMilliseconds);
            Array.Clear(_batch, 0, _batchCount);
            _batchCount = 0;
        }

        // Only now is everything the messages carried durable: acknowledge them.
        foreach (var message in _pendingAcks)
        {
            if (message.Acknowledger is not null)
            {
                try
                {
                    await message.Acknowledger.AcknowledgeAsync(cancellationToken);
                    IngestionMetrics.MessagesAcknowledged.Add(1);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The connection dropped: the broker redelivers, and the store overwrites the same points.
                    LogAckFailed(_deps.Logger, ex.Message);
                }
            }

            message.ReleasePayload();
        }

        _pendingAcks.Clear();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "The time-series store rejected a batch of {Count} readings: {Error}")]
    private static partial void LogStoreRejected(ILogger logger, int count, string error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Could not acknowledge an MQTT message; the broker will redeliver it: {Error}")]
    private static partial void LogAckFailed(ILogger logger, string error);

}

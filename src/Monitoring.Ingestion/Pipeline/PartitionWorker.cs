using System.Text;
using System.Threading.Channels;
using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// One partition of the pipeline: the single writer of the sensors of the gateways that hash to it.
/// Decodes each message, evaluates rules in arrival order, batches readings, and after each batch is
/// durable (store written, alarm events in the outbox) acknowledges the batch's MQTT messages.
/// Everything here runs on one task: no locks on the per-reading path.
/// </summary>
internal sealed partial class PartitionWorker
{
    private const int MaxInternedTags = 1_000_000;

    private readonly Channel<WorkItem> _queue;
    private readonly PipelineDependencies _deps;
    private readonly Reading[] _batch;
    private int _batchCount;
    private long _batchStartedAtMs;
    private readonly List<InboundMessage> _pendingAcks = [];
    private readonly List<AlarmCommand> _pendingCommands = [];
    private long _lastTickMs;
    private readonly List<JournalEntry> _pendingJournal = [];
    // Cached once: the timers run every second and must not allocate a delegate each time.
    private readonly Func<TrackedAlarm, bool> _ownsAlarm;
    private readonly Func<HeldRaise, bool> _heldTooLong;
    private readonly Dictionary<string, string> _tags = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> _tagLookup;

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
        _ownsAlarm = OwnsAlarm;
        _heldTooLong = HeldTooLong;
        Evaluator = new ReadingEvaluator(deps);
        _historicalAfterMs = (long)deps.Options.HistoricalAfter.TotalMilliseconds;
        _skewLimitMs = (long)deps.Options.ClockSkewLimit.TotalMilliseconds;
    }

    public int Index { get; }

    /// <summary>This partition's reading evaluator (the start-up replay runs the owned gateways' stored readings through it).</summary>
    public ReadingEvaluator Evaluator { get; }

    private readonly long _historicalAfterMs;
    private readonly long _skewLimitMs;
    // Per message: the newest sensor time among its points, accepted or rejected as in the future (the clock sample).
    private long _messageNewestMs;

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

    /// <summary>Timers run on the worker, between messages: at most once a second, and on an idle tick.</summary>
    private void RunTimersWhenDue()
    {
        var nowMs = _deps.Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (nowMs - _lastTickMs < TimerPeriodMs)
            return;
        _lastTickMs = nowMs;
        DetectSilentGateways(nowMs);
        TickRules(nowMs);
        _deps.Alarms.ReleaseHeld(_heldTooLong, "hold_limit", _pendingJournal);
        _deps.Alarms.ExpireShelves(_ownsAlarm, _pendingJournal);
        _deps.Alarms.Escalate(_ownsAlarm, _pendingJournal);
        EndSettledLateEpisodes(nowMs);
    }

    private bool OwnsAlarm(TrackedAlarm alarm) => Partitioning.Of(alarm.Raised.Enterprise, alarm.Raised.Gateway, _deps.Options.Partitions) == Index;

    private bool HeldTooLong(HeldRaise held) =>
        Partitioning.Of(held.Enterprise, held.Gateway, _deps.Options.Partitions) == Index && _deps.Time.GetUtcNow() - held.HeldAt >= _deps.Options.BacklogHoldLimit;

    public const int TimerPeriodMs = 1000;

    private void Process(InboundMessage message)
    {
        IngestionMetrics.AddPipelineQueued(-1);
        var nowMs = _deps.Time.GetUtcNow().ToUnixTimeMilliseconds();
        var gateway = message.State;
        gateway.MessageTaken();
        gateway.LastSeenAtMs = nowMs;
        gateway.Messages++;
        if (gateway.Silent)
        {
            // Data resumed after a silence: say so, as loudly as the silence was reported.
            gateway.Silent = false;
            ReportGatewayState(gateway, GatewayStates.Online, nowMs, nowMs);
        }

        if (message.Kind == TopicKind.Status)
            ProcessStatus(message, gateway, nowMs);
        else
            ProcessTelemetry(message, gateway, nowMs);

        if (_batchCount > 0 && _pendingAcks.Count == 0)
            _batchStartedAtMs = nowMs;
        _pendingAcks.Add(message);
    }

    private void ProcessTelemetry(InboundMessage message, GatewayState gateway, long nowMs)
    {
        var batchCountBefore = _batchCount;
        var rules = gateway.RulesIn(_deps.RuleSets.Current);
        _messageNewestMs = long.MinValue;
        var visitor = new TelemetryVisitor(this, message, gateway, rules, nowMs);
        // Judged against the gateway's own clock as well as the server's: no clock error rejects its live data.
        var result = TelemetryDecoder.Decode(message.Payload, nowMs, gateway.Clock.GatewayNowMs(nowMs), _deps.DecoderOptions, ref visitor);

        if (result.MessageRejection is RejectReason.NoValidPoints)
            Rejections.Count(RejectReasons.Name(RejectReason.NoValidPoints), gateway);
        else if (result.MessageRejection is { } reason)
            _deps.Rejections.Record(reason, message.Topic, gateway, detail: null, pointIndex: null, message.Payload);

        if (result.Envelope.Seq is { } seq && !result.IsRejected)
        {
            var lostBefore = gateway.LostMessages;
            if (!gateway.AccountSequence(seq, gateway.SequenceMayRestart))
                IngestionMetrics.DuplicateMessages.Add(1);
            gateway.SequenceMayRestart = false;
            if (gateway.LostMessages > lostBefore)
                IngestionMetrics.SequenceGaps.Add(gateway.LostMessages - lostBefore);
        }

        if (result.AcceptedPoints > 0)
        {
            gateway.Readings += result.AcceptedPoints;
            gateway.Simulated = result.Envelope.Simulated;
            IngestionMetrics.ReadingsAccepted.Add(result.AcceptedPoints);
            IngestionMetrics.EventTimeLag.Record(gateway.Clock.GatewayNowMs(nowMs) - _batch[batchCountBefore].TimestampMs);
        }

        if (_messageNewestMs != long.MinValue)
            ObserveClock(gateway, rules, message.ReceivedAtMs, nowMs);
    }

    /// <summary>
    /// After a message: raises held while the gateway's data was behind its clock are paged once a message is
    /// current again (the condition is still true at the end of the backlog); then the message's newest sensor
    /// time feeds the gateway's clock estimate, kept in the journal when it moved and checked against the skew limit.
    /// </summary>
    private void ObserveClock(GatewayState gateway, GatewayRules? rules, long receivedAtMs, long nowMs)
    {
        if (_deps.Alarms.AnyHeld && gateway.Clock.IsCurrent(_messageNewestMs, nowMs, _historicalAfterMs))
            _deps.Alarms.ReleaseHeld(held => held.Enterprise == gateway.Enterprise && held.Gateway == gateway.Gateway, "caught_up", _pendingJournal);
        if (!gateway.Clock.Observe(receivedAtMs, _messageNewestMs))
            return;
        IngestionMetrics.ClockOffset.Record(gateway.Clock.AheadByMs / 1000d);
        _pendingJournal.Add(JournalEntry.GatewayClock(gateway.Enterprise, gateway.Gateway, gateway.Clock.OffsetMs));
        if (rules is not null)
            CheckClockSkew(gateway, rules, nowMs);
    }

    /// <summary>
    /// GATEWAY_CLOCK_SKEW: raised when the gateway's clock is off by more than the limit, cleared below 80 % of it
    /// (so an offset hovering at the limit does not chatter). Its value is the offset in seconds (+ = ahead).
    /// </summary>
    private void CheckClockSkew(GatewayState gateway, GatewayRules rules, long nowMs)
    {
        var condition = rules.ClockSkew;
        var raised = _deps.Alarms.TryGetByKey(condition.Key, out var alarm) && alarm.ConditionActive;
        if (raised != gateway.ClockSkewRaised)
        {
            gateway.ClockSkewRaised = raised;
            IngestionMetrics.AddSkewedGateways(raised ? 1 : -1);
        }

        var off = Math.Abs(gateway.Clock.AheadByMs);
        var shouldRaise = gateway.Clock.IsKnown && (raised ? off * 5 > _skewLimitMs * 4 : off > _skewLimitMs);
        if (shouldRaise == raised)
            return;
        var kind = shouldRaise ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared;
        Evaluator.ApplyDiagnostic(gateway, new AlarmTransition(condition, kind, nowMs, gateway.Clock.AheadByMs / 1000d), _pendingJournal);
        gateway.ClockSkewRaised = shouldRaise;
        IngestionMetrics.AddSkewedGateways(shouldRaise ? 1 : -1);
    }

    private void ProcessStatus(InboundMessage message, GatewayState gateway, long nowMs)
    {
        if (!GatewayStatusPayload.TryParse(message.Payload, out var report, out var error))
        {
            _deps.Rejections.Record(Rejections.InvalidStatus, message.Topic, gateway, error, null, message.Payload);
            return;
        }

        if (report.State == GatewayStates.Online)
            gateway.SequenceMayRestart = true;
        gateway.Firmware = report.Firmware ?? gateway.Firmware;
        if (string.Equals(gateway.Status, report.State, StringComparison.Ordinal))
            return;

        gateway.Status = report.State;
        var occurredAtMs = report.TimestampMs ?? nowMs;
        gateway.StatusChangedAtMs = occurredAtMs;
        ReportGatewayState(gateway, report.State, occurredAtMs, nowMs);
    }

    private void ReportGatewayState(GatewayState gateway, string state, long occurredAtMs, long nowMs)
    {
        var changed = new GatewayStatusChanged
        {
            // Deterministic, so that the retained status replayed after a restart dedupes downstream.
            EventId = GatewayEventIds.For(gateway.Enterprise, gateway.Gateway, state, occurredAtMs),
            Enterprise = gateway.Enterprise,
            Gateway = gateway.Gateway,
            State = state,
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(occurredAtMs),
            LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(gateway.LastSeenAtMs),
            Simulated = gateway.Simulated,
        };
        _pendingJournal.Add(new JournalEntry(changed.EventId, nameof(GatewayStatusChanged),
            System.Text.Json.JsonSerializer.Serialize(changed, AlarmJournal.JsonOptions), null, null));
        IngestionMetrics.AlarmTransitions.Add(1, new("type", nameof(GatewayStatusChanged)), new("priority", "none"));
    }

    /// <summary>Reports the gateways of this partition that went quiet (loss of protection is an alarm).</summary>
    private void DetectSilentGateways(long nowMs)
    {
        var silentAfterMs = (long)_deps.Options.GatewaySilentAfter.TotalMilliseconds;
        foreach (var gateway in _deps.Gateways.OwnedBy(Index))
        {
            if (gateway.Silent || nowMs - gateway.LastSeenAtMs < silentAfterMs
                || string.Equals(gateway.Status, GatewayStates.Offline, StringComparison.Ordinal))
                continue;
            gateway.Silent = true;
            ReportGatewayState(gateway, GatewayStates.Silent, nowMs, nowMs);
        }
    }

    private string InternTag(ReadOnlySpan<char> chars)
    {
        if (_tagLookup.TryGetValue(chars, out var tag))
            return tag;

        tag = new string(chars);
        // Bounded: a gateway inventing endless tags must not grow memory without limit.
        if (_tags.Count < MaxInternedTags)
            _tags[tag] = tag;
        return tag;
    }

    private void OnPoint(in DecodedPoint point, InboundMessage message, GatewayState gateway, GatewayRules? rules, bool simulated, long nowMs)
    {
        // Tags are ASCII by contract (validated by the decoder): one byte is one char, decoded once.
        Span<char> chars = stackalloc char[point.Tag.Length];
        Encoding.Latin1.GetChars(point.Tag, chars);
        SensorRules? sensor = null;
        string tag;
        if (rules is not null && rules.TryGetSensor(chars, out var found))
        {
            sensor = found;
            tag = found.Tag;
        }
        else
        {
            tag = InternTag(chars);
        }

        _batch[_batchCount++] = new Reading(message.Enterprise, message.Gateway, tag, point.TimestampMs, point.Kind, point.Number, point.Boolean, point.Quality);
        if (point.TimestampMs > _messageNewestMs)
            _messageNewestMs = point.TimestampMs;

        if (sensor is null)
            return;

        var number = point.Kind == PointValueKind.Boolean ? (point.Boolean ? 1d : 0d) : point.Number;
        Evaluator.Evaluate(rules!, sensor, gateway, point.TimestampMs, point.Kind, number, point.Quality, message.ReceivedAtMs,
            nowMs, simulated, TransitionOrigin.Reading, _pendingJournal);
    }

    /// <summary>
    /// An episode found in late data whose end the back-fill did not contain: once no late data has come
    /// for <see cref="PipelineOptions.LateDataSettle"/> and the live rules do not hold the condition, it ended
    /// before the live data resumed; it is cleared (historical) at the latest sensor time the back-fill covered.
    /// </summary>
    private void EndSettledLateEpisodes(long nowMs)
    {
        foreach (var alarm in _deps.Alarms.All)
        {
            if (!alarm.LateEpisode || !alarm.ConditionActive || !OwnsAlarm(alarm))
                continue;
            var gateway = _deps.Gateways.Get(alarm.Raised.Enterprise, alarm.Raised.Gateway);
            if (nowMs - gateway.LastLateDataAtMs < _deps.Options.LateDataSettle.TotalMilliseconds)
                continue;
            var rules = _deps.RuleSets.Current;
            if (!rules.TryGetCondition(alarm.Key, out var condition))
                continue;
            var live = rules.FindGateway(condition.Enterprise, condition.Gateway);
            if (live is not null && live.IsRaised(condition))
                continue;
            var end = Math.Max(gateway.LatestLateTimestampMs, alarm.Raised.OccurredAt.ToUnixTimeMilliseconds());
            _deps.Alarms.Apply(new AlarmTransition(condition, AlarmTransitionKind.Cleared, end, double.NaN),
                new TransitionContext([], alarm.Raised.Simulated, TransitionOrigin.LateData), _pendingJournal);
        }
    }

    /// <summary>
    /// Time-driven rules of this partition's gateways (no data, deadlines, delays that mature without a
    /// reading), their clock-skew diagnostic, and, on the first run, the configuration's failed static checks.
    /// </summary>
    private void TickRules(long nowMs)
    {
        var ruleSet = _deps.RuleSets.Current;
        var raiseStatic = !ReferenceEquals(_ownedRulesOf, ruleSet);
        if (raiseStatic)
        {
            // Once per rule set (start, reload): which configured gateways are this partition's.
            _ownedRules = [.. ruleSet.Gateways
                .Select(rules => (Rules: rules, State: _deps.Gateways.Get(rules.Enterprise, rules.Gateway)))
                .Where(owned => owned.State.Partition == Index)];
            _ownedRulesOf = ruleSet;
        }

        foreach (var (gatewayRules, gateway) in _ownedRules)
        {
            Evaluator.Tick(gatewayRules, gateway, nowMs, raiseStatic, _pendingJournal);
            if (raiseStatic)
                CheckClockSkew(gateway, gatewayRules, nowMs);
        }
    }

    private RuleSet? _ownedRulesOf;
    private (GatewayRules Rules, GatewayState State)[] _ownedRules = [];

    private void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint, InboundMessage message, GatewayState gateway, long? batchTimestampMs)
    {
        // A gateway whose clock was set far ahead: its first messages are in the future against every clock known
        // so far. Their timestamps still tell the clock estimate, so the next messages are accepted (GatewayClock).
        if (reason == RejectReason.FutureTimestamp && (PointTimestamp(rawPoint) ?? batchTimestampMs) is { } ts && ts > _messageNewestMs)
            _messageNewestMs = ts;

        _deps.Rejections.Record(reason, message.Topic, gateway, detail: null, pointIndex: index, rawPoint);
    }

    /// <summary>The <c>ts</c> of a point's JSON text, if it has a valid one (rare path: future-rejected points only).</summary>
    private static long? PointTimestamp(ReadOnlySpan<byte> rawPoint)
    {
        var reader = new System.Text.Json.Utf8JsonReader(rawPoint);
        try
        {
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var isTs = reader.ValueTextEquals("ts"u8);
                if (!reader.Read())
                    return null;
                if (isTs)
                    return reader.TokenType == System.Text.Json.JsonTokenType.Number && reader.TryGetInt64(out var ts) ? ts : null;
                reader.Skip();
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not reachable for a point the decoder parsed; no timestamp then.
        }

        return null;
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

    /// <summary>Receives the decoder's callbacks. A struct holding references, passed by ref: nothing is boxed or captured.</summary>
    private struct TelemetryVisitor(PartitionWorker worker, InboundMessage message, GatewayState gateway, GatewayRules? rules, long nowMs) : ITelemetryVisitor
    {
        private bool _simulated;
        private long? _batchTimestampMs;

        public void OnEnvelope(in TelemetryEnvelope envelope)
        {
            _simulated = envelope.Simulated;
            _batchTimestampMs = envelope.TimestampMs;
        }

        public readonly void OnPoint(in DecodedPoint point) => worker.OnPoint(point, message, gateway, rules, _simulated, nowMs);

        public readonly void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint) =>
            worker.OnPointRejected(reason, index, rawPoint, message, gateway, _batchTimestampMs);
    }
}

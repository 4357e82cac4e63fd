using System.Collections.Concurrent;
using System.Text.Json;
using Monitoring.Contracts;
using Monitoring.Ingestion.Observability;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// The alarms that need attention, keyed by <see cref="AlarmCondition.Key"/>: exactly one per
/// (source, rule, stage). An alarm stays listed until its condition has returned to normal AND it
/// has been acknowledged (ISA-18.2). Turns rule transitions and operator actions into contract events.
/// Every method that changes an alarm is called by the partition worker that owns the alarm's
/// gateway (operator actions are queued to it), so per-alarm events are created and committed in
/// sequence order; the API reads concurrently from immutable snapshots.
/// An alarm that has ended at the plant but whose disposal loop is open (<see cref="TrackedAlarm.AwaitingCloseOut"/>,
/// docs/disposal.md) leaves its condition's place and is kept by its id until it is closed out.
/// </summary>
internal sealed partial class AlarmTracker(TimeProvider timeProvider, EscalationOptions? escalation = null, DisposalOptions? disposal = null)
{
    // Null or disabled: no escalation (unit tests that are not about it, sites that escalate elsewhere).
    private readonly EscalationOptions? _escalation = escalation is { Enabled: true } ? escalation : null;
    // Null or disabled: no new alarm starts a disposal loop, and none goes overdue; an alarm closes when it has ended
    // (ISA-18.2 alone).
    private readonly DisposalOptions? _disposal = disposal is { Enabled: true } ? disposal : null;
    // The deadlines of loops already open, also once the loop is turned off (a restart with Enabled false): they go on
    // to their close-out rather than stay open for ever.
    private readonly DisposalOptions _disposalRules = disposal ?? new DisposalOptions();

    public const int ChatterRaises = 3;
    public static readonly TimeSpan ChatterWindow = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, TrackedAlarm> _alarms = new(StringComparer.Ordinal);
    // Alarms that ended at the plant and wait for their disposal's close-out, by id (see TrackedAlarm.AwaitingCloseOut).
    private readonly ConcurrentDictionary<Guid, TrackedAlarm> _awaitingCloseOut = new();
    // Both kinds by the partition that owns their gateway (keyed by TrackedAlarm.StoreKey), so that each worker's timers walk its own only.
    private ConcurrentDictionary<string, TrackedAlarm>[] _byPartition = [new(StringComparer.Ordinal)];
    private Func<string, string, int> _partitionOf = static (_, _) => 0;
    private readonly ConcurrentDictionary<Guid, string> _keysById = new();
    // Recent raise times per key (sensor time), for chattering; kept across alarm instances.
    private readonly ConcurrentDictionary<string, Queue<long>> _recentRaises = new(StringComparer.Ordinal);
    // Per alarm key, also for closed alarms: the newest sensor time of a journalled raise or clear (see Apply).
    private readonly ConcurrentDictionary<string, long> _newestTransitionMs = new(StringComparer.Ordinal);
    // Raises found in data behind the gateway's clock, waiting for it to catch up (see Apply, ReleaseHeld).
    private readonly ConcurrentDictionary<string, HeldRaise> _held = new(StringComparer.Ordinal);
    private int _heldCount;

    /// <summary>The alarms on the duty list: those that hold their condition's place (not those awaiting close-out).</summary>
    public IReadOnlyCollection<TrackedAlarm> All => [.. _alarms.Values];

    /// <summary>Alarms that ended at the plant and whose disposal loop is still open.</summary>
    public IReadOnlyCollection<TrackedAlarm> AwaitingCloseOut => [.. _awaitingCloseOut.Values];

    /// <summary>
    /// Sets which partition owns each alarm, by its gateway (<paramref name="partitionOf"/>: enterprise, gateway to
    /// partition): the pipeline calls it once as it is built, before its workers start.
    /// </summary>
    public void UsePartitions(int partitions, Func<string, string, int> partitionOf)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        var byPartition = new ConcurrentDictionary<string, TrackedAlarm>[partitions];
        for (var i = 0; i < partitions; i++)
            byPartition[i] = new(StringComparer.Ordinal);
        foreach (var alarm in _alarms.Values.Concat(_awaitingCloseOut.Values))
            byPartition[partitionOf(alarm.Raised.Enterprise, alarm.Raised.Gateway)][alarm.StoreKey] = alarm;
        _partitionOf = partitionOf;
        Volatile.Write(ref _byPartition, byPartition);
    }

    /// <summary>The alarms of the gateways partition <paramref name="partition"/> owns (enumerated live, not copied).</summary>
    public IEnumerable<TrackedAlarm> OwnedBy(int partition)
    {
        foreach (var (_, alarm) in Volatile.Read(ref _byPartition)[partition])
            yield return alarm;
    }

    /// <summary>The alarm with this id: on the duty list, or awaiting its close-out.</summary>
    public bool TryGet(Guid alarmId, out TrackedAlarm alarm) => TryGetListed(alarmId, out alarm) || _awaitingCloseOut.TryGetValue(alarmId, out alarm!);

    /// <summary>The alarm with this id if it is on the duty list: the ISA-18.2 actions apply to those only.</summary>
    private bool TryGetListed(Guid alarmId, out TrackedAlarm alarm)
    {
        alarm = null!;
        return _keysById.TryGetValue(alarmId, out var key) && _alarms.TryGetValue(key, out alarm!);
    }

    public bool TryGetByKey(string key, out TrackedAlarm alarm) => _alarms.TryGetValue(key, out alarm!);

    /// <summary>Restores the alarms of the last run, so that none is raised twice or forgotten.</summary>
    public void Restore(IEnumerable<AlarmStateRecord> records)
    {
        foreach (var record in records)
        {
            var alarm = JsonSerializer.Deserialize<TrackedAlarm>(record.StateJson, AlarmJournal.JsonOptions)!;
            Store(alarm);
        }

        PublishGauge();
    }

    /// <summary>
    /// Applies a rule transition and appends the journal entries to commit before the source messages are
    /// acknowledged (none when it changes nothing: a raise of an alarm that is already active, a clear of an
    /// alarm that is not). Every path that evaluates readings (live, late data, the start-up replay, the
    /// timers) decides here what is published, so that the rules below hold whatever found the transition:
    /// <list type="bullet">
    /// <item>a raise found in data that is behind the gateway's own clock (a backlog) is held, not published:
    /// if the condition is still true when the gateway's data is current again, it is paged like a live alarm;
    /// if the backlog itself ends it, the whole episode was in the past and is recorded historical
    /// (<see cref="ReleaseHeld"/>, <see cref="TransitionContext.Current"/>);</item>
    /// <item>the start-up replay re-derives transitions from stored readings: one not newer than the newest
    /// transition journalled for that alarm key is a repeat and is dropped (no clear from an earlier episode,
    /// no second raise of a continuing condition);</item>
    /// <item>no transition older than the open alarm's last one is published (its events stay in order).</item>
    /// </list>
    /// </summary>
    public void Apply(in AlarmTransition transition, TransitionContext context, List<JournalEntry> entries)
    {
        var condition = transition.Condition;
        var key = condition.Key;
        if (context.Origin == TransitionOrigin.Replay && _newestTransitionMs.TryGetValue(key, out var newest) && transition.OccurredAtMs <= newest)
        {
            IngestionMetrics.TransitionsDropped.Add(1, new KeyValuePair<string, object?>("reason", "replayed"));
            return;
        }

        _alarms.TryGetValue(key, out var existing);
        if (existing is not null && transition.OccurredAtMs < existing.LastTransitionAtMs)
        {
            // Late data older than what the open alarm already told: stored, counted, not published out of order.
            IngestionMetrics.TransitionsDropped.Add(1, new KeyValuePair<string, object?>("reason", "older_than_alarm"));
            return;
        }

        var held = _held.TryGetValue(key, out var heldRaise) ? heldRaise : null;
        if (transition.Kind == AlarmTransitionKind.Raised)
        {
            if (existing is { ConditionActive: true })
            {
                // The live rules confirm an episode first found in late data: from now on it is theirs to clear.
                if (existing.LateEpisode && context.Origin != TransitionOrigin.LateData)
                {
                    var confirmed = existing with { LateEpisode = false };
                    Store(confirmed);
                    entries.Add(JournalEntry.StateOnly(confirmed, Serialize(confirmed)));
                }

                return;
            }

            if (held is not null)
                return;
            if (!context.Current && context.Origin != TransitionOrigin.LateData)
            {
                Hold(new HeldRaise(transition, context, timeProvider.GetUtcNow()) { Partition = PartitionOf(transition.Condition) });
                return;
            }

            Raise(transition, context, historical: context.Origin == TransitionOrigin.LateData && !context.WithinReorderWindow, entries);
            return;
        }

        // Late data tells of the past: it may end an episode it found itself, never one the live rules hold back.
        if (held is not null && context.Origin != TransitionOrigin.LateData)
        {
            // The held episode ended. Behind the gateway's clock: it started and ended in the past (historical);
            // in current data it was still true when the data caught up, so it is paged as live.
            Unhold(held);
            var past = !context.Current;
            IngestionMetrics.HeldRaisesReleased.Add(1, new KeyValuePair<string, object?>("reason", past ? "ended_in_backlog" : "caught_up"));
            Raise(held.Transition, held.Context, historical: past, entries);
            Clear(transition, context, historical: past, entries);
            return;
        }

        if (existing is not { ConditionActive: true })
            return;
        // Late data tells of the past: it may end an episode it found itself, never one the live rules hold.
        if (context.Origin == TransitionOrigin.LateData && !existing.LateEpisode)
            return;
        Clear(transition, context, historical: context.Origin == TransitionOrigin.LateData && !context.WithinReorderWindow, entries);
    }

    /// <summary>
    /// Publishes the held raises <paramref name="which"/> selects (one gateway's, or those held past the hold limit)
    /// as live: the gateway's data is current again and the condition is still true, or the hold lasted its
    /// limit (a backlog that does not end must not keep an alarm from being paged). Called by the gateway's worker.
    /// </summary>
    public void ReleaseHeld(Func<HeldRaise, bool> which, string reason, List<JournalEntry> entries)
    {
        if (Volatile.Read(ref _heldCount) == 0)
            return;
        foreach (var held in _held.Values)
        {
            if (!which(held))
                continue;
            Unhold(held);
            IngestionMetrics.HeldRaisesReleased.Add(1, new KeyValuePair<string, object?>("reason", reason));
            Raise(held.Transition, held.Context, historical: false, entries);
        }
    }

    /// <summary>True when some raise waits for its gateway's data to catch up (cheap: read on every message).</summary>
    public bool AnyHeld => Volatile.Read(ref _heldCount) > 0;

    /// <summary>Raises waiting for their gateway's data to catch up (for the API and tests).</summary>
    public IReadOnlyCollection<HeldRaise> Held => [.. _held.Values];

    /// <summary>Newest sensor time of any raise or clear journalled for each alarm key (restored at start).</summary>
    public void RestoreNewestTransitions(IEnumerable<KeyValuePair<string, long>> newest)
    {
        foreach (var (key, ms) in newest)
            _newestTransitionMs[key] = ms;
    }

    private void Hold(HeldRaise held)
    {
        if (_held.TryAdd(held.Transition.Condition.Key, held))
            Interlocked.Increment(ref _heldCount);
        IngestionMetrics.SetHeldRaises(Volatile.Read(ref _heldCount));
    }

    private void Unhold(HeldRaise held)
    {
        if (_held.TryRemove(held.Transition.Condition.Key, out _))
            Interlocked.Decrement(ref _heldCount);
        IngestionMetrics.SetHeldRaises(Volatile.Read(ref _heldCount));
    }

    private void Raise(in AlarmTransition transition, TransitionContext context, bool historical, List<JournalEntry> entries)
    {
        var condition = transition.Condition;
        var now = timeProvider.GetUtcNow();
        // A static check or a no-data alarm has no value; NaN has no JSON form.
        double? value = double.IsFinite(transition.Value) ? transition.Value : null;
        _alarms.TryGetValue(condition.Key, out var existing);
        var alarmId = existing?.Raised.AlarmId ?? Guid.CreateVersion7(now);
        var sequence = (existing?.Sequence ?? 0) + 1;
        var raised = ConditionFacts(transition, context, alarmId, sequence, value, historical, now);
        // A raise while returned-to-normal-unacknowledged re-activates the same alarm (ISA-18.2) and
        // keeps its escalation clock: nobody has answered it yet. Otherwise the clock starts now.
        var stillUnanswered = existing is { Acknowledged: false };
        var alarm = new TrackedAlarm
        {
            Key = condition.Key,
            Raised = existing?.Raised ?? raised,
            Sequence = sequence,
            ConditionActive = true,
            Acknowledged = false,
            Shelf = existing?.Shelf,
            OutOfService = existing?.OutOfService,
            Latched = false,
            Chattering = CountRaise(condition.Key, transition.OccurredAtMs),
            LastValue = value,
            LastChangedAt = now,
            LastTransitionAtMs = transition.OccurredAtMs,
            LateEpisode = context.Origin == TransitionOrigin.LateData,
        };
        alarm = stillUnanswered
            ? alarm with { EscalationLevel = existing!.EscalationLevel, NextEscalationAt = existing.NextEscalationAt, AcknowledgeDueAt = existing.AcknowledgeDueAt, UnacknowledgedSince = existing.UnacknowledgedSince }
            : StartEscalationClock(alarm, now, historical);
        // A re-activation goes on with the alarm's loop; a new alarm starts its own.
        alarm = alarm with { Disposal = existing is not null ? existing.Disposal : StartDisposal(alarm, now, historical) };
        Record(alarm, raised.EventId, raised, null, entries, transition.OccurredAtMs);
    }

    /// <summary>
    /// The common facts of a raise or a clear, from the rule's condition and the transition that found it:
    /// the one place that lists every field of <see cref="AlarmEvent"/> (a clear copies them from it).
    /// </summary>
    private static AlarmRaised ConditionFacts(in AlarmTransition transition, TransitionContext context, Guid alarmId, long sequence, double? value, bool historical, DateTimeOffset now)
    {
        var condition = transition.Condition;
        return new AlarmRaised
        {
            AlarmId = alarmId,
            EventId = AlarmEventIds.For(alarmId, sequence),
            Sequence = sequence,
            RuleId = condition.RuleId,
            RuleVersion = condition.RuleVersion,
            Enterprise = condition.Enterprise,
            Gateway = condition.Gateway,
            Tags = condition.Tags,
            Equipment = condition.Equipment,
            Industry = condition.Industry,
            Priority = condition.Priority,
            Level = condition.Level,
            MajorHazard = condition.MajorHazard,
            Clause = condition.Clause,
            Value = value,
            Limit = condition.Limit,
            Unit = condition.Unit,
            Condition = condition.Description,
            OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(transition.OccurredAtMs),
            DetectedAt = now,
            Historical = historical,
            Context = context.Readings,
            Simulated = context.Simulated,
        };
    }

    private void Clear(in AlarmTransition transition, TransitionContext context, bool historical, List<JournalEntry> entries)
    {
        var condition = transition.Condition;
        var existing = _alarms[condition.Key];
        var now = timeProvider.GetUtcNow();
        double? value = double.IsFinite(transition.Value) ? transition.Value : null;
        var clearSequence = existing.Sequence + 1;
        var cleared = new AlarmCleared(
            ConditionFacts(transition, context, existing.Raised.AlarmId, clearSequence, value, historical, now),
            cause: transition.Cause == ClearCause.ModeGate ? ClearCauses.ModeGate : ClearCauses.Normal);
        var returned = existing with
        {
            Sequence = clearSequence,
            ConditionActive = false,
            Latched = condition.Latching,
            LastValue = value,
            LastChangedAt = now,
            LastTransitionAtMs = transition.OccurredAtMs,
            LateEpisode = false,
        };
        if (returned.Shelf is not { OneShot: true } shelf)
        {
            // Returned to normal and already acknowledged: the alarm is closed (see IsClosed).
            Record(returned, cleared.EventId, cleared, null, entries, transition.OccurredAtMs);
            return;
        }

        // A one-shot shelf ends with the return to normal: two events, the second carries the final state (and is
        // the one a close-out follows).
        Record(returned with { Shelf = null }, cleared.EventId, cleared, null, entries, transition.OccurredAtMs, closeOutWhenEnded: false);
        returned = returned with { Sequence = returned.Sequence + 1, Shelf = null };
        var unshelved = Unshelved(returned, shelf.By, UnshelveReasons.ReturnedToNormal, now);
        Record(returned, unshelved.EventId, unshelved, null, entries);
    }

    /// <summary>A duty officer acknowledged the alarm. Closes it when it had already returned to normal.</summary>
    public OperatorOutcome Acknowledge(Guid alarmId, string actor, string? comment, List<JournalEntry> entries)
    {
        if (!TryGetListed(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (alarm.Acknowledged)
            return OperatorOutcome.Rejected("the alarm is already acknowledged");

        var now = timeProvider.GetUtcNow();
        var next = alarm with
        {
            Sequence = alarm.Sequence + 1,
            Acknowledged = true,
            AcknowledgedBy = actor,
            AcknowledgedAt = now,
            Comment = comment ?? alarm.Comment,
            LastChangedAt = now,
            NextEscalationAt = null,
            AcknowledgeDueAt = null,
            Disposal = SignedFor(alarm.Disposal),
        };
        var acknowledged = Acknowledged(next, actor, comment, now);
        var closed = Record(next, acknowledged.EventId, acknowledged, new AuditRecord(now, actor, "acknowledge", alarmId, next.Key, comment), entries);
        return OperatorOutcome.Done(closed ? null : next);
    }

    /// <summary>An operator shelved the alarm until <paramref name="until"/> (or, one-shot, until it returns to normal).</summary>
    public OperatorOutcome Shelve(Guid alarmId, string actor, string reason, DateTimeOffset until, bool oneShot, List<JournalEntry> entries)
    {
        if (!TryGetListed(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        var now = timeProvider.GetUtcNow();
        if (until <= now)
            return OperatorOutcome.Rejected("the shelf must end in the future");

        var next = alarm with { Sequence = alarm.Sequence + 1, Shelf = new Shelf(actor, reason, until, oneShot, now), LastChangedAt = now };
        var shelved = Shelved(next, actor, reason, until, now);
        Record(next, shelved.EventId, shelved, new AuditRecord(now, actor, oneShot ? "shelve-one-shot" : "shelve", alarmId, next.Key, reason), entries);
        return OperatorOutcome.Done(next);
    }

    public OperatorOutcome Unshelve(Guid alarmId, string actor, string? reason, List<JournalEntry> entries)
    {
        if (!TryGetListed(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (alarm.Shelf is null)
            return OperatorOutcome.Rejected("the alarm is not shelved");
        var now = timeProvider.GetUtcNow();
        var next = alarm with { Sequence = alarm.Sequence + 1, Shelf = null, LastChangedAt = now };
        var unshelved = Unshelved(next, actor, UnshelveReasons.Manual, now);
        Record(next, unshelved.EventId, unshelved, new AuditRecord(now, actor, "unshelve", alarmId, next.Key, reason), entries);
        return OperatorOutcome.Done(next);
    }

    /// <summary>An operator removed the alarm from service until <paramref name="until"/>: it stays listed, and is not closed, until it returns.</summary>
    public OperatorOutcome RemoveFromService(Guid alarmId, string actor, string reason, DateTimeOffset until, List<JournalEntry> entries)
    {
        if (!TryGetListed(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        var now = timeProvider.GetUtcNow();
        if (until <= now)
            return OperatorOutcome.Rejected("the out-of-service time must end in the future");

        var next = alarm with { Sequence = alarm.Sequence + 1, OutOfService = new OutOfService(actor, reason, until, now), LastChangedAt = now };
        var removed = RemovedFromService(next, actor, reason, until, now);
        Record(next, removed.EventId, removed, new AuditRecord(now, actor, "out-of-service", alarmId, next.Key, reason), entries);
        return OperatorOutcome.Done(next);
    }

    public OperatorOutcome ReturnToService(Guid alarmId, string actor, string? reason, List<JournalEntry> entries)
    {
        if (!TryGetListed(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (alarm.OutOfService is null)
            return OperatorOutcome.Rejected("the alarm is in service");
        var now = timeProvider.GetUtcNow();
        var next = alarm with { Sequence = alarm.Sequence + 1, OutOfService = null, LastChangedAt = now };
        var returned = ReturnedToService(next, actor, UnshelveReasons.Manual, now);
        var closed = Record(next, returned.EventId, returned, new AuditRecord(now, actor, "return-to-service", alarmId, next.Key, reason), entries);
        return OperatorOutcome.Done(closed ? null : next);
    }

    /// <summary>Ends the shelves and out-of-service times that have expired among the alarms of <paramref name="partition"/> (the calling worker's).</summary>
    public void ExpireShelves(int partition, List<JournalEntry> entries)
    {
        var now = timeProvider.GetUtcNow();
        foreach (var (_, alarm) in Volatile.Read(ref _byPartition)[partition])
        {
            var current = alarm;
            if (current.Shelf is { } shelf && shelf.Until <= now)
            {
                current = current with { Sequence = current.Sequence + 1, Shelf = null, LastChangedAt = now };
                var unshelved = Unshelved(current, null, UnshelveReasons.Expired, now);
                Record(current, unshelved.EventId, unshelved, null, entries);
            }

            if (current.OutOfService is { } oos && oos.Until <= now)
            {
                current = current with { Sequence = current.Sequence + 1, OutOfService = null, LastChangedAt = now };
                var returned = ReturnedToService(current, null, UnshelveReasons.Expired, now);
                Record(current, returned.EventId, returned, null, entries);
            }
        }
    }

    /// <summary>
    /// Publishes <see cref="AlarmEscalated"/> for the alarms of <paramref name="partition"/> (the calling worker's)
    /// that nobody acknowledged within their response time. A shelved or out-of-service alarm is not
    /// escalated while it is (an operator has answered for it); it is at the next tick after it returns.
    /// </summary>
    public void Escalate(int partition, List<JournalEntry> entries)
    {
        if (_escalation is null)
            return;
        var now = timeProvider.GetUtcNow();
        foreach (var (_, alarm) in Volatile.Read(ref _byPartition)[partition])
        {
            if (alarm.NextEscalationAt is not { } due || due > now || alarm.Acknowledged || alarm.Shelf is not null || alarm.OutOfService is not null)
                continue;

            var level = alarm.EscalationLevel + 1;
            var since = alarm.UnacknowledgedSince ?? alarm.Raised.DetectedAt;
            var r = alarm.Raised;
            var step = _escalation.EscalateAfter(r.Priority, r.Level, r.MajorHazard);
            var next = alarm with
            {
                Sequence = alarm.Sequence + 1,
                EscalationLevel = level,
                NextEscalationAt = level < _escalation.MaxLevel ? since + (step * (level + 1)) : null,
                LastChangedAt = now,
            };
            var escalated = Escalated(next, level, now - since, now);
            Record(next, escalated.EventId, escalated, null, entries);
        }
    }

    /// <summary>
    /// A duty officer's note on the alarm (what was found, what was done): audited, shown with the alarm,
    /// and not a lifecycle transition, so no contract event and no sequence number.
    /// </summary>
    public OperatorOutcome AddComment(Guid alarmId, string actor, string comment, List<JournalEntry> entries)
    {
        if (!TryGet(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        var now = timeProvider.GetUtcNow();
        var next = alarm with { Comment = comment };
        Store(next);
        entries.Add(JournalEntry.AuditOnly(next, Serialize(next), new AuditRecord(now, actor, "comment", alarmId, next.Key, comment)));
        return OperatorOutcome.Done(next);
    }

    private TrackedAlarm StartEscalationClock(TrackedAlarm alarm, DateTimeOffset now, bool historical)
    {
        // Late data is not paged as new (contract: historical), so it is not escalated either.
        if (_escalation is null || historical)
            return alarm with { EscalationLevel = 0, NextEscalationAt = null, AcknowledgeDueAt = null, UnacknowledgedSince = now };
        var r = alarm.Raised;
        return alarm with
        {
            EscalationLevel = 0,
            UnacknowledgedSince = now,
            NextEscalationAt = now + _escalation.EscalateAfter(r.Priority, r.Level, r.MajorHazard),
            AcknowledgeDueAt = now + _escalation.AcknowledgeWithin(r.Priority, r.Level, r.MajorHazard),
        };
    }

    /// <summary>Nothing left to attend to: ended at the plant, and its disposal loop (if it has one) closed out.</summary>
    private static bool IsClosed(TrackedAlarm alarm) => alarm.Ended && alarm.Disposal is null or { Step: DisposalSteps.ClosedOut };

    /// <summary>An operator reset a latched alarm whose condition has returned to normal. Closes it when it was acknowledged.</summary>
    public OperatorOutcome Reset(Guid alarmId, string actor, string? comment, List<JournalEntry> entries)
    {
        if (!TryGetListed(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (!alarm.Latched || alarm.ConditionActive)
            return OperatorOutcome.Rejected(alarm.ConditionActive ? "the condition is still active: reset after it returns to normal" : "the alarm is not latched");

        var now = timeProvider.GetUtcNow();
        var next = alarm with { Sequence = alarm.Sequence + 1, Latched = false, LastChangedAt = now };
        var reset = new AlarmReset(OperatorFacts(next, now), resetBy: actor, comment);
        var closed = Record(next, reset.EventId, reset, new AuditRecord(now, actor, "reset", alarmId, next.Key, comment), entries);
        return OperatorOutcome.Done(closed ? null : next);
    }

    private bool CountRaise(string key, long occurredAtMs)
    {
        var raises = _recentRaises.GetOrAdd(key, static _ => new Queue<long>());
        raises.Enqueue(occurredAtMs);
        while (raises.Count > 0 && raises.Peek() < occurredAtMs - (long)ChatterWindow.TotalMilliseconds)
            raises.Dequeue();
        return raises.Count >= ChatterRaises;
    }

    private int PartitionOf(AlarmCondition condition) => _partitionOf(condition.Enterprise, condition.Gateway);

    private void Store(TrackedAlarm alarm)
    {
        var id = alarm.Raised.AlarmId;
        var partition = Volatile.Read(ref _byPartition)[_partitionOf(alarm.Raised.Enterprise, alarm.Raised.Gateway)];
        if (alarm.AwaitingCloseOut)
        {
            // It leaves its condition's place (a new raise of the condition is a new alarm) for a place of its own.
            if (_alarms.TryGetValue(alarm.Key, out var listed) && listed.Raised.AlarmId == id)
            {
                _alarms.TryRemove(new KeyValuePair<string, TrackedAlarm>(alarm.Key, listed));
                partition.TryRemove(new KeyValuePair<string, TrackedAlarm>(alarm.Key, listed));
                _keysById.TryRemove(id, out _);
            }

            _awaitingCloseOut[id] = alarm;
        }
        else
        {
            _alarms[alarm.Key] = alarm;
            _keysById[id] = alarm.Key;
        }

        partition[alarm.StoreKey] = alarm;
        PublishGauge();
    }

    /// <summary>Removes the alarm with <paramref name="alarm"/>'s id from wherever it is kept, and from nowhere else.</summary>
    private void Remove(TrackedAlarm alarm)
    {
        var id = alarm.Raised.AlarmId;
        var partition = Volatile.Read(ref _byPartition)[_partitionOf(alarm.Raised.Enterprise, alarm.Raised.Gateway)];
        if (_awaitingCloseOut.TryRemove(id, out var awaiting))
            partition.TryRemove(new KeyValuePair<string, TrackedAlarm>(awaiting.StoreKey, awaiting));
        if (_alarms.TryGetValue(alarm.Key, out var listed) && listed.Raised.AlarmId == id)
        {
            _alarms.TryRemove(new KeyValuePair<string, TrackedAlarm>(alarm.Key, listed));
            partition.TryRemove(new KeyValuePair<string, TrackedAlarm>(alarm.Key, listed));
            _keysById.TryRemove(id, out _);
        }

        PublishGauge();
    }

    private void PublishGauge() => IngestionMetrics.SetActiveAlarms(_alarms.Count);

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value, AlarmJournal.JsonOptions);

    /// <summary>
    /// Every change of an alarm goes through here: the alarm is stored, or closed when nothing is left
    /// to attend to (<see cref="IsClosed"/>), and the event is journalled with the state after it
    /// (null = closed), where the journal keeps it (<see cref="TrackedAlarm.StoreKey"/>), and the operator action
    /// behind it. An alarm whose loop waits only for it to end is closed out here when it ends
    /// (<see cref="CloseOutWhenEnded"/>). Returns whether the alarm was closed.
    /// </summary>
    private bool Record<TEvent>(TrackedAlarm next, Guid eventId, TEvent message, AuditRecord? audit, List<JournalEntry> entries, long? transitionAtMs = null, bool closeOutWhenEnded = true)
    {
        var storedUnder = TryGet(next.Raised.AlarmId, out var previous) ? previous.StoreKey : next.StoreKey;
        var closed = IsClosed(next);
        if (closed)
        {
            Remove(next);
        }
        else
        {
            Store(next);
            if (!string.Equals(storedUnder, next.StoreKey, StringComparison.Ordinal))
            {
                // Ended with its loop open: its state moves to its own key, in the same transaction as the event.
                entries.Add(JournalEntry.Moved(next.Key, storedUnder));
                storedUnder = next.StoreKey;
            }
        }

        if (transitionAtMs is { } at)
            _newestTransitionMs.AddOrUpdate(next.Key, static (_, at) => at, static (_, old, at) => Math.Max(old, at), at);
        var type = typeof(TEvent).Name;
        entries.Add(new JournalEntry(eventId, type, Serialize(message), next.Key, closed ? null : Serialize(next), audit, transitionAtMs, Alarm: next, StateKey: storedUnder));
        IngestionMetrics.AlarmTransitions.Add(1, new("type", type), new("priority", next.Raised.Priority));
        return closed || (closeOutWhenEnded && CloseOutWhenEnded(next, entries));
    }

    /// <summary>
    /// The common facts of an operator or escalation event about <paramref name="a"/> (numbered with its current
    /// sequence): the alarm as raised, its last value, stamped now, no context readings.
    /// </summary>
    private static AlarmRaised OperatorFacts(TrackedAlarm a, DateTimeOffset now) => a.Raised with
    {
        EventId = AlarmEventIds.For(a.Raised.AlarmId, a.Sequence),
        Sequence = a.Sequence,
        Value = a.LastValue,
        OccurredAt = now,
        DetectedAt = now,
        Historical = false,
        Context = [],
    };

    private static AlarmAcknowledged Acknowledged(TrackedAlarm a, string actor, string? comment, DateTimeOffset now) =>
        new(OperatorFacts(a, now), acknowledgedBy: actor, comment, acknowledgedAt: now);

    private static AlarmEscalated Escalated(TrackedAlarm a, int level, TimeSpan unacknowledgedFor, DateTimeOffset now) =>
        new(OperatorFacts(a, now), escalationLevel: level, unacknowledgedForSeconds: (long)unacknowledgedFor.TotalSeconds);

    private static AlarmShelved Shelved(TrackedAlarm a, string actor, string reason, DateTimeOffset until, DateTimeOffset now) =>
        new(OperatorFacts(a, now), shelvedBy: actor, reason, shelvedUntil: until);

    private static AlarmOutOfService RemovedFromService(TrackedAlarm a, string actor, string reason, DateTimeOffset until, DateTimeOffset now) =>
        new(OperatorFacts(a, now), removedBy: actor, reason, outOfServiceUntil: until);

    private static AlarmReturnedToService ReturnedToService(TrackedAlarm a, string? actor, string reason, DateTimeOffset now) =>
        new(OperatorFacts(a, now), returnedBy: actor, reason);

    private static AlarmUnshelved Unshelved(TrackedAlarm a, string? actor, string reason, DateTimeOffset now) =>
        new(OperatorFacts(a, now), unshelvedBy: actor, reason);
}

/// <summary>What found a transition (see <see cref="AlarmTracker.Apply"/>).</summary>
internal enum TransitionOrigin : byte
{
    /// <summary>A reading the live rules evaluated (the sensor's newest).</summary>
    Reading,
    /// <summary>A reading older than the sensor's newest, evaluated by the late-data rules (RuleSetHolder.LateData).</summary>
    LateData,
    /// <summary>A timer: a delay, deadline or window maturing, no data, a static check, a gateway diagnostic.</summary>
    Timer,
    /// <summary>The start-up replay of stored readings (RuleStateReplay).</summary>
    Replay,
}

/// <summary>What the partition worker knows about a transition besides the rule's own data.</summary>
/// <param name="Current">
/// The transition's sensor time is within <c>Pipeline:HistoricalAfter</c> of the gateway's own clock (its estimated
/// offset, never the server's clock): false for data from a backlog, whose raises are held (see AlarmTracker.Apply).
/// </param>
/// <param name="WithinReorderWindow">Late data late by no more than the reorder window: paged like a live reading; later than that it is historical.</param>
internal sealed record TransitionContext(IReadOnlyList<ContextReading> Readings, bool Simulated, TransitionOrigin Origin = TransitionOrigin.Reading, bool Current = true, bool WithinReorderWindow = false);

/// <summary>A raise found in data behind its gateway's clock, waiting to be published (see <see cref="AlarmTracker.Apply"/>).</summary>
internal sealed record HeldRaise(AlarmTransition Transition, TransitionContext Context, DateTimeOffset HeldAt)
{
    /// <summary>The partition that owns the alarm's gateway (<see cref="AlarmTracker.UsePartitions"/>).</summary>
    public int Partition { get; init; }

    public string Enterprise => Transition.Condition.Enterprise;
    public string Gateway => Transition.Condition.Gateway;
}

/// <summary>The result of an operator action on an alarm.</summary>
internal sealed record OperatorOutcome(OperatorOutcomeKind Kind, TrackedAlarm? Alarm, string? Problem)
{
    public static readonly OperatorOutcome NotFound = new(OperatorOutcomeKind.NotFound, null, "no such alarm (it may have been closed)");

    public static OperatorOutcome Done(TrackedAlarm? alarm) => new(OperatorOutcomeKind.Done, alarm, null);

    public static OperatorOutcome Rejected(string problem) => new(OperatorOutcomeKind.Rejected, null, problem);
}

internal enum OperatorOutcomeKind
{
    Done,
    NotFound,
    Rejected,
}

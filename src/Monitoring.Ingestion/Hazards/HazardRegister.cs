using System.Collections.Concurrent;
using System.Text.Json;
using System.Threading.Channels;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;

namespace Monitoring.Ingestion.Hazards;

/// <summary>
/// The major-hazard register (重大事故隐患, docs/disposal.md): a record per (enterprise, clause, equipment) that a
/// major-hazard rule's alarm opens, or re-opens when it recurs, worked open -> planned -> rectified -> verified -> closed.
/// <para>
/// One writer: every change (an alarm found, an officer's action, a deadline) runs under one lock and is committed,
/// state, event and audit in one transaction, before the lock is released, so a record's events reach the outbox in
/// sequence order whichever partition's alarm or which request caused them. Records are few and change rarely.
/// </para>
/// <para>
/// An alarm is attached only once its raise is durable (<see cref="AlarmJournal.MajorHazardCommitted"/>), so no record
/// cites an alarm that a crash took back. A crash between the two commits is made good at start
/// (<see cref="LoadAsync"/> attaches every major-hazard alarm the tracker restored); attaching is idempotent by alarm id,
/// and event ids are deterministic, so nothing is published twice.
/// </para>
/// </summary>
internal sealed class HazardRegister : IDisposable
{
    private readonly AlarmJournal _journal;
    private readonly AlarmTracker _alarms;
    private readonly OutboxSignal _outbox;
    private readonly TimeProvider _time;
    private readonly HazardOptions _options;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ConcurrentDictionary<Guid, HazardRecord> _records = new();
    private readonly Channel<AlarmRaised> _found = Channel.CreateUnbounded<AlarmRaised>(new UnboundedChannelOptions { SingleReader = true });

    public HazardRegister(AlarmJournal journal, AlarmTracker alarms, OutboxSignal outbox, TimeProvider time, HazardOptions options)
    {
        _journal = journal;
        _alarms = alarms;
        _outbox = outbox;
        _time = time;
        _options = options;
        if (options.Enabled)
            journal.MajorHazardCommitted = raised => _found.Writer.TryWrite(raised);
        IngestionMetrics.ObserveHazards(() =>
        {
            long open = 0, overdue = 0;
            foreach (var (_, record) in _records)
            {
                if (!record.IsOpen)
                    continue;
                open++;
                if (record.Overdue)
                    overdue++;
            }

            return (open, overdue);
        });
    }

    public IReadOnlyCollection<HazardRecord> All => [.. _records.Values];

    public bool TryGet(Guid hazardId, out HazardRecord record) => _records.TryGetValue(hazardId, out record!);

    /// <summary>Major-hazard raises committed and not yet attached (read by <see cref="HazardService"/>).</summary>
    public ChannelReader<AlarmRaised> Found => _found.Reader;

    /// <summary>Restores the records, then attaches every major-hazard alarm the tracker holds (see the class summary).</summary>
    public async Task LoadAsync(CancellationToken cancellationToken)
    {
        foreach (var json in await _journal.LoadHazardsAsync(cancellationToken))
        {
            var record = JsonSerializer.Deserialize<HazardRecord>(json, AlarmJournal.JsonOptions)!;
            _records[record.Id] = record;
        }

        if (!_options.Enabled)
            return;
        foreach (var alarm in _alarms.All.Concat(_alarms.AwaitingCloseOut).Where(a => a.Raised.MajorHazard).OrderBy(a => a.Raised.OccurredAt))
            await AttachAsync(alarm.Raised, cancellationToken);
    }

    /// <summary>
    /// A major-hazard alarm was raised: opens its record, re-opens it (a recurrence after the rectification was
    /// reported, verified or closed out), or joins it to the open one. Nothing when the alarm is already attached.
    /// </summary>
    public async Task AttachAsync(AlarmRaised raised, CancellationToken cancellationToken)
    {
        var equipment = HazardRecord.EquipmentOf(raised);
        var id = HazardIds.For(raised.Enterprise, raised.Clause, equipment);
        await _lock.WaitAsync(cancellationToken);
        try
        {
            var now = _time.GetUtcNow();
            _records.TryGetValue(id, out var record);
            if (record is not null && record.Alarms.Contains(raised.AlarmId))
                return;

            if (record is null)
            {
                var opened = new HazardRecord
                {
                    Id = id,
                    Enterprise = raised.Enterprise,
                    Industry = raised.Industry,
                    Clause = raised.Clause,
                    Equipment = equipment,
                    Gateway = raised.Gateway,
                    Condition = raised.Condition,
                    Simulated = raised.Simulated,
                    State = HazardStates.Open,
                    Sequence = 1,
                    FirstOpenedAt = raised.OccurredAt,
                    OpenedAt = raised.OccurredAt,
                    LastChangedAt = now,
                    DueAt = now + _options.PlanWithin,
                    Alarms = [raised.AlarmId],
                    AlarmCount = 1,
                };
                await CommitAsync(opened, new HazardOpened(Facts(opened), raised.AlarmId, raised.RuleId, raised.OccurredAt), null, cancellationToken);
                return;
            }

            var attached = record with
            {
                // A record opened by simulated traffic is about a real hazard as soon as a real alarm finds it.
                Simulated = record.Simulated && raised.Simulated,
                Alarms = [.. record.Alarms.Skip(Math.Max(0, record.Alarms.Count + 1 - HazardRecord.MaxAlarmsKept)), raised.AlarmId],
                AlarmCount = record.AlarmCount + 1,
            };
            if (record.State is HazardStates.Open or HazardStates.Planned)
            {
                // The same hazard, still being worked: the alarm joins the record; the platform has the alarm's own events.
                await CommitAsync(attached, null, null, cancellationToken);
                return;
            }

            var reopened = attached with
            {
                State = HazardStates.Open,
                Sequence = record.Sequence + 1,
                OpenedAt = raised.OccurredAt,
                LastChangedAt = now,
                DueAt = now + _options.PlanWithin,
                Recurrences = record.Recurrences + 1,
                Condition = raised.Condition,
                Plan = null,
                Rectification = null,
                LastReturn = null,
                VerifiedBy = null,
                VerifiedAt = null,
                VerifyComment = null,
                ClosedOutBy = null,
                ClosedOutAt = null,
            };
            await CommitAsync(reopened, new HazardReopened(Facts(reopened), raised.AlarmId, raised.RuleId, raised.OccurredAt, record.State), null, cancellationToken);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>整改方案: the rectification plan of an open record, or a revised plan of a planned one.</summary>
    public Task<HazardOutcome> PlanAsync(Guid hazardId, string actor, string measures, string owner, DateTimeOffset rectifyBy, CancellationToken cancellationToken) =>
        ChangeAsync(hazardId, (record, now) =>
        {
            if (record.State is not (HazardStates.Open or HazardStates.Planned))
                return HazardOutcome.Rejected($"the record is {record.State}: a plan is made while it is open (or revised while planned)");
            if (rectifyBy <= now)
                return HazardOutcome.Invalid("'rectifyBy' must be in the future");
            if (rectifyBy > now.AddDays(_options.MaxRectifyDays))
                return HazardOutcome.Invalid($"'rectifyBy' is at most {_options.MaxRectifyDays} days ahead (Monitoring:Hazards:MaxRectifyDays)");
            var next = record with
            {
                State = HazardStates.Planned,
                Plan = new HazardPlan(measures, owner, rectifyBy, actor, now),
                DueAt = rectifyBy,
            };
            return Change(next, f => new HazardRectificationPlanned(f, actor, measures, owner, rectifyBy, now), actor, "plan-rectification", $"{owner}, by {rectifyBy:O}: {measures}");
        }, cancellationToken);

    /// <summary>The rectification is reported done, with evidence. Refused while one of the record's alarms is still active.</summary>
    public Task<HazardOutcome> RectifyAsync(Guid hazardId, string actor, string description, IReadOnlyList<string> evidence, CancellationToken cancellationToken) =>
        ChangeAsync(hazardId, (record, now) =>
        {
            if (record.State != HazardStates.Planned)
                return HazardOutcome.Rejected(record.State == HazardStates.Open
                    ? "plan the rectification before reporting it done"
                    : $"the record is {record.State}: the rectification was already reported");
            if (ActiveAlarm(record) is { } active)
                return HazardOutcome.Rejected($"the hazard's alarm {active} is still active: a rectification is reported once the condition has cleared");
            var next = record with
            {
                State = HazardStates.Rectified,
                Rectification = new HazardRectification(description, evidence, actor, now),
                DueAt = now + _options.VerifyWithin,
            };
            return Change(next, f => new HazardRectified(f, actor, description, evidence, now), actor, "rectify", description);
        }, cancellationToken);

    /// <summary>The verifier does not accept the rectification: back to the plan (and its deadline), with a reason.</summary>
    public Task<HazardOutcome> ReturnAsync(Guid hazardId, string actor, string reason, CancellationToken cancellationToken) =>
        ChangeAsync(hazardId, (record, now) =>
        {
            if (CheckVerifier(record, actor) is { } problem)
                return problem;
            var next = record with
            {
                State = HazardStates.Planned,
                LastReturn = new HazardReturn(actor, reason, now),
                DueAt = record.Plan!.RectifyBy,
            };
            return Change(next, f => new HazardRectificationReturned(f, actor, reason, now), actor, "return-rectification", reason);
        }, cancellationToken);

    /// <summary>核查/验收: the verifier accepts the rectification. Refused while one of the record's alarms is active.</summary>
    public Task<HazardOutcome> VerifyAsync(Guid hazardId, string actor, string? comment, CancellationToken cancellationToken) =>
        ChangeAsync(hazardId, (record, now) =>
        {
            if (CheckVerifier(record, actor) is { } problem)
                return problem;
            if (ActiveAlarm(record) is { } active)
                return HazardOutcome.Rejected($"the hazard's alarm {active} is active again: the rectification cannot be verified");
            var next = record with { State = HazardStates.Verified, VerifiedBy = actor, VerifiedAt = now, VerifyComment = comment, DueAt = null };
            return Change(next, f => new HazardVerified(f, actor, comment, now), actor, "verify-rectification", comment);
        }, cancellationToken);

    /// <summary>销号: a verified record is closed out.</summary>
    public Task<HazardOutcome> CloseOutAsync(Guid hazardId, string actor, string? comment, CancellationToken cancellationToken) =>
        ChangeAsync(hazardId, (record, now) =>
        {
            if (record.State != HazardStates.Verified)
                return HazardOutcome.Rejected($"the record is {record.State}: only a verified rectification is closed out");
            var next = record with { State = HazardStates.Closed, ClosedOutBy = actor, ClosedOutAt = now, DueAt = null };
            return Change(next, f => new HazardClosedOut(f, actor, comment, now), actor, "close-out-hazard", comment);
        }, cancellationToken);

    /// <summary>Publishes <see cref="HazardOverdue"/>, once per step and deadline, for every record past its step's deadline.</summary>
    public async Task CheckDeadlinesAsync(CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        foreach (var candidate in _records.Values)
        {
            if (candidate.DueAt is not { } due || due > now || candidate.Overdue)
                continue;
            await ChangeAsync(candidate.Id, (record, at) =>
            {
                if (record.DueAt is not { } dueAt || dueAt > at || record.Overdue)
                    return HazardOutcome.Rejected("no longer overdue");
                var step = record.WaitingFor!;
                var next = record with { OverdueMark = HazardRecord.MarkFor(step, dueAt) };
                return Change(next, f => new HazardOverdue(f, step, (long)(at - dueAt).TotalSeconds), null, null, null);
            }, cancellationToken);
        }
    }

    public void Dispose() => _lock.Dispose();

    /// <summary>Runs one change of a record under the lock: decide, then commit, then publish the new state.</summary>
    private async Task<HazardOutcome> ChangeAsync(Guid hazardId, Func<HazardRecord, DateTimeOffset, HazardOutcome> decide, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            if (!_records.TryGetValue(hazardId, out var record))
                return HazardOutcome.NotFound;
            var now = _time.GetUtcNow();
            var outcome = decide(record, now);
            if (outcome.Pending is not { } pending)
                return outcome;
            var next = pending.Next with { Sequence = record.Sequence + 1, LastChangedAt = now };
            var audit = pending.Action is null ? null : new AuditRecord(now, pending.Actor!, pending.Action, next.Id, next.Key, pending.Reason);
            await CommitAsync(next, pending.Event(Facts(next)), audit, cancellationToken);
            return HazardOutcome.Done(next);
        }
        finally
        {
            _lock.Release();
        }
    }

    private static HazardOutcome Change(HazardRecord next, Func<HazardEvent, HazardEvent> @event, string? actor, string? action, string? reason) =>
        new(HazardOutcomeKind.Done, null, null, new PendingChange(next, @event, actor, action, reason));

    /// <summary>Under the lock: state, event and audit in one transaction, and only then in memory.</summary>
    private async Task CommitAsync(HazardRecord next, HazardEvent? @event, AuditRecord? audit, CancellationToken cancellationToken)
    {
        var change = @event is null ? null : new HazardJournalEvent(@event.EventId, @event.Sequence, @event.GetType().Name,
            JsonSerializer.Serialize(@event, @event.GetType(), AlarmJournal.JsonOptions));
        await _journal.CommitHazardAsync(next.Id, JsonSerializer.Serialize(next, AlarmJournal.JsonOptions), change, audit, _time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
        _records[next.Id] = next;
        if (change is not null)
            _outbox.Notify();
    }

    private static HazardOutcome? CheckVerifier(HazardRecord record, string actor)
    {
        if (record is not { State: HazardStates.Rectified, Rectification: { } done })
            return HazardOutcome.Rejected("no rectification awaits verification");
        if (string.Equals(done.By, actor, StringComparison.Ordinal))
            return HazardOutcome.Rejected("the person who reported the rectification may not verify it");
        return null;
    }

    /// <summary>The first of the record's alarms whose condition is active now, if any.</summary>
    private Guid? ActiveAlarm(HazardRecord record)
    {
        foreach (var alarmId in record.Alarms)
        {
            if (_alarms.TryGet(alarmId, out var alarm) && alarm.ConditionActive)
                return alarmId;
        }

        return null;
    }

    /// <summary>The common fields of the record's event, as the record stands after it.</summary>
    private static HazardFactsSnapshot Facts(HazardRecord record) => new()
    {
        HazardId = record.Id,
        EventId = AlarmEventIds.For(record.Id, record.Sequence),
        Sequence = record.Sequence,
        Enterprise = record.Enterprise,
        Industry = record.Industry,
        Clause = record.Clause,
        Equipment = record.Equipment,
        Gateway = record.Gateway,
        Condition = record.Condition,
        State = record.State,
        OpenedAt = record.OpenedAt,
        DueAt = record.DueAt,
        Recurrences = record.Recurrences,
        Simulated = record.Simulated,
    };

    /// <summary>The common fields alone, for the events' copy constructors (the base type is abstract).</summary>
    private sealed record HazardFactsSnapshot : HazardEvent;
}

internal enum HazardOutcomeKind
{
    Done,
    NotFound,
    /// <summary>Not possible in the record's state (409).</summary>
    Rejected,
    /// <summary>The request itself is wrong (400).</summary>
    Invalid,
}

/// <summary>What became of an action on a hazard record: done (with the record after it), or why not.</summary>
internal sealed record HazardOutcome(HazardOutcomeKind Kind, HazardRecord? Record, string? Problem, PendingChange? Pending = null)
{
    public static readonly HazardOutcome NotFound = new(HazardOutcomeKind.NotFound, null, "no such major-hazard record");

    public static HazardOutcome Done(HazardRecord record) => new(HazardOutcomeKind.Done, record, null);

    public static HazardOutcome Rejected(string problem) => new(HazardOutcomeKind.Rejected, null, problem);

    public static HazardOutcome Invalid(string problem) => new(HazardOutcomeKind.Invalid, null, problem);
}

/// <summary>A change decided but not yet committed: the record after it, its event and its audit.</summary>
internal sealed record PendingChange(HazardRecord Next, Func<HazardEvent, HazardEvent> Event, string? Actor, string? Action, string? Reason);

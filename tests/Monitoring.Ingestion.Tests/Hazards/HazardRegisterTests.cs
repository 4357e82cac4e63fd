using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Hazards;
using Monitoring.Ingestion.Tests.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Hazards;

/// <summary>
/// The major-hazard register (docs/disposal.md) on the alarm journal (SQLite) and a fake clock: a major-hazard alarm
/// opens its record once it is committed, the record is planned, rectified, returned, verified and closed out, each
/// step one event in the record's sequence in the outbox; recurrences, deadlines, refusals and restarts.
/// </summary>
public sealed class HazardRegisterTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private static readonly HazardOptions Options = new();
    private static readonly DisposalSubmission Report = new(DisposalCauses.EquipmentFault, null, "pump strainer blocked", "strainer cleaned", ["photo:1"]);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"hazards-{Guid.NewGuid():N}");
    private readonly AlarmJournal _journal;
    private readonly AlarmTracker _tracker;
    private HazardRegister _register;
    private readonly AlarmCondition _condition = TestConditions.LowPressure(clause: "Art. 14", equipment: "CAST1");

    public HazardRegisterTests()
    {
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _tracker = new AlarmTracker(_time, new EscalationOptions(), new DisposalOptions());
        _register = new HazardRegister(_journal, _tracker, new OutboxSignal(), _time, Options);
    }

    public void Dispose()
    {
        _register.Dispose();
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private Guid HazardId => HazardIds.For("ENT", "Art. 14", "CAST1");

    private HazardRecord Record => _register.TryGet(HazardId, out var record) ? record : throw new InvalidOperationException("no record");

    private async Task CommitAsync(Action<List<JournalEntry>> change)
    {
        var entries = new List<JournalEntry>();
        change(entries);
        await _journal.CommitAsync(entries, NowMs, CancellationToken.None);
    }

    private Task RaiseAsync(AlarmCondition condition) =>
        CommitAsync(e => _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Raised, NowMs, 0.1), new TransitionContext([], false), e));

    private Task ClearAsync(AlarmCondition condition) =>
        CommitAsync(e => _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Cleared, NowMs, 0.2), new TransitionContext([], false), e));

    /// <summary>What the register's service does with the raises the journal reported committed.</summary>
    private async Task<int> DrainFoundAsync()
    {
        var attached = 0;
        while (_register.Found.TryRead(out var raised))
        {
            await _register.AttachAsync(raised, CancellationToken.None);
            attached++;
        }

        return attached;
    }

    private async Task<List<(string Type, JsonElement Event)>> HazardEventsInOutboxAsync() =>
        [.. (await _journal.ReadOutboxAsync(1000, CancellationToken.None))
            .Where(i => i.MessageType.StartsWith("Hazard", StringComparison.Ordinal))
            .Select(i => (i.MessageType, JsonSerializer.Deserialize<JsonElement>(i.Payload)))];

    private static async Task<HazardRecord> DoneAsync(Task<HazardOutcome> action)
    {
        var outcome = await action;
        Assert.True(outcome.Kind == HazardOutcomeKind.Done, outcome.Problem);
        return outcome.Record!;
    }

    private async Task RefusedAsync(Task<HazardOutcome> action, HazardOutcomeKind kind, string problemPart)
    {
        var before = (await HazardEventsInOutboxAsync()).Count;
        var sequence = Record.Sequence;
        var outcome = await action;
        Assert.Equal(kind, outcome.Kind);
        Assert.Contains(problemPart, outcome.Problem, StringComparison.Ordinal);
        Assert.Equal(before, (await HazardEventsInOutboxAsync()).Count);
        Assert.Equal(sequence, Record.Sequence);
    }

    [Fact]
    public async Task MajorHazardAlarm_OnceCommitted_OpensItsRecord_WithTheDeterministicIdAndAPlanDeadline()
    {
        await RaiseAsync(_condition);
        var alarmId = _tracker.All.Single().Raised.AlarmId;

        Assert.Equal(1, await DrainFoundAsync());

        var record = Record;
        Assert.Equal(HazardStates.Open, record.State);
        Assert.Equal(Start + Options.PlanWithin, record.DueAt);
        Assert.Equal([alarmId], record.Alarms);
        var opened = Assert.Single(await HazardEventsInOutboxAsync());
        Assert.Equal(nameof(HazardOpened), opened.Type);
        Assert.Equal(HazardId, opened.Event.GetProperty("hazardId").GetGuid());
        Assert.Equal(AlarmEventIds.For(HazardId, 1), opened.Event.GetProperty("eventId").GetGuid());
        Assert.Equal(alarmId, opened.Event.GetProperty("alarmId").GetGuid());
        Assert.Equal("Art. 14", opened.Event.GetProperty("clause").GetString());
        Assert.Equal("CAST1", opened.Event.GetProperty("equipment").GetString());
    }

    [Fact]
    public async Task AlarmThatIsNotAMajorHazard_OpensNoRecord()
    {
        await RaiseAsync(TestConditions.LowPressure(priority: AlarmPriorities.High, level: 1, majorHazard: false));

        Assert.Equal(0, await DrainFoundAsync());
        Assert.Empty(_register.All);
    }

    [Fact]
    public async Task FullLoop_PlannedRectifiedReturnedRectifiedVerifiedClosedOut_EachStepOnceInSequence_AndAudited()
    {
        await RaiseAsync(_condition);
        await DrainFoundAsync();
        var alarmId = _tracker.All.Single().Raised.AlarmId;

        await RefusedAsync(_register.RectifyAsync(HazardId, "safety.wang", "done", ["photo:2"], CancellationToken.None), HazardOutcomeKind.Rejected, "plan the rectification");
        await RefusedAsync(_register.PlanAsync(HazardId, "safety.wang", "replace valve", "Wang", Start.AddMinutes(-1), CancellationToken.None), HazardOutcomeKind.Invalid, "in the future");
        await RefusedAsync(_register.PlanAsync(HazardId, "safety.wang", "replace valve", "Wang", Start.AddDays(181), CancellationToken.None), HazardOutcomeKind.Invalid, "180 days");
        var planned = await DoneAsync(_register.PlanAsync(HazardId, "safety.wang", "replace the mould-water valve", "Wang Wei", Start.AddDays(7), CancellationToken.None));
        Assert.Equal(HazardStates.Planned, planned.State);
        Assert.Equal(Start.AddDays(7), planned.DueAt);

        // Not rectified while the condition is still there.
        await RefusedAsync(_register.RectifyAsync(HazardId, "safety.wang", "valve replaced", ["photo:2"], CancellationToken.None), HazardOutcomeKind.Rejected, "still active");
        await ClearAsync(_condition);
        _time.Advance(TimeSpan.FromHours(2));
        await DoneAsync(_register.RectifyAsync(HazardId, "safety.wang", "valve replaced", ["photo:2"], CancellationToken.None));
        Assert.Equal(_time.GetUtcNow() + Options.VerifyWithin, Record.DueAt);

        await RefusedAsync(_register.VerifyAsync(HazardId, "safety.wang", null, CancellationToken.None), HazardOutcomeKind.Rejected, "may not verify");
        await RefusedAsync(_register.CloseOutAsync(HazardId, "officer.zhao", null, CancellationToken.None), HazardOutcomeKind.Rejected, "only a verified");
        var returned = await DoneAsync(_register.ReturnAsync(HazardId, "officer.zhao", "no pressure test record", CancellationToken.None));
        Assert.Equal(HazardStates.Planned, returned.State);
        Assert.Equal(Start.AddDays(7), returned.DueAt);
        await DoneAsync(_register.RectifyAsync(HazardId, "safety.wang", "valve replaced, pressure tested", ["photo:2", "doc:7"], CancellationToken.None));
        await DoneAsync(_register.VerifyAsync(HazardId, "officer.zhao", "checked on site", CancellationToken.None));
        var closed = await DoneAsync(_register.CloseOutAsync(HazardId, "officer.zhao", null, CancellationToken.None));

        Assert.Equal(HazardStates.Closed, closed.State);
        Assert.False(closed.IsOpen);
        Assert.Null(closed.DueAt);
        var events = await HazardEventsInOutboxAsync();
        Assert.Equal(
            [nameof(HazardOpened), nameof(HazardRectificationPlanned), nameof(HazardRectified), nameof(HazardRectificationReturned), nameof(HazardRectified), nameof(HazardVerified), nameof(HazardClosedOut)],
            events.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], events.Select(e => e.Event.GetProperty("sequence").GetInt64()));
        Assert.Equal([HazardStates.Open, HazardStates.Planned, HazardStates.Rectified, HazardStates.Planned, HazardStates.Rectified, HazardStates.Verified, HazardStates.Closed],
            events.Select(e => e.Event.GetProperty("state").GetString()));
        Assert.Equal(events.Count, events.Select(e => e.Event.GetProperty("eventId").GetGuid()).Distinct().Count());

        var trail = await _journal.ListHazardEventsAsync(HazardId, CancellationToken.None);
        Assert.Equal(events.Select(e => e.Type), trail.Select(e => e.Type));
        var audit = await _journal.ListAuditAsync(HazardId, 100, CancellationToken.None);
        Assert.Equal(["plan-rectification", "rectify", "return-rectification", "rectify", "verify-rectification", "close-out-hazard"], Enumerable.Reverse(audit).Select(a => a.Action));
        Assert.All(audit, a => Assert.Equal(closed.Key, a.AlarmKey));
        Assert.Equal([alarmId], closed.Alarms);
    }

    [Fact]
    public async Task SecondAlarmWhileOpen_JoinsTheRecordWithoutAnEvent_ARecurrenceAfterTheCloseOut_ReopensIt()
    {
        await RaiseAsync(_condition);
        await DrainFoundAsync();
        await ClearAsync(_condition);
        // The first alarm ended at the plant (acknowledged, cleared) but its disposal loop keeps it; a new raise of
        // the same condition is a new alarm of the same hazard.
        var first = _tracker.All.Single().Raised.AlarmId;
        await CommitAsync(e => _tracker.Acknowledge(first, "duty.li", null, e));
        await RaiseAsync(_condition);
        await DrainFoundAsync();
        Assert.Equal(2, Record.AlarmCount);
        Assert.Single(await HazardEventsInOutboxAsync());

        await ClearAsync(_condition);
        await DoneAsync(_register.PlanAsync(HazardId, "safety.wang", "replace valve", "Wang", Start.AddDays(3), CancellationToken.None));
        await DoneAsync(_register.RectifyAsync(HazardId, "safety.wang", "replaced", ["photo:1"], CancellationToken.None));
        await DoneAsync(_register.VerifyAsync(HazardId, "officer.zhao", null, CancellationToken.None));
        await DoneAsync(_register.CloseOutAsync(HazardId, "officer.zhao", null, CancellationToken.None));

        var second = _tracker.All.Single().Raised.AlarmId;
        await CommitAsync(e => _tracker.Acknowledge(second, "duty.li", null, e));
        _time.Advance(TimeSpan.FromDays(1));
        await RaiseAsync(_condition);
        await DrainFoundAsync();

        var reopened = Record;
        Assert.Equal(HazardStates.Open, reopened.State);
        Assert.Equal(1, reopened.Recurrences);
        Assert.Null(reopened.Plan);
        Assert.Equal(_time.GetUtcNow() + Options.PlanWithin, reopened.DueAt);
        var last = (await HazardEventsInOutboxAsync())[^1];
        Assert.Equal(nameof(HazardReopened), last.Type);
        Assert.Equal(HazardStates.Closed, last.Event.GetProperty("previousState").GetString());
        Assert.Equal(1, last.Event.GetProperty("recurrences").GetInt32());
        Assert.Equal(HazardId, last.Event.GetProperty("hazardId").GetGuid());
    }

    [Fact]
    public async Task Deadlines_EachStepGoesOverdueOnce_OnTheFakeClock()
    {
        await RaiseAsync(_condition);
        await DrainFoundAsync();

        _time.Advance(Options.PlanWithin - TimeSpan.FromSeconds(1));
        await _register.CheckDeadlinesAsync(CancellationToken.None);
        Assert.False(Record.Overdue);
        _time.Advance(TimeSpan.FromSeconds(2));
        await _register.CheckDeadlinesAsync(CancellationToken.None);
        await _register.CheckDeadlinesAsync(CancellationToken.None);
        Assert.True(Record.Overdue);
        Assert.Equal(HazardSteps.Plan, Record.WaitingFor);

        await DoneAsync(_register.PlanAsync(HazardId, "safety.wang", "replace valve", "Wang", _time.GetUtcNow().AddHours(1), CancellationToken.None));
        Assert.False(Record.Overdue);
        _time.Advance(TimeSpan.FromHours(2));
        await _register.CheckDeadlinesAsync(CancellationToken.None);
        await _register.CheckDeadlinesAsync(CancellationToken.None);

        var overdue = (await HazardEventsInOutboxAsync()).Where(e => e.Type == nameof(HazardOverdue)).ToList();
        Assert.Equal([HazardSteps.Plan, HazardSteps.Rectify], overdue.Select(e => e.Event.GetProperty("step").GetString()));
        Assert.Equal(Start + Options.PlanWithin, overdue[0].Event.GetProperty("dueAt").GetDateTimeOffset());
        Assert.Equal(1, overdue[0].Event.GetProperty("overdueSeconds").GetInt64());
        Assert.True(Record.Overdue);
        // A deadline is the system's, not an officer's action: no audit row.
        Assert.Equal(["plan-rectification"], (await _journal.ListAuditAsync(HazardId, 100, CancellationToken.None)).Select(a => a.Action));
    }

    [Fact]
    public async Task Restart_RestoresTheRecords_AndAttachesARaiseThatWasCommittedButNotYetAttached_Once()
    {
        await RaiseAsync(_condition);
        await DrainFoundAsync();
        await DoneAsync(_register.PlanAsync(HazardId, "safety.wang", "replace valve", "Wang", Start.AddDays(3), CancellationToken.None));

        // A second major hazard on other equipment is committed, and the process dies before the register attaches it.
        var other = TestConditions.LowPressure(clause: "Art. 14", equipment: "CAST2");
        await RaiseAsync(other);
        var beforeRestart = (await HazardEventsInOutboxAsync()).Count;

        _register.Dispose();
        _register = new HazardRegister(_journal, _tracker, new OutboxSignal(), _time, Options);
        await _register.LoadAsync(CancellationToken.None);

        Assert.Equal(HazardStates.Planned, Record.State);
        Assert.True(_register.TryGet(HazardIds.For("ENT", "Art. 14", "CAST2"), out var attached));
        Assert.Equal(HazardStates.Open, attached.State);
        var events = await HazardEventsInOutboxAsync();
        Assert.Equal(beforeRestart + 1, events.Count);
        Assert.Equal(nameof(HazardOpened), events[^1].Type);

        // Loading again (another restart) and the raise's own notification repeat nothing.
        _register.Dispose();
        _register = new HazardRegister(_journal, _tracker, new OutboxSignal(), _time, Options);
        await _register.LoadAsync(CancellationToken.None);
        await _register.AttachAsync(_tracker.All.Single(a => a.Raised.Equipment == "CAST2").Raised, CancellationToken.None);
        Assert.Equal(events.Count, (await HazardEventsInOutboxAsync()).Count);
        Assert.Equal(1, _register.All.Single(r => r.Equipment == "CAST2").AlarmCount);
    }

    [Fact]
    public async Task Disabled_NoAlarmOpensARecord()
    {
        _register.Dispose();
        _register = new HazardRegister(_journal, _tracker, new OutboxSignal(), _time, new HazardOptions { Enabled = false });

        await RaiseAsync(_condition);
        await _register.LoadAsync(CancellationToken.None);

        Assert.Equal(0, await DrainFoundAsync());
        Assert.Empty(_register.All);
    }

    [Fact]
    public async Task DisposalReportOfTheAlarm_DoesNotTouchTheHazardRecord()
    {
        // The alarm's loop and the hazard's record are separate: closing out the alarm leaves the hazard to its rectification.
        await RaiseAsync(_condition);
        await DrainFoundAsync();
        var alarmId = _tracker.All.Single().Raised.AlarmId;
        await CommitAsync(e => _tracker.Acknowledge(alarmId, "duty.li", null, e));
        await CommitAsync(e => _tracker.ReportDisposal(alarmId, "duty.li", Report, e));
        await ClearAsync(_condition);
        await CommitAsync(e => _tracker.VerifyDisposal(alarmId, "officer.zhao", null, e));

        Assert.Empty(_tracker.All);
        Assert.Equal(HazardStates.Open, Record.State);
        Assert.Single(await HazardEventsInOutboxAsync());
    }
}

using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Alarms;

/// <summary>
/// The disposal loop (docs/disposal.md) in the tracker and the journal (SQLite): 签收 -> 处置 -> 核查 (return or approve)
/// -> 销号, each step an event in the alarm's sequence, deadlines on a fake clock, and the state across a restart.
/// </summary>
public sealed class DisposalLoopTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private static readonly EscalationOptions Escalation = new();
    private static readonly DisposalOptions Options = new();
    private static readonly DisposalSubmission Report = new(DisposalCauses.EquipmentFault, null, "pump P-2 strainer blocked", "strainer cleaned, pump back in service", ["photo:1"]);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"disposal-{Guid.NewGuid():N}");
    private readonly AlarmJournal _journal;
    private AlarmTracker _tracker;
    private readonly List<JournalEntry> _published = [];

    public DisposalLoopTests()
    {
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _tracker = NewTracker();
    }

    public void Dispose()
    {
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private AlarmTracker NewTracker() => new(_time, Escalation, Options);

    private static AlarmCondition Condition(string priority = AlarmPriorities.Critical, int level = 2) => TestConditions.LowPressure(priority: priority, level: level);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<OperatorOutcome?> CommitAsync(Func<List<JournalEntry>, OperatorOutcome?> change)
    {
        var entries = new List<JournalEntry>();
        var outcome = change(entries);
        await _journal.CommitAsync(entries, NowMs, CancellationToken.None);
        _published.AddRange(entries.Where(e => e.HasEvent));
        return outcome;
    }

    private Task RaiseAsync(AlarmCondition condition, TransitionOrigin origin = TransitionOrigin.Reading) =>
        CommitAsync(e => { _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Raised, NowMs, 0.1), new TransitionContext([], false, origin), e); return null; });

    private Task ClearAsync(AlarmCondition condition) =>
        CommitAsync(e => { _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Cleared, NowMs, 0.2), new TransitionContext([], false), e); return null; });

    private Task TickAsync() => CommitAsync(e => { _tracker.CheckDisposalDeadlines(0, e); return null; });

    private async Task<OperatorOutcome> DoneAsync(Func<List<JournalEntry>, OperatorOutcome> action)
    {
        var outcome = (await CommitAsync(action))!;
        Assert.True(outcome.Kind == OperatorOutcomeKind.Done, outcome.Problem);
        return outcome;
    }

    private async Task RejectedAsync(Func<List<JournalEntry>, OperatorOutcome> action, string problemPart)
    {
        var before = _published.Count;
        var outcome = (await CommitAsync(action))!;
        Assert.Equal(OperatorOutcomeKind.Rejected, outcome.Kind);
        Assert.Contains(problemPart, outcome.Problem, StringComparison.Ordinal);
        Assert.Equal(before, _published.Count);
    }

    private IEnumerable<string> TypesOf(Guid alarmId) => _published
        .Where(e => e.Alarm!.Raised.AlarmId == alarmId && e.MessageType != nameof(AlarmEscalated))
        .Select(e => e.MessageType);

    [Fact]
    public async Task FullLoop_SignedForDisposedReturnedDisposedAgainVerified_IsClosedOutWithEveryStepInSequence()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;
        Assert.Equal(DisposalSteps.SignFor, _tracker.All.Single().Disposal!.Step);

        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e));
        _time.Advance(TimeSpan.FromMinutes(3));
        await ClearAsync(condition);

        // Ended at the plant, its loop open: off the duty list, kept by its id, and its condition's place is free.
        Assert.Empty(_tracker.All);
        var awaiting = Assert.Single(_tracker.AwaitingCloseOut);
        Assert.Equal(DisposalSteps.Verify, awaiting.Disposal!.Step);
        Assert.Equal(_time.GetUtcNow() - TimeSpan.FromMinutes(3) + Options.Critical.VerifyWithin, awaiting.Disposal.DueAt);

        await DoneAsync(e => _tracker.ReturnDisposal(id, "park.zhao", "add photos of the strainer", e));
        var returned = Assert.Single(_tracker.AwaitingCloseOut).Disposal!;
        Assert.Equal(DisposalSteps.Dispose, returned.Step);
        Assert.Equal(_time.GetUtcNow() + Options.Critical.DisposeWithin, returned.DueAt);

        await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report with { Evidence = ["photo:1", "photo:2"] }, e));
        var verified = await DoneAsync(e => _tracker.VerifyDisposal(id, "park.zhao", "现场核查属实", e));

        Assert.Equal(DisposalSteps.ClosedOut, verified.Alarm!.Disposal!.Step);
        Assert.Empty(_tracker.AwaitingCloseOut);
        Assert.Equal(
            [nameof(AlarmRaised), nameof(AlarmAcknowledged), nameof(AlarmDisposed), nameof(AlarmCleared), nameof(AlarmDisposalReturned), nameof(AlarmDisposed), nameof(AlarmDisposalVerified), nameof(AlarmClosedOut)],
            TypesOf(id));
        var trail = _published.Where(e => e.Alarm!.Raised.AlarmId == id).ToList();
        Assert.Equal(Enumerable.Range(1, trail.Count).Select(i => (long)i), trail.Select(e => e.Alarm!.Sequence));
        Assert.All(trail, e => Assert.Equal(AlarmEventIds.For(id, e.Alarm!.Sequence), e.EventId));

        var second = JsonSerializer.Deserialize<AlarmDisposed>(trail[5].Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal(2, second.Attempt);
        Assert.Equal(["photo:1", "photo:2"], second.Evidence);
        var closedOut = JsonSerializer.Deserialize<AlarmClosedOut>(trail[^1].Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal("park.zhao", closedOut.ClosedOutBy);
        Assert.Equal(DisposalCauses.EquipmentFault, closedOut.Cause);

        // Nothing left in the active table; the history has it closed, with the whole trail and the disposal.
        Assert.Empty(await _journal.LoadActiveAsync(CancellationToken.None));
        var (record, events) = (await _journal.GetHistoryAsync(id, CancellationToken.None))!.Value;
        Assert.NotNull(record.ClosedAt);
        Assert.Equal(DisposalSteps.ClosedOut, record.Alarm.Disposal!.Step);
        Assert.Equal("park.zhao", record.Alarm.Disposal.VerifiedBy);
        Assert.Equal(trail.Count, events.Count);
        var audit = await _journal.ListAuditAsync(id, 100, CancellationToken.None);
        Assert.Equal(["verify-disposal", "dispose", "return-disposal", "dispose", "acknowledge"], audit.Select(a => a.Action));
    }

    [Fact]
    public async Task OutOfOrderSteps_AndTheDisposerVerifyingTheirOwnReport_AreRefusedAndChangeNothing()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;

        await RejectedAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e), "sign for");
        await RejectedAsync(e => _tracker.VerifyDisposal(id, "park.zhao", null, e), "no disposal report awaits verification");
        await RejectedAsync(e => _tracker.ReturnDisposal(id, "park.zhao", "why", e), "no disposal report awaits verification");
        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e));
        await RejectedAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e), "awaits verification");
        await RejectedAsync(e => _tracker.VerifyDisposal(id, "park.zhao", null, e), "still active");
        await ClearAsync(condition);
        await RejectedAsync(e => _tracker.VerifyDisposal(id, "duty.li", null, e), "may not verify");
        await RejectedAsync(e => _tracker.ReturnDisposal(id, "duty.li", "mine", e), "may not verify");
        // The duty actions are for alarms on the duty list only.
        Assert.Equal(OperatorOutcomeKind.NotFound, _tracker.Shelve(id, "duty.li", "x", _time.GetUtcNow().AddHours(1), false, []).Kind);
        Assert.Equal(OperatorOutcomeKind.NotFound, _tracker.Acknowledge(id, "duty.li", null, []).Kind);

        Assert.Equal(DisposalSteps.Verify, Assert.Single(_tracker.AwaitingCloseOut).Disposal!.Step);
    }

    [Fact]
    public async Task NewRaiseWhileTheLastAlarmAwaitsCloseOut_IsANewAlarmWithItsOwnLoop_AndBothSurviveARestart()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var first = _tracker.All.Single().Raised.AlarmId;
        await DoneAsync(e => _tracker.Acknowledge(first, "duty.li", null, e));
        await ClearAsync(condition);
        _time.Advance(TimeSpan.FromMinutes(1));

        await RaiseAsync(condition);

        var second = Assert.Single(_tracker.All);
        Assert.NotEqual(first, second.Raised.AlarmId);
        Assert.Equal(1, second.Sequence);
        Assert.Equal(DisposalSteps.SignFor, second.Disposal!.Step);
        Assert.Equal(first, Assert.Single(_tracker.AwaitingCloseOut).Raised.AlarmId);

        // A restart: both come back where they were, and the loop goes on in sequence.
        _tracker = NewTracker();
        _tracker.Restore(await _journal.LoadActiveAsync(CancellationToken.None));
        Assert.Equal(second.Raised.AlarmId, Assert.Single(_tracker.All).Raised.AlarmId);
        var restored = Assert.Single(_tracker.AwaitingCloseOut);
        Assert.Equal(first, restored.Raised.AlarmId);
        Assert.Equal(DisposalSteps.Dispose, restored.Disposal!.Step);

        var disposed = await DoneAsync(e => _tracker.ReportDisposal(first, "duty.li", Report, e));
        Assert.Equal(restored.Sequence + 1, disposed.Alarm!.Sequence);
        Assert.Equal(_published.Count, _published.Select(e => e.EventId).Distinct().Count());
    }

    [Fact]
    public async Task EachStepPastItsDeadline_PublishesOneOverdueEvent_NamingTheStep()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;

        _time.Advance(Escalation.Critical.AcknowledgeWithin - TimeSpan.FromSeconds(1));
        await TickAsync();
        Assert.DoesNotContain(nameof(AlarmDisposalOverdue), TypesOf(id));
        _time.Advance(TimeSpan.FromSeconds(2));
        await TickAsync();
        await TickAsync();
        var signFor = JsonSerializer.Deserialize<AlarmDisposalOverdue>(_published.Single(e => e.MessageType == nameof(AlarmDisposalOverdue)).Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal(DisposalSteps.SignFor, signFor.Step);
        Assert.Equal(Start + Escalation.Critical.AcknowledgeWithin, signFor.DueAt);
        Assert.Equal(1, signFor.OverdueSeconds);
        Assert.True(_tracker.All.Single().Disposal!.Overdue);

        // Signed for late: the report is due 30 min after the raise, not after the sign-for.
        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        Assert.False(_tracker.All.Single().Disposal!.Overdue);
        _time.Advance(Start + Options.Critical.DisposeWithin - _time.GetUtcNow());
        await TickAsync();
        await TickAsync();
        await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e));
        await ClearAsync(condition);
        _time.Advance(Options.Critical.VerifyWithin);
        await TickAsync();
        await TickAsync();

        var overdue = _published.Where(e => e.MessageType == nameof(AlarmDisposalOverdue))
            .Select(e => JsonSerializer.Deserialize<AlarmDisposalOverdue>(e.Payload, AlarmJournal.JsonOptions)!.Step);
        Assert.Equal([DisposalSteps.SignFor, DisposalSteps.Dispose, DisposalSteps.Verify], overdue);
    }

    [Fact]
    public async Task ShelvedAlarm_IsNotOverdueForSignFor_WhileShelved()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;
        await DoneAsync(e => _tracker.Shelve(id, "duty.li", "maintenance", _time.GetUtcNow().AddHours(1), false, e));

        _time.Advance(Escalation.Critical.AcknowledgeWithin * 2);
        await TickAsync();

        Assert.DoesNotContain(nameof(AlarmDisposalOverdue), TypesOf(id));
    }

    [Fact]
    public async Task PriorityWithoutVerification_ReportedWhileActive_IsClosedOutByTheReportWhenTheAlarmEnds()
    {
        var condition = Condition(AlarmPriorities.Medium, level: 1);
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;
        Assert.False(_tracker.All.Single().Disposal!.VerifyRequired);
        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        var reported = await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report with { Cause = DisposalCauses.ProcessExcursion }, e));
        Assert.Equal(Disposal.Closing, reported.Alarm!.Disposal!.Step);

        await ClearAsync(condition);

        Assert.Empty(_tracker.All);
        Assert.Empty(_tracker.AwaitingCloseOut);
        Assert.Equal([nameof(AlarmRaised), nameof(AlarmAcknowledged), nameof(AlarmDisposed), nameof(AlarmCleared), nameof(AlarmClosedOut)], TypesOf(id));
        var closedOut = JsonSerializer.Deserialize<AlarmClosedOut>(_published[^1].Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal("duty.li", closedOut.ClosedOutBy);
        Assert.Equal(DisposalCauses.ProcessExcursion, closedOut.Cause);
        Assert.Empty(await _journal.LoadActiveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task PriorityWithoutVerification_ReportedAfterTheAlarmEnded_IsClosedOutAtOnce()
    {
        var condition = Condition(AlarmPriorities.Low, level: 1);
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;
        await ClearAsync(condition);
        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        Assert.Single(_tracker.AwaitingCloseOut);

        var reported = await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e));

        Assert.Equal(DisposalSteps.ClosedOut, reported.Alarm!.Disposal!.Step);
        Assert.Empty(_tracker.AwaitingCloseOut);
        Assert.Equal([nameof(AlarmRaised), nameof(AlarmCleared), nameof(AlarmAcknowledged), nameof(AlarmDisposed), nameof(AlarmClosedOut)], TypesOf(id));
    }

    [Fact]
    public async Task HistoricalAlarm_IsDisposedOfWithoutDeadlines()
    {
        var condition = Condition();
        await RaiseAsync(condition, TransitionOrigin.LateData);
        var alarm = _tracker.All.Single();
        Assert.True(alarm.Raised.Historical);
        Assert.Null(alarm.Disposal!.DueAt);
        Assert.Null(alarm.Disposal.DisposeDueAt);

        _time.Advance(TimeSpan.FromDays(3));
        await TickAsync();

        Assert.DoesNotContain(nameof(AlarmDisposalOverdue), TypesOf(alarm.Raised.AlarmId));
    }

    [Fact]
    public async Task LoopOff_AlarmClosesWhenItEnds_AsBefore()
    {
        _tracker = new AlarmTracker(_time, Escalation, new DisposalOptions { Enabled = false });
        var condition = Condition();
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;
        Assert.Null(_tracker.All.Single().Disposal);

        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        await ClearAsync(condition);

        Assert.Empty(_tracker.All);
        Assert.Empty(_tracker.AwaitingCloseOut);
        Assert.Equal(OperatorOutcomeKind.NotFound, _tracker.ReportDisposal(id, "duty.li", Report, []).Kind);
    }

    [Fact]
    public async Task LoopTurnedOffAcrossARestart_LoopsAlreadyOpenGoOnToTheirCloseOut()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = _tracker.All.Single().Raised.AlarmId;
        await DoneAsync(e => _tracker.Acknowledge(id, "duty.li", null, e));
        await ClearAsync(condition);

        _tracker = new AlarmTracker(_time, Escalation, new DisposalOptions { Enabled = false });
        _tracker.Restore(await _journal.LoadActiveAsync(CancellationToken.None));
        await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e));
        Assert.Equal(_time.GetUtcNow() + Options.Critical.VerifyWithin, Assert.Single(_tracker.AwaitingCloseOut).Disposal!.DueAt);
        await DoneAsync(e => _tracker.ReturnDisposal(id, "park.zhao", "photos", e));
        await DoneAsync(e => _tracker.ReportDisposal(id, "duty.li", Report, e));
        await DoneAsync(e => _tracker.VerifyDisposal(id, "park.zhao", null, e));

        Assert.Empty(_tracker.AwaitingCloseOut);
        Assert.Equal(nameof(AlarmClosedOut), _published[^1].MessageType);
    }

    [Theory]
    [InlineData("no-such-cause", null, "d", "m", "'cause' must be one of")]
    [InlineData(null, null, "d", "m", "'cause' must be one of")]
    [InlineData(DisposalCauses.Other, null, "d", "m", "needs a 'causeText'")]
    [InlineData(DisposalCauses.Other, "  ", "d", "m", "needs a 'causeText'")]
    [InlineData(DisposalCauses.FalseAlarm, null, " ", "m", "'description'")]
    [InlineData(DisposalCauses.FalseAlarm, null, "d", null, "'measures'")]
    public void Submission_WithAProblem_IsNamedForA400(string? cause, string? causeText, string? description, string? measures, string expected) =>
        Assert.Contains(expected, DisposalSubmission.Problem(Options, cause, causeText, description, measures, null), StringComparison.Ordinal);

    [Fact]
    public void Submission_TooLongOrTooMuchEvidence_IsNamed_AndAGoodOneIsNot()
    {
        Assert.Null(DisposalSubmission.Problem(Options, DisposalCauses.Other, "strainer", "d", "m", ["photo:1"]));
        Assert.Contains("at most", DisposalSubmission.Problem(Options, DisposalCauses.FalseAlarm, null, new string('x', 2001), "m", null), StringComparison.Ordinal);
        Assert.Contains("evidence", DisposalSubmission.Problem(Options, DisposalCauses.FalseAlarm, null, "d", "m", [.. Enumerable.Repeat("p", 21)]), StringComparison.Ordinal);
        Assert.Contains("evidence", DisposalSubmission.Problem(Options, DisposalCauses.FalseAlarm, null, "d", "m", [""]), StringComparison.Ordinal);
    }

    [Fact]
    public void Options_LevelTwoOrMajorHazard_IsNeverGivenLongerOrSparedVerification_AndBadCodesAreNamed()
    {
        var rules = Options.For(AlarmPriorities.Low, level: 2, majorHazard: false);
        Assert.True(rules.Verify);
        Assert.Equal(Options.Critical.DisposeWithin, rules.DisposeWithin);
        Assert.False(Options.For(AlarmPriorities.Low, level: 1, majorHazard: false).Verify);
        Assert.True(Options.For(AlarmPriorities.Medium, level: 1, majorHazard: true).Verify);

        Assert.Empty(Options.Problems());
        var bad = new DisposalOptions { Causes = [new() { Code = "Bad Code", Zh = "x", En = "x" }, new() { Code = "a", Zh = "", En = "x" }, new() { Code = "a", Zh = "y", En = "y" }] };
        var problems = bad.Problems();
        Assert.Equal(3, problems.Count);
        Assert.Contains(problems, p => p.Contains("Causes:0:Code", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Causes:1 needs both labels", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("listed twice", StringComparison.Ordinal));
        Assert.Equal(["a", "a"], bad.EffectiveCauses.Skip(1).Select(c => c.Code));
    }
}

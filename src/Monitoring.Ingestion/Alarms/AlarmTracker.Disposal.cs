using Monitoring.Contracts;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// The disposal loop (docs/disposal.md): 签收 sign for (the acknowledgement) -> 处置/反馈 report -> 核查 verify or return
/// -> 销号 close-out, with a deadline per step and <see cref="AlarmDisposalOverdue"/> when one passes. Each step is an
/// event of the alarm, in its sequence, committed by the owning worker like every other (see the class summary).
/// </summary>
internal sealed partial class AlarmTracker
{
    /// <summary>The loop a new alarm starts with: waiting to be signed for, by its acknowledgement deadline.</summary>
    private Disposal? StartDisposal(TrackedAlarm alarm, DateTimeOffset now, bool historical)
    {
        if (_disposal is null)
            return null;
        var rules = RulesFor(alarm);
        // Late data is not paged as new (contract: historical): it is disposed of like any alarm, without deadlines.
        return new Disposal
        {
            Step = DisposalSteps.SignFor,
            VerifyRequired = rules.Verify,
            DueAt = historical ? null : alarm.AcknowledgeDueAt,
            DisposeDueAt = historical ? null : now + rules.DisposeWithin,
        };
    }

    private PriorityDisposal RulesFor(TrackedAlarm alarm) => _disposalRules.For(alarm.Raised.Priority, alarm.Raised.Level, alarm.Raised.MajorHazard);

    /// <summary>The acknowledgement is the sign-for: the report is due next, by its deadline counted from the raise.</summary>
    private static Disposal? SignedFor(Disposal? disposal) => disposal is { Step: DisposalSteps.SignFor }
        ? disposal with { Step = DisposalSteps.Dispose, DueAt = disposal.DisposeDueAt, Overdue = false }
        : disposal;

    /// <summary>处置/反馈: the enterprise's report on a signed-for alarm. Without verification it closes the alarm out once it has ended.</summary>
    public OperatorOutcome ReportDisposal(Guid alarmId, string actor, DisposalSubmission report, List<JournalEntry> entries)
    {
        if (!TryGet(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (alarm.Disposal is not { } disposal)
            return OperatorOutcome.Rejected("the alarm has no disposal loop (it is off, or the alarm was raised before it)");
        if (disposal.Step == DisposalSteps.SignFor)
            return OperatorOutcome.Rejected("sign for (acknowledge) the alarm before reporting its disposal");
        if (disposal.Step != DisposalSteps.Dispose)
            return OperatorOutcome.Rejected(disposal.Step == DisposalSteps.Verify
                ? "the report awaits verification: the verifier may return it for a new one"
                : "the disposal is already accepted");

        var now = timeProvider.GetUtcNow();
        var attempt = disposal.Attempts + 1;
        var filed = new DisposalReport(report.Cause, report.CauseText, report.Description, report.Measures, report.Evidence, actor, now);
        var verify = disposal.VerifyRequired;
        var next = alarm with
        {
            Sequence = alarm.Sequence + 1,
            LastChangedAt = now,
            Disposal = disposal with
            {
                Step = verify ? DisposalSteps.Verify : Disposal.Closing,
                // An alarm without deadlines (historical: no DisposeDueAt) gets none for its verification either.
                DueAt = verify && disposal.DisposeDueAt is not null ? now + RulesFor(alarm).VerifyWithin : null,
                Overdue = false,
                Report = filed,
                Attempts = attempt,
            },
        };
        var disposed = new AlarmDisposed(OperatorFacts(next, now), actor, report.Cause, report.CauseText, report.Description, report.Measures, report.Evidence, attempt, now);
        Record(next, disposed.EventId, disposed, new AuditRecord(now, actor, "dispose", alarmId, next.Key, $"{report.Cause}: {report.Description}"), entries);
        return OperatorOutcome.Done(Latest(entries));
    }

    /// <summary>核查, returned: the verifier sends the report back with a reason; a new one is due within the dispose time.</summary>
    public OperatorOutcome ReturnDisposal(Guid alarmId, string actor, string reason, List<JournalEntry> entries)
    {
        if (!TryGet(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (CheckVerifier(alarm, actor) is { } problem)
            return problem;

        var now = timeProvider.GetUtcNow();
        var disposal = alarm.Disposal!;
        DateTimeOffset? due = disposal.DisposeDueAt is null ? null : now + RulesFor(alarm).DisposeWithin;
        var next = alarm with
        {
            Sequence = alarm.Sequence + 1,
            LastChangedAt = now,
            Disposal = disposal with { Step = DisposalSteps.Dispose, DueAt = due, Overdue = false, LastReturn = new DisposalReturn(actor, reason, now) },
        };
        var returned = new AlarmDisposalReturned(OperatorFacts(next, now), actor, reason, now, due);
        Record(next, returned.EventId, returned, new AuditRecord(now, actor, "return-disposal", alarmId, next.Key, reason), entries);
        return OperatorOutcome.Done(next);
    }

    /// <summary>核查, approved: the verifier accepts the report; the alarm is closed out (销号) as soon as it has ended at the plant.</summary>
    public OperatorOutcome VerifyDisposal(Guid alarmId, string actor, string? comment, List<JournalEntry> entries)
    {
        if (!TryGet(alarmId, out var alarm))
            return OperatorOutcome.NotFound;
        if (CheckVerifier(alarm, actor) is { } problem)
            return problem;
        if (alarm.ConditionActive)
            return OperatorOutcome.Rejected("the condition is still active: a report is verified after the alarm returns to normal");

        var now = timeProvider.GetUtcNow();
        var next = alarm with
        {
            Sequence = alarm.Sequence + 1,
            LastChangedAt = now,
            Disposal = alarm.Disposal! with { Step = Disposal.Closing, DueAt = null, Overdue = false, VerifiedBy = actor, VerifiedAt = now, VerifyComment = comment },
        };
        var verified = new AlarmDisposalVerified(OperatorFacts(next, now), actor, comment, now);
        Record(next, verified.EventId, verified, new AuditRecord(now, actor, "verify-disposal", alarmId, next.Key, comment), entries);
        return OperatorOutcome.Done(Latest(entries));
    }

    /// <summary>Only a report that awaits verification is verified or returned, and never by the person who made it.</summary>
    private static OperatorOutcome? CheckVerifier(TrackedAlarm alarm, string actor)
    {
        if (alarm.Disposal is not { Step: DisposalSteps.Verify, Report: { } report })
            return OperatorOutcome.Rejected("no disposal report awaits verification");
        if (string.Equals(report.By, actor, StringComparison.Ordinal))
            return OperatorOutcome.Rejected("the person who reported the disposal may not verify it");
        return null;
    }

    /// <summary>
    /// Closes out (销号) an alarm whose loop waits only for it to end, once it has: called by <see cref="Record"/> after
    /// every change, so whichever event ends the alarm (clear, acknowledgement, reset, return to service) is followed
    /// by <see cref="AlarmClosedOut"/>. Returns whether it closed the alarm.
    /// </summary>
    private bool CloseOutWhenEnded(TrackedAlarm alarm, List<JournalEntry> entries)
    {
        if (!alarm.Ended || alarm.Disposal is not { Step: Disposal.Closing, Report: { } report } disposal)
            return false;
        var now = timeProvider.GetUtcNow();
        var by = disposal.VerifiedBy ?? report.By;
        var next = alarm with
        {
            Sequence = alarm.Sequence + 1,
            LastChangedAt = now,
            Disposal = disposal with { Step = DisposalSteps.ClosedOut, DueAt = null, ClosedOutBy = by, ClosedOutAt = now },
        };
        var closedOut = new AlarmClosedOut(OperatorFacts(next, now), by, report.Cause, now);
        return Record(next, closedOut.EventId, closedOut, null, entries);
    }

    /// <summary>
    /// Publishes <see cref="AlarmDisposalOverdue"/>, once per step and deadline, for the alarms of <paramref name="partition"/>
    /// (the calling worker's) whose current step is past its deadline. The sign-for step is not overdue while the alarm
    /// is shelved or out of service (an operator has answered for it), as for escalation.
    /// </summary>
    public void CheckDisposalDeadlines(int partition, List<JournalEntry> entries)
    {
        if (_disposal is null)
            return;
        var now = timeProvider.GetUtcNow();
        foreach (var (_, alarm) in Volatile.Read(ref _byPartition)[partition])
        {
            if (alarm.Disposal is not { Overdue: false, DueAt: { } due } disposal || due > now)
                continue;
            if (disposal.Step == DisposalSteps.SignFor && (alarm.Shelf is not null || alarm.OutOfService is not null))
                continue;
            var next = alarm with { Sequence = alarm.Sequence + 1, LastChangedAt = now, Disposal = disposal with { Overdue = true } };
            var overdue = new AlarmDisposalOverdue(OperatorFacts(next, now), disposal.Step, due, (long)(now - due).TotalSeconds);
            Record(next, overdue.EventId, overdue, null, entries);
        }
    }

    /// <summary>The alarm as it stands after an action: the state of its last journal entry (a close-out may have followed the action).</summary>
    private static TrackedAlarm Latest(List<JournalEntry> entries) => entries[^1].Alarm!;
}

/// <summary>A disposal report as submitted (checked by <see cref="DisposalSubmission.Problem"/> before it is queued).</summary>
internal sealed record DisposalSubmission(string Cause, string? CauseText, string Description, string Measures, IReadOnlyList<string> Evidence)
{
    public const int MaxTextLength = 2000;
    public const int MaxEvidence = 20;
    public const int MaxEvidenceLength = 500;

    /// <summary>What is wrong with the report, in words for a 400 answer; null when it may be filed.</summary>
    public static string? Problem(DisposalOptions options, string? cause, string? causeText, string? description, string? measures, IReadOnlyList<string>? evidence)
    {
        var known = options.FindCause(cause);
        if (known is null)
            return $"'cause' must be one of: {string.Join(", ", options.EffectiveCauses.Select(c => c.Code))}";
        if (known.RequiresText && string.IsNullOrWhiteSpace(causeText))
            return $"cause '{known.Code}' needs a 'causeText' saying what it was";
        if (string.IsNullOrWhiteSpace(description))
            return "'description' (what was found) is required";
        if (string.IsNullOrWhiteSpace(measures))
            return "'measures' (what was done) is required";
        if ((causeText?.Length ?? 0) > MaxTextLength || description.Length > MaxTextLength || measures.Length > MaxTextLength)
            return $"'causeText', 'description' and 'measures' are at most {MaxTextLength} characters each";
        if (evidence is { Count: > MaxEvidence })
            return $"at most {MaxEvidence} evidence references";
        if (evidence?.Any(e => string.IsNullOrWhiteSpace(e) || e.Length > MaxEvidenceLength) == true)
            return $"each evidence reference is a non-empty text of at most {MaxEvidenceLength} characters";
        return null;
    }
}

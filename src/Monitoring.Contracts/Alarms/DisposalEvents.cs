using System.Diagnostics.CodeAnalysis;

namespace Monitoring.Contracts;

// Disposal events (contract v1.2, docs/contract.md "Disposal events"): the regional warning loop after the alarm,
// 签收 (sign for: AlarmAcknowledged) -> 处置/反馈 (AlarmDisposed) -> 核查 (AlarmDisposalVerified, or
// AlarmDisposalReturned back to disposal) -> 销号 (AlarmClosedOut), with AlarmDisposalOverdue when a step's
// deadline passes. They are alarm events like the others: the common fields of AlarmEvent first, the same alarmId,
// numbered in the same sequence, with deterministic event ids (docs/disposal.md).

/// <summary>处置/反馈: the enterprise reported how the alarm was handled, with a cause from the configured list.</summary>
public sealed record AlarmDisposed : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmDisposed()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmDisposed(AlarmEvent facts, string disposedBy, string cause, string? causeText, string description, string measures, IReadOnlyList<string> evidence, int attempt, DateTimeOffset disposedAt)
        : base(facts)
    {
        DisposedBy = disposedBy;
        Cause = cause;
        CauseText = causeText;
        Description = description;
        Measures = measures;
        Evidence = evidence;
        Attempt = attempt;
        DisposedAt = disposedAt;
    }

    /// <summary>User id of the person who reported the disposal.</summary>
    public required string DisposedBy { get; init; }
    /// <summary>The cause code (消警原因), one of the configured list; the defaults are in <see cref="DisposalCauses"/>.</summary>
    public required string Cause { get; init; }
    /// <summary>Free text for the cause; required for <see cref="DisposalCauses.Other"/>, otherwise optional.</summary>
    public string? CauseText { get; init; }
    /// <summary>What was found.</summary>
    public required string Description { get; init; }
    /// <summary>What was done about it.</summary>
    public required string Measures { get; init; }
    /// <summary>References to evidence kept elsewhere (photo or document ids, URLs); may be empty.</summary>
    public required IReadOnlyList<string> Evidence { get; init; }
    /// <summary>1 for the first report, +1 for each report after a return.</summary>
    public required int Attempt { get; init; }
    /// <summary>Server time of the report.</summary>
    public required DateTimeOffset DisposedAt { get; init; }
}

/// <summary>核查, returned: the supervising officer sent the disposal report back, with a reason; a new report is due.</summary>
public sealed record AlarmDisposalReturned : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmDisposalReturned()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmDisposalReturned(AlarmEvent facts, string returnedBy, string reason, DateTimeOffset returnedAt, DateTimeOffset? disposeDueAt)
        : base(facts)
    {
        ReturnedBy = returnedBy;
        Reason = reason;
        ReturnedAt = returnedAt;
        DisposeDueAt = disposeDueAt;
    }

    /// <summary>User id of the supervising officer.</summary>
    public required string ReturnedBy { get; init; }
    /// <summary>Why the report was not accepted (required).</summary>
    public required string Reason { get; init; }
    public required DateTimeOffset ReturnedAt { get; init; }
    /// <summary>When the new report is due; null when the alarm has no disposal deadline (a historical alarm).</summary>
    public DateTimeOffset? DisposeDueAt { get; init; }
}

/// <summary>核查, approved: the supervising officer accepted the disposal report. <see cref="AlarmClosedOut"/> follows.</summary>
public sealed record AlarmDisposalVerified : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmDisposalVerified()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmDisposalVerified(AlarmEvent facts, string verifiedBy, string? comment, DateTimeOffset verifiedAt)
        : base(facts)
    {
        VerifiedBy = verifiedBy;
        Comment = comment;
        VerifiedAt = verifiedAt;
    }

    /// <summary>User id of the supervising officer; never the person who reported the disposal.</summary>
    public required string VerifiedBy { get; init; }
    public string? Comment { get; init; }
    public required DateTimeOffset VerifiedAt { get; init; }
}

/// <summary>销号: the alarm is closed out, its loop complete. Its last event.</summary>
public sealed record AlarmClosedOut : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmClosedOut()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmClosedOut(AlarmEvent facts, string closedOutBy, string cause, DateTimeOffset closedOutAt)
        : base(facts)
    {
        ClosedOutBy = closedOutBy;
        Cause = cause;
        ClosedOutAt = closedOutAt;
    }

    /// <summary>User id of who closed it out: the verifier, or the disposer where the priority needs no verification.</summary>
    public required string ClosedOutBy { get; init; }
    /// <summary>The cause code of the accepted disposal report.</summary>
    public required string Cause { get; init; }
    public required DateTimeOffset ClosedOutAt { get; init; }
}

/// <summary>A step of the loop passed its deadline: published once per step and deadline, and shown highlighted.</summary>
public sealed record AlarmDisposalOverdue : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmDisposalOverdue()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmDisposalOverdue(AlarmEvent facts, string step, DateTimeOffset dueAt, long overdueSeconds)
        : base(facts)
    {
        Step = step;
        DueAt = dueAt;
        OverdueSeconds = overdueSeconds;
    }

    /// <summary>The step that is late: <c>sign-for</c>, <c>dispose</c> or <c>verify</c> (<see cref="DisposalSteps"/>).</summary>
    public required string Step { get; init; }
    /// <summary>The deadline that passed.</summary>
    public required DateTimeOffset DueAt { get; init; }
    /// <summary>Whole seconds past the deadline when the event was decided (a number, for non-.NET consumers).</summary>
    public required long OverdueSeconds { get; init; }
}

/// <summary>The words used on the wire for the steps of the disposal loop (<see cref="AlarmDisposalOverdue.Step"/>).</summary>
public static class DisposalSteps
{
    /// <summary>签收: waiting for a duty officer to acknowledge (sign for) the alarm.</summary>
    public const string SignFor = "sign-for";
    /// <summary>处置/反馈: waiting for the enterprise's disposal report.</summary>
    public const string Dispose = "dispose";
    /// <summary>核查: waiting for the supervising officer to verify the report.</summary>
    public const string Verify = "verify";
    /// <summary>销号: done.</summary>
    public const string ClosedOut = "closed-out";
}

/// <summary>
/// The default cause codes of a disposal report (消警原因). A site may configure its own list
/// (<c>Monitoring:Alarms:Disposal:Causes</c>); the codes are stable words, the labels are for people.
/// </summary>
public static class DisposalCauses
{
    /// <summary>工艺波动.</summary>
    public const string ProcessExcursion = "process-excursion";
    /// <summary>设备故障.</summary>
    public const string EquipmentFault = "equipment-fault";
    /// <summary>仪表故障.</summary>
    public const string InstrumentFault = "instrument-fault";
    /// <summary>误报.</summary>
    public const string FalseAlarm = "false-alarm";
    /// <summary>检修/测试.</summary>
    public const string MaintenanceOrTest = "maintenance-or-test";
    /// <summary>其他: needs a text.</summary>
    public const string Other = "other";
}

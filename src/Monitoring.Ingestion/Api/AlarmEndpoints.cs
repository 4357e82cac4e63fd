using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Api;

/// <summary>
/// Alarms for duty officers: the list (every alarm that needs attention, with its ISA-18.2 state),
/// and the operator actions. Every action is authenticated, authorised (<see cref="Policies.Operate"/>),
/// audited (who, when, why) and published as a contract event before the call returns.
/// </summary>
internal static class AlarmEndpoints
{
    public static void MapAlarmEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/alarms", (AlarmTracker alarms, string? state) => alarms.All
            .Where(a => state is null || string.Equals(a.State, state, StringComparison.Ordinal))
            .OrderBy(a => PriorityRank(a.Raised.Priority))
            .ThenByDescending(a => a.Raised.OccurredAt)
            .Select(AlarmView.From)
            .ToList());

        api.MapGet("/alarms/{alarmId:guid}", (AlarmTracker alarms, Guid alarmId) =>
            alarms.TryGet(alarmId, out var alarm) ? Results.Ok(AlarmView.From(alarm)) : Results.NotFound());

        api.MapPost("/alarms/{alarmId:guid}/acknowledge", (Guid alarmId, AcknowledgeRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            RunAsync(alarmId, alarms, pipeline, entries => alarms.Acknowledge(alarmId, Actor(http), body?.Comment, entries), ct))
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/shelve", (Guid alarmId, ShelveRequest body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, TimeProvider time, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body.Reason))
                    return Task.FromResult(Problem(StatusCodes.Status400BadRequest, "a reason is required to shelve an alarm"));
                var until = body.Until ?? (body.Minutes is > 0 and <= MaxShelfMinutes ? time.GetUtcNow().AddMinutes(body.Minutes.Value) : (DateTimeOffset?)null);
                if (until is null || until > time.GetUtcNow().AddMinutes(MaxShelfMinutes))
                    return Task.FromResult(Problem(StatusCodes.Status400BadRequest, $"give 'until' or 'minutes' (1 to {MaxShelfMinutes}): a shelf always expires"));
                return RunAsync(alarmId, alarms, pipeline, entries => alarms.Shelve(alarmId, Actor(http), body.Reason, until.Value, body.OneShot, entries), ct);
            })
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/unshelve", (Guid alarmId, UnshelveRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            RunAsync(alarmId, alarms, pipeline, entries => alarms.Unshelve(alarmId, Actor(http), body?.Reason, entries), ct))
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/out-of-service", (Guid alarmId, OutOfServiceRequest body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, TimeProvider time, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body.Reason))
                    return Task.FromResult(Problem(StatusCodes.Status400BadRequest, "a reason is required to take an alarm out of service"));
                var until = body.Until ?? (body.Hours is > 0 and <= MaxOutOfServiceHours ? time.GetUtcNow().AddHours(body.Hours.Value) : (DateTimeOffset?)null);
                if (until is null || until > time.GetUtcNow().AddHours(MaxOutOfServiceHours))
                    return Task.FromResult(Problem(StatusCodes.Status400BadRequest, $"give 'until' or 'hours' (1 to {MaxOutOfServiceHours}): out of service always ends"));
                return RunAsync(alarmId, alarms, pipeline, entries => alarms.RemoveFromService(alarmId, Actor(http), body.Reason, until.Value, entries), ct);
            })
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/return-to-service", (Guid alarmId, UnshelveRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            RunAsync(alarmId, alarms, pipeline, entries => alarms.ReturnToService(alarmId, Actor(http), body?.Reason, entries), ct))
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/reset", (Guid alarmId, AcknowledgeRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            RunAsync(alarmId, alarms, pipeline, entries => alarms.Reset(alarmId, Actor(http), body?.Comment, entries), ct))
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/comment", (Guid alarmId, CommentRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body?.Comment))
                    return Task.FromResult(Problem(StatusCodes.Status400BadRequest, "the comment is empty"));
                if (body.Comment.Length > MaxCommentLength)
                    return Task.FromResult(Problem(StatusCodes.Status400BadRequest, $"a comment is at most {MaxCommentLength} characters"));
                return RunAsync(alarmId, alarms, pipeline, entries => alarms.AddComment(alarmId, Actor(http), body.Comment, entries), ct);
            })
            .RequireAuthorization(Policies.Operate);

        api.MapGet("/alarms/{alarmId:guid}/audit", async (Guid alarmId, AlarmJournal journal, CancellationToken ct) =>
            await journal.ListAuditAsync(alarmId, 1000, ct));

        api.MapGet("/audit", async (AlarmJournal journal, int? limit, CancellationToken ct) =>
            await journal.ListAuditAsync(null, Math.Clamp(limit ?? 100, 1, 1000), ct));
    }

    /// <summary>A comment is a note for the record, not a report: 2 000 characters.</summary>
    public const int MaxCommentLength = 2000;

    /// <summary>Longest shelf: 24 hours. A forgotten shelf must not hide an alarm for ever.</summary>
    public const int MaxShelfMinutes = 24 * 60;

    /// <summary>Longest out-of-service time: 7 days (a sensor replacement), then the alarm is back by itself.</summary>
    public const int MaxOutOfServiceHours = 7 * 24;

    /// <summary>Queues an action to the worker that owns the alarm's gateway and answers with the alarm as it then stands.</summary>
    internal static async Task<IResult> RunAsync(Guid alarmId, AlarmTracker alarms, IngestionPipeline pipeline, Func<List<JournalEntry>, OperatorOutcome> action, CancellationToken ct)
    {
        if (!alarms.TryGet(alarmId, out var alarm))
            return Problem(StatusCodes.Status404NotFound, OperatorOutcome.NotFound.Problem!);

        var outcome = await pipeline.ExecuteAsync(alarm.Raised.Enterprise, alarm.Raised.Gateway, action, ct);
        return outcome.Kind switch
        {
            OperatorOutcomeKind.Done => outcome.Alarm is { } after ? Results.Ok(AlarmView.From(after)) : Results.Ok(new { alarmId, state = "closed" }),
            OperatorOutcomeKind.NotFound => Problem(StatusCodes.Status404NotFound, outcome.Problem!),
            _ => Problem(StatusCodes.Status409Conflict, outcome.Problem!),
        };
    }

    internal static IResult Problem(int status, string detail) => Results.Problem(detail: detail, statusCode: status);

    internal static string Actor(HttpContext http) => http.User.Identity?.Name ?? "unknown";

    internal static int PriorityRank(string priority) => priority switch
    {
        AlarmPriorities.Critical => 0,
        AlarmPriorities.High => 1,
        AlarmPriorities.Medium => 2,
        _ => 3,
    };
}

internal sealed record AcknowledgeRequest(string? Comment);

internal sealed record ShelveRequest(string Reason, DateTimeOffset? Until, int? Minutes, bool OneShot);

internal sealed record UnshelveRequest(string? Reason);

internal sealed record CommentRequest(string? Comment);

internal sealed record OutOfServiceRequest(string Reason, DateTimeOffset? Until, int? Hours);

/// <summary>An alarm as the duty console shows it: source, rule, state, and what was done to it.</summary>
internal sealed record AlarmView(
    Guid AlarmId,
    string Key,
    string State,
    long Sequence,
    bool ConditionActive,
    bool Acknowledged,
    string? AcknowledgedBy,
    DateTimeOffset? AcknowledgedAt,
    string? Comment,
    Shelf? Shelf,
    OutOfService? OutOfService,
    bool Latched,
    bool Chattering,
    string RuleId,
    int RuleVersion,
    string Enterprise,
    string Gateway,
    IReadOnlyList<string> Tags,
    string? Equipment,
    string Industry,
    string Priority,
    int Level,
    bool MajorHazard,
    string? Clause,
    double? Value,
    double? LastValue,
    double? Limit,
    string? Unit,
    LocalizedText Condition,
    DateTimeOffset RaisedAt,
    DateTimeOffset LastChangedAt,
    bool Historical,
    bool Simulated,
    int EscalationLevel,
    DateTimeOffset? NextEscalationAt,
    DateTimeOffset? AcknowledgeDueAt,
    Disposal? Disposal)
{
    public static AlarmView From(TrackedAlarm a)
    {
        var r = a.Raised;
        return new AlarmView(r.AlarmId, a.Key, a.State, a.Sequence, a.ConditionActive, a.Acknowledged, a.AcknowledgedBy, a.AcknowledgedAt, a.Comment, a.Shelf,
            a.OutOfService, a.Latched, a.Chattering, r.RuleId, r.RuleVersion, r.Enterprise, r.Gateway, r.Tags, r.Equipment, r.Industry, r.Priority, r.Level, r.MajorHazard, r.Clause,
            r.Value, a.LastValue, r.Limit, r.Unit, r.Condition, r.OccurredAt, a.LastChangedAt, r.Historical, r.Simulated,
            a.EscalationLevel, a.NextEscalationAt, a.AcknowledgeDueAt, a.Disposal);
    }
}

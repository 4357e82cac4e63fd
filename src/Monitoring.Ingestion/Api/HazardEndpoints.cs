using System.Text;
using System.Text.Json;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Hazards;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Api;

/// <summary>
/// The major-hazard register (重大事故隐患, docs/disposal.md): the records and the board of open hazards per enterprise
/// (target zero), one record with its whole trail for an inspector, CSV; the enterprise plans and reports the
/// rectification (<see cref="Policies.Operate"/>), a supervising officer verifies, returns and closes it out
/// (<see cref="Policies.Verify"/>). A malformed request gets 400 and changes nothing; a step out of order 409.
/// </summary>
internal static class HazardEndpoints
{
    public const int MaxTextLength = DisposalSubmission.MaxTextLength;

    public static void MapHazardEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/hazards", (HazardRegister register, TimeProvider time, string? state, string? enterprise, bool? open, bool? overdue, string? format) =>
        {
            if (state is not null && state is not (HazardStates.Open or HazardStates.Planned or HazardStates.Rectified or HazardStates.Verified or HazardStates.Closed))
                return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, "'state' must be open, planned, rectified, verified or closed");
            var records = register.All
                .Where(r => (state is null || r.State == state)
                            && (enterprise is null || r.Enterprise == enterprise)
                            && (open is null || r.IsOpen == open)
                            && (overdue is null || r.Overdue == overdue))
                .OrderByDescending(r => r.IsOpen)
                .ThenByDescending(r => r.Overdue)
                .ThenBy(r => r.DueAt ?? DateTimeOffset.MaxValue)
                .ThenBy(r => r.OpenedAt)
                .ToList();
            var now = time.GetUtcNow();
            if (string.Equals(format, "csv", StringComparison.Ordinal))
                return Results.Text(Csv(records, now), "text/csv; charset=utf-8", Encoding.UTF8);
            return Results.Ok(records.Select(r => HazardView.From(r, now)).ToList());
        });

        // The board of open major hazards (动态清零: the target is zero), per enterprise, worst first.
        api.MapGet("/hazards/board", (HazardRegister register, TimeProvider time) =>
        {
            var now = time.GetUtcNow();
            var records = register.All;
            return Results.Ok(new
            {
                Open = records.Count(r => r.IsOpen),
                Overdue = records.Count(r => r.IsOpen && r.Overdue),
                Enterprises = records
                    .GroupBy(r => r.Enterprise, StringComparer.Ordinal)
                    .Select(g => new
                    {
                        Enterprise = g.Key,
                        Open = g.Count(r => r.IsOpen),
                        Overdue = g.Count(r => r.IsOpen && r.Overdue),
                        ByState = g.Where(r => r.IsOpen).GroupBy(r => r.State, StringComparer.Ordinal).ToDictionary(s => s.Key, s => s.Count(), StringComparer.Ordinal),
                        OldestOpenSeconds = g.Where(r => r.IsOpen).Select(r => (long?)(now - r.OpenedAt).TotalSeconds).Max(),
                        Closed = g.Count(r => !r.IsOpen),
                    })
                    .OrderByDescending(e => e.Overdue)
                    .ThenByDescending(e => e.Open)
                    .ThenBy(e => e.Enterprise, StringComparer.Ordinal)
                    .ToList(),
            });
        });

        api.MapGet("/hazards/{hazardId:guid}", async (Guid hazardId, HazardRegister register, AlarmJournal journal, TimeProvider time, CancellationToken ct) =>
        {
            if (!register.TryGet(hazardId, out var record))
                return Results.NotFound();
            var events = await journal.ListHazardEventsAsync(hazardId, ct);
            var audit = await journal.ListAuditAsync(hazardId, 1000, ct);
            return Results.Ok(new
            {
                Hazard = HazardView.From(record, time.GetUtcNow()),
                Events = events.Select(e => new { e.Sequence, e.Type, e.At, Event = JsonSerializer.Deserialize<JsonElement>(e.Payload) }).ToList(),
                Audit = Enumerable.Reverse(audit).ToList(),
            });
        });

        api.MapPost("/hazards/{hazardId:guid}/plan", async (Guid hazardId, PlanRequest? body, HttpContext http, HazardRegister register, TimeProvider time, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body?.Measures) || string.IsNullOrWhiteSpace(body.Owner) || body.RectifyBy is null)
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, "'measures' (整改措施), 'owner' (责任人) and 'rectifyBy' (整改期限, ISO 8601) are required");
                if (body.Measures.Length > MaxTextLength || body.Owner.Length > 200)
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"'measures' is at most {MaxTextLength} characters, 'owner' at most 200");
                return Answer(await register.PlanAsync(hazardId, AlarmEndpoints.Actor(http), body.Measures.Trim(), body.Owner.Trim(), body.RectifyBy.Value, ct), time);
            })
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/hazards/{hazardId:guid}/rectify", async (Guid hazardId, RectifyRequest? body, HttpContext http, HazardRegister register, TimeProvider time, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body?.Description) || body.Evidence is not { Count: > 0 })
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, "'description' (what was done) and at least one 'evidence' reference are required");
                if (body.Description.Length > MaxTextLength || body.Evidence.Count > DisposalSubmission.MaxEvidence
                    || body.Evidence.Any(e => string.IsNullOrWhiteSpace(e) || e.Length > DisposalSubmission.MaxEvidenceLength))
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest,
                        $"'description' is at most {MaxTextLength} characters; at most {DisposalSubmission.MaxEvidence} evidence references, each a non-empty text of at most {DisposalSubmission.MaxEvidenceLength}");
                return Answer(await register.RectifyAsync(hazardId, AlarmEndpoints.Actor(http), body.Description.Trim(), [.. body.Evidence.Select(e => e.Trim())], ct), time);
            })
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/hazards/{hazardId:guid}/return", async (Guid hazardId, ReturnRequest? body, HttpContext http, HazardRegister register, TimeProvider time, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body?.Reason) || body.Reason.Length > AlarmEndpoints.MaxCommentLength)
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"a reason (at most {AlarmEndpoints.MaxCommentLength} characters) is required to return a rectification");
                return Answer(await register.ReturnAsync(hazardId, AlarmEndpoints.Actor(http), body.Reason.Trim(), ct), time);
            })
            .RequireAuthorization(Policies.Verify);

        api.MapPost("/hazards/{hazardId:guid}/verify", async (Guid hazardId, VerifyRequest? body, HttpContext http, HazardRegister register, TimeProvider time, CancellationToken ct) =>
            {
                if (body?.Comment is { Length: > AlarmEndpoints.MaxCommentLength })
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"a comment is at most {AlarmEndpoints.MaxCommentLength} characters");
                return Answer(await register.VerifyAsync(hazardId, AlarmEndpoints.Actor(http), NullIfBlank(body?.Comment), ct), time);
            })
            .RequireAuthorization(Policies.Verify);

        api.MapPost("/hazards/{hazardId:guid}/close-out", async (Guid hazardId, VerifyRequest? body, HttpContext http, HazardRegister register, TimeProvider time, CancellationToken ct) =>
            {
                if (body?.Comment is { Length: > AlarmEndpoints.MaxCommentLength })
                    return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"a comment is at most {AlarmEndpoints.MaxCommentLength} characters");
                return Answer(await register.CloseOutAsync(hazardId, AlarmEndpoints.Actor(http), NullIfBlank(body?.Comment), ct), time);
            })
            .RequireAuthorization(Policies.Verify);
    }

    private static IResult Answer(HazardOutcome outcome, TimeProvider time) => outcome.Kind switch
    {
        HazardOutcomeKind.Done => Results.Ok(HazardView.From(outcome.Record!, time.GetUtcNow())),
        HazardOutcomeKind.NotFound => AlarmEndpoints.Problem(StatusCodes.Status404NotFound, outcome.Problem!),
        HazardOutcomeKind.Invalid => AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, outcome.Problem!),
        _ => AlarmEndpoints.Problem(StatusCodes.Status409Conflict, outcome.Problem!),
    };

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();

    /// <summary>One row per record, for an inspector's spreadsheet.</summary>
    internal static string Csv(IEnumerable<HazardRecord> records, DateTimeOffset now) => CsvText.Write(
        "hazardId,enterprise,industry,clause,equipment,gateway,condition,state,open,overdue,waitingFor,dueAt,firstOpenedAt,openedAt,ageSeconds,recurrences,alarms,"
        + "measures,owner,rectifyBy,rectifiedBy,rectifiedAt,verifiedBy,verifiedAt,closedOutBy,closedOutAt,simulated",
        records,
        r =>
        [
            r.Id.ToString(), r.Enterprise, r.Industry, r.Clause ?? "", r.Equipment, r.Gateway, r.Condition.Zh, r.State, CsvText.Bool(r.IsOpen), CsvText.Bool(r.Overdue),
            r.WaitingFor ?? "", CsvText.Time(r.DueAt), CsvText.Time(r.FirstOpenedAt), CsvText.Time(r.OpenedAt), CsvText.Invariant((long)(now - r.OpenedAt).TotalSeconds),
            CsvText.Invariant(r.Recurrences), CsvText.Invariant(r.AlarmCount), r.Plan?.Measures ?? "", r.Plan?.Owner ?? "", CsvText.Time(r.Plan?.RectifyBy),
            r.Rectification?.By ?? "", CsvText.Time(r.Rectification?.At), r.VerifiedBy ?? "", CsvText.Time(r.VerifiedAt), r.ClosedOutBy ?? "", CsvText.Time(r.ClosedOutAt),
            CsvText.Bool(r.Simulated),
        ]);
}

internal sealed record PlanRequest(string? Measures, string? Owner, DateTimeOffset? RectifyBy);

internal sealed record RectifyRequest(string? Description, IReadOnlyList<string>? Evidence);

/// <summary>A major-hazard record as the API and the console show it.</summary>
internal sealed record HazardView(
    Guid HazardId,
    string Key,
    string Enterprise,
    string Industry,
    string? Clause,
    string Equipment,
    string Gateway,
    LocalizedText Condition,
    string State,
    bool Open,
    string? WaitingFor,
    DateTimeOffset? DueAt,
    bool Overdue,
    DateTimeOffset FirstOpenedAt,
    DateTimeOffset OpenedAt,
    long AgeSeconds,
    int Recurrences,
    long Sequence,
    IReadOnlyList<Guid> Alarms,
    int AlarmCount,
    HazardPlan? Plan,
    HazardRectification? Rectification,
    HazardReturn? LastReturn,
    string? VerifiedBy,
    DateTimeOffset? VerifiedAt,
    string? VerifyComment,
    string? ClosedOutBy,
    DateTimeOffset? ClosedOutAt,
    bool Simulated)
{
    public static HazardView From(HazardRecord r, DateTimeOffset now) => new(
        r.Id, r.Key, r.Enterprise, r.Industry, r.Clause, r.Equipment, r.Gateway, r.Condition, r.State, r.IsOpen, r.WaitingFor, r.DueAt, r.Overdue,
        r.FirstOpenedAt, r.OpenedAt, (long)(now - r.OpenedAt).TotalSeconds, r.Recurrences, r.Sequence, r.Alarms, r.AlarmCount, r.Plan, r.Rectification,
        r.LastReturn, r.VerifiedBy, r.VerifiedAt, r.VerifyComment, r.ClosedOutBy, r.ClosedOutAt, r.Simulated);
}

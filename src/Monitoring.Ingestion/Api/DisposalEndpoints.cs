using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Api;

/// <summary>
/// The disposal loop (docs/disposal.md): the enterprise reports (处置/反馈, <see cref="Policies.Operate"/>), a supervising
/// officer verifies or returns the report (核查, <see cref="Policies.Verify"/>), and the work list of open loops. Each
/// action is checked first (a malformed request gets 400 and changes nothing), then queued to the worker that owns the
/// alarm, audited and published as a contract event before the call returns, as the duty actions are.
/// </summary>
internal static class DisposalEndpoints
{
    public static void MapDisposalEndpoints(this RouteGroupBuilder api)
    {
        api.MapGet("/disposals", (AlarmTracker alarms, string? step, bool? overdue) =>
        {
            if (step is not null && step is not (DisposalSteps.SignFor or DisposalSteps.Dispose or DisposalSteps.Verify or Disposal.Closing))
                return AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"'step' must be {DisposalSteps.SignFor}, {DisposalSteps.Dispose}, {DisposalSteps.Verify} or {Disposal.Closing}");
            return Results.Ok(alarms.All.Concat(alarms.AwaitingCloseOut)
                .Where(a => a.Disposal is { Step: not DisposalSteps.ClosedOut } d
                            && (step is null || string.Equals(d.Step, step, StringComparison.Ordinal))
                            && (overdue is null || d.Overdue == overdue))
                .OrderByDescending(a => a.Disposal!.Overdue)
                .ThenBy(a => a.Disposal!.DueAt ?? DateTimeOffset.MaxValue)
                .ThenBy(a => AlarmEndpoints.PriorityRank(a.Raised.Priority))
                .Select(AlarmView.From)
                .ToList());
        });

        api.MapGet("/disposal/causes", (DisposalOptions options) => options.EffectiveCauses);

        api.MapPost("/alarms/{alarmId:guid}/dispose", (Guid alarmId, DisposeRequest? body, HttpContext http, AlarmTracker alarms, DisposalOptions options, IngestionPipeline pipeline, CancellationToken ct) =>
            {
                if (DisposalSubmission.Problem(options, body?.Cause, body?.CauseText, body?.Description, body?.Measures, body?.Evidence) is { } problem)
                    return Task.FromResult(AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, problem));
                var report = new DisposalSubmission(body!.Cause!, NullIfBlank(body.CauseText), body.Description!.Trim(), body.Measures!.Trim(), body.Evidence ?? []);
                return AlarmEndpoints.RunAsync(alarmId, alarms, pipeline, entries => alarms.ReportDisposal(alarmId, AlarmEndpoints.Actor(http), report, entries), ct);
            })
            .RequireAuthorization(Policies.Operate);

        api.MapPost("/alarms/{alarmId:guid}/verify", (Guid alarmId, VerifyRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            {
                if (body?.Comment is { Length: > AlarmEndpoints.MaxCommentLength })
                    return Task.FromResult(AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"a comment is at most {AlarmEndpoints.MaxCommentLength} characters"));
                return AlarmEndpoints.RunAsync(alarmId, alarms, pipeline, entries => alarms.VerifyDisposal(alarmId, AlarmEndpoints.Actor(http), NullIfBlank(body?.Comment), entries), ct);
            })
            .RequireAuthorization(Policies.Verify);

        api.MapPost("/alarms/{alarmId:guid}/return", (Guid alarmId, ReturnRequest? body, HttpContext http, AlarmTracker alarms, IngestionPipeline pipeline, CancellationToken ct) =>
            {
                if (string.IsNullOrWhiteSpace(body?.Reason))
                    return Task.FromResult(AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, "a reason is required to return a disposal report"));
                if (body.Reason.Length > AlarmEndpoints.MaxCommentLength)
                    return Task.FromResult(AlarmEndpoints.Problem(StatusCodes.Status400BadRequest, $"a reason is at most {AlarmEndpoints.MaxCommentLength} characters"));
                return AlarmEndpoints.RunAsync(alarmId, alarms, pipeline, entries => alarms.ReturnDisposal(alarmId, AlarmEndpoints.Actor(http), body.Reason.Trim(), entries), ct);
            })
            .RequireAuthorization(Policies.Verify);
    }

    private static string? NullIfBlank(string? text) => string.IsNullOrWhiteSpace(text) ? null : text.Trim();
}

internal sealed record DisposeRequest(string? Cause, string? CauseText, string? Description, string? Measures, IReadOnlyList<string>? Evidence);

internal sealed record VerifyRequest(string? Comment);

internal sealed record ReturnRequest(string? Reason);

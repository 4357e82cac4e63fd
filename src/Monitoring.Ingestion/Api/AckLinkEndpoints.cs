using System.Net;
using System.Text;
using Monitoring.Contracts.AckLinks;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;

namespace Monitoring.Ingestion.Api;

/// <summary>
/// Acknowledge from the channel: the signed, expiring link in every notification (see
/// <see cref="AcknowledgeLinkToken"/>; the notification service signs it with the same key,
/// <c>Monitoring:Security:AckLinkKey</c>). GET only shows a confirmation page, because messengers and
/// mail scanners fetch links to preview them; only the POST from that page acknowledges. The token is
/// the credential (it names the person and expires), so these endpoints take no API key; the
/// acknowledgement goes through the same path as <c>POST /api/alarms/{id}/acknowledge</c>, with the
/// person id as the actor and an audit comment saying it came through a link.
/// </summary>
internal static class AckLinkEndpoints
{
    public const string KeySetting = "Monitoring:Security:AckLinkKey";
    public const string AuditComment = "via acknowledge link";

    public static void MapAckLinkEndpoints(this IEndpointRouteBuilder app)
    {
        app.MapGet("/ack/{token}", (string token, IConfiguration configuration, TimeProvider time, AlarmTracker alarms) =>
        {
            if (!TryVerify(token, configuration, time, out var claims, out var refusal))
                return refusal;
            if (!alarms.TryGet(claims.AlarmId, out var alarm))
                return Page(StatusCodes.Status404NotFound, "告警已关闭 · Alarm closed", "该告警已不存在（可能已关闭）。 The alarm no longer exists (it may have been closed).", null);
            var r = alarm.Raised;
            var what = $"{r.Equipment ?? string.Join(", ", r.Tags)} · {r.Condition.Zh} · {r.Condition.En} · {r.Priority} · L{r.Level}";
            if (alarm.Acknowledged)
                return Page(StatusCodes.Status200OK, "已确认 · Already acknowledged", $"{Encode(what)}<br>已由 {Encode(alarm.AcknowledgedBy)} 确认。 Acknowledged by {Encode(alarm.AcknowledgedBy)}.", null);
            return Page(StatusCodes.Status200OK, "确认告警 · Acknowledge alarm", $"{Encode(what)}<br>{Encode(r.Enterprise)} / {Encode(r.Gateway)}<br>确认人 · as: {Encode(claims.PersonId)}", token);
        }).AllowAnonymous();

        app.MapPost("/ack/{token}", async (string token, IConfiguration configuration, TimeProvider time, AlarmTracker alarms, IngestionPipeline pipeline, ILoggerFactory loggers, CancellationToken ct) =>
        {
            if (!TryVerify(token, configuration, time, out var claims, out var refusal))
                return refusal;
            if (!alarms.TryGet(claims.AlarmId, out var alarm))
                return Page(StatusCodes.Status404NotFound, "告警已关闭 · Alarm closed", "该告警已不存在（可能已关闭）。 The alarm no longer exists (it may have been closed).", null);

            var outcome = await pipeline.ExecuteAsync(alarm.Raised.Enterprise, alarm.Raised.Gateway,
                entries => alarms.Acknowledge(claims.AlarmId, claims.PersonId, AuditComment, entries), ct);
            loggers.CreateLogger("Monitoring.Ingestion.Api.AckLinks").LogInformation("Acknowledge link for alarm {AlarmId} used by {Person}: {Outcome}", claims.AlarmId, claims.PersonId, outcome.Kind);
            return outcome.Kind switch
            {
                OperatorOutcomeKind.Done => Page(StatusCodes.Status200OK, "已确认 · Acknowledged", $"告警已确认，确认人 {Encode(claims.PersonId)}。 Alarm acknowledged by {Encode(claims.PersonId)}.", null),
                OperatorOutcomeKind.NotFound => Page(StatusCodes.Status404NotFound, "告警已关闭 · Alarm closed", "该告警已不存在。 The alarm no longer exists.", null),
                _ => Page(StatusCodes.Status409Conflict, "未确认 · Not acknowledged", Encode(outcome.Problem), null),
            };
        }).AllowAnonymous().DisableAntiforgery();
    }

    private static bool TryVerify(string token, IConfiguration configuration, TimeProvider time, out AcknowledgeLinkClaims claims, out IResult refusal)
    {
        claims = default;
        refusal = Results.Empty;
        var keyText = configuration[KeySetting];
        if (string.IsNullOrEmpty(keyText) || Encoding.UTF8.GetByteCount(keyText) < AcknowledgeLinkToken.MinimumKeyBytes)
        {
            refusal = Page(StatusCodes.Status404NotFound, "未启用 · Not enabled", "确认链接未启用。 Acknowledge links are not enabled on this server.", null);
            return false;
        }

        var failure = AcknowledgeLinkToken.Verify(token, AcknowledgeLinkToken.KeyFromText(keyText), time.GetUtcNow(), out claims);
        if (failure == AcknowledgeLinkFailure.None)
            return true;

        refusal = failure == AcknowledgeLinkFailure.Expired
            ? Page(StatusCodes.Status410Gone, "链接已过期 · Link expired", "请在值班台确认。 Please acknowledge in the duty console.", null)
            : Page(StatusCodes.Status403Forbidden, "链接无效 · Invalid link", "该链接无效。 This link is not valid.", null);
        return false;
    }

    private static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A page that works without scripts: a plain form, so a messenger's in-app browser can post it.</summary>
    private static IResult Page(int status, string title, string bodyHtml, string? formToken)
    {
        var form = formToken is null
            ? ""
            : $"""<form method="post" action="/ack/{Uri.EscapeDataString(formToken)}"><button type="submit" style="font-size:1.4em;padding:.6em 1.4em">确认 · Acknowledge</button></form>""";
        var html = $"""
            <!DOCTYPE html>
            <html lang="zh"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
            <meta name="robots" content="noindex"><title>{Encode(title)}</title></head>
            <body style="font-family:sans-serif;max-width:36em;margin:2em auto;padding:0 1em">
            <h1>{Encode(title)}</h1><p>{bodyHtml}</p>{form}
            </body></html>
            """;
        return Results.Content(html, "text/html; charset=utf-8", Encoding.UTF8, status);
    }
}

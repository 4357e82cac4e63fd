using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Security;
using Monitoring.Ingestion.Sites;
using Monitoring.Ingestion.Storage;
using Monitoring.ServiceDefaults;

namespace Monitoring.Ingestion.Api;

/// <summary>The HTTP surface: health, metrics, and the read API for alarms, gateways, dead letters and configuration.</summary>
internal static class ApiEndpoints
{
    public static WebApplication MapMonitoringEndpoints(this WebApplication app)
    {
        // Live: the process answers. Ready: broker, store and bus are reachable.
        app.MapServiceEndpoints(HealthResponse.WriteAsync);

        app.MapAckLinkEndpoints();
        app.MapSignInLockEndpoints();
        var api = app.MapGroup("/api");
        api.MapAlarmEndpoints();
        api.MapAlarmHistoryEndpoints();
        api.MapDisposalEndpoints();
        api.MapHazardEndpoints();

        api.MapGet("/gateways", (GatewayRegistry gateways) => gateways.All().Select(g => new
        {
            g.Enterprise,
            g.Gateway,
            g.Status,
            g.Firmware,
            StatusChangedAt = g.StatusChangedAtMs is { } changed ? DateTimeOffset.FromUnixTimeMilliseconds(changed) : (DateTimeOffset?)null,
            LastSeenAt = DateTimeOffset.FromUnixTimeMilliseconds(g.LastSeenAtMs),
            g.Messages,
            g.Readings,
            g.LastSeq,
            g.LostMessages,
            g.DuplicateMessages,
            g.SequenceRestarts,
            g.Rejections,
            g.Simulated,
            // The gateway's clock minus the server's (seconds, + = ahead), null until estimated; skewed = GATEWAY_CLOCK_SKEW raised.
            ClockOffsetSeconds = g.Clock.IsKnown ? g.Clock.AheadByMs / 1000d : (double?)null,
            ClockSkewed = g.ClockSkewRaised,
        }));

        api.MapGet("/deadletters", async (DeadLetterStore store, string? enterprise, string? gateway, string? reason, int? limit, CancellationToken ct) =>
            await store.ListAsync(new DeadLetterQuery { Enterprise = enterprise, Gateway = gateway, Reason = reason, Limit = Math.Clamp(limit ?? 100, 1, 1000) }, ct));

        // Every alarm condition with its live state: active, or suppressed by its mode gate (visible, never silent).
        // A diagnostic the service raises itself (GATEWAY_CLOCK_SKEW) has no rule state: its alarm says whether it is active.
        api.MapGet("/conditions", (RuleSetHolder rules, AlarmTracker alarms, bool? suppressedOnly) => rules.Current.Gateways
            .SelectMany(g => g.Sensors.SelectMany(s => s.Conditions.Select(c => (Condition: c, Active: s.IsActive(c), Suppressed: false)))
                .Concat(g.GatewayConditions.Select(c => (Condition: c, Active: g.IsActive(c) || (alarms.TryGetByKey(c.Key, out var a) && a.ConditionActive), Suppressed: g.IsSuppressedByMode(c)))))
            .Where(x => suppressedOnly != true || x.Suppressed)
            .Select(x => new { x.Condition.Key, x.Condition.RuleId, x.Condition.Enterprise, x.Condition.Gateway, x.Condition.Tags, x.Condition.Priority, x.Condition.Level, x.Active, SuppressedByMode = x.Suppressed }));

        api.MapGet("/config", (RuleSetHolder rules, ConfigurationReloader reloader) => new
        {
            rules.Version,
            LastReload = reloader.LastReload,
            Sites = rules.Current.Sites.Select(s => new
            {
                s.Enterprise,
                s.Name,
                s.Industry,
                s.SourceFile,
                Gateways = s.Gateways.Select(g => new { g.Id, Points = g.Points.Count }),
            }),
            Conditions = rules.Current.Conditions.Count,
        });

        // Reload the site files now; refused whole (409, with every error) when any file is invalid.
        api.MapPost("/config/reload", async (ConfigurationReloader reloader, HttpContext http, CancellationToken ct) =>
        {
            var report = await reloader.ReloadAsync($"api ({http.User.Identity?.Name})", ct);
            return report.Applied ? Results.Ok(report) : Results.Conflict(report);
        }).RequireAuthorization(Policies.Administer);

        // Check a site file's text (the request body) without applying it.
        api.MapPost("/config/validate", async (HttpRequest request, string? fileName) =>
        {
            using var reader = new StreamReader(request.Body);
            var errors = ConfigurationReloader.Validate(await reader.ReadToEndAsync(), fileName ?? "request");
            return Results.Ok(new { valid = errors.Count == 0, errors });
        }).RequireAuthorization(Policies.Administer);

        return app;
    }

}

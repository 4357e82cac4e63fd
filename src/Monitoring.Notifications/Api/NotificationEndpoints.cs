using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Hosting;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Storage;
using Monitoring.Notifications.Watchdog;
using Monitoring.ServiceDefaults;

namespace Monitoring.Notifications.Api;

/// <summary>Health, metrics, and the operator's view: deliveries with their outcome, diagnostics, the roster.</summary>
internal static class NotificationEndpoints
{
    public static WebApplication MapNotificationEndpoints(this WebApplication app)
    {
        app.MapServiceEndpoints();

        var api = app.MapGroup("/api");
        api.MapGet("/deliveries", async (NotificationStore store, Guid? alarmId, string? personId, string? status, int? limit, CancellationToken ct) =>
            (await store.ListAsync(alarmId, personId, status, Math.Clamp(limit ?? 100, 1, 1000), ct)).Select(DeliveryView.From));

        // What the service knows of one alarm: whether it is acknowledged or closed, who was told, the next reminder.
        api.MapGet("/alarms/{alarmId:guid}", async (NotificationStore store, Guid alarmId, CancellationToken ct) =>
            await store.GetStateAsync(alarmId, ct) is { } state
                ? Results.Ok(new { state.AlarmId, state.LastSequence, state.Active, state.Acknowledged, state.AcknowledgedBy, state.Suppressed, state.Closed, state.EscalationLevel, state.Recipients, state.NextReminderAt, state.RemindersSent, state.RaisedAt })
                : Results.NotFound());

        api.MapGet("/diagnostics", async (NotificationStore store, DeliveryDispatcher dispatcher, NotificationScheduler scheduler, IngestionWatchdog watchdog, IngestionActivity activity, TimeProvider time, CancellationToken ct) =>
        {
            var diagnostics = await store.DiagnosticsAsync(100, ct);
            return new
            {
                Open = diagnostics.Where(d => d.ClearedAt is null),
                Recent = diagnostics.Where(d => d.ClearedAt is not null).Take(20),
                Channels = dispatcher.Health,
                Watchdog = new
                {
                    IngestionLastSeenAt = activity.LastSeen,
                    LastHeartbeatAt = activity.LastHeartbeat,
                    activity.LastHeartbeatInstance,
                    QuietForSeconds = Math.Round((time.GetUtcNow() - activity.LastSeen).TotalSeconds, 1),
                    SilenceAfterSeconds = watchdog.SilenceAfter.TotalSeconds,
                    watchdog.Silent,
                    watchdog.SilentSince,
                },
                ProcessedEvents = await store.CountProcessedAsync(ct),
                SchedulerLastRunAt = scheduler.LastRunAt,
            };
        });

        api.MapGet("/roster", (RosterHolder roster, TimeProvider time) => RosterView.From(roster, time.GetUtcNow()));

        // Reload the roster file now; refused whole (409, with every located error) when it is invalid.
        api.MapPost("/roster/reload", (RosterHolder roster, TimeProvider time, HttpContext http, IOptions<NotificationOptions> options) =>
        {
            if (!IsAdministrator(http, options.Value))
                return Results.Problem(statusCode: StatusCodes.Status401Unauthorized, detail: "an administrator key (X-Api-Key) is required, or a call from this machine when none is configured");
            var result = roster.Reload(time.GetUtcNow());
            var errors = result.Errors.Select(e => new { e.File, e.Line, e.Column, e.Message, Text = e.ToString() });
            return result.Roster is not null
                ? Results.Ok(new { applied = true, roster = RosterView.From(roster, time.GetUtcNow()) })
                : Results.Conflict(new { applied = false, errors });
        });

        return app;
    }

    /// <summary>With <c>AdminKey</c> configured the caller must present it; without one, only a caller on this machine may reload.</summary>
    private static bool IsAdministrator(HttpContext http, NotificationOptions options)
    {
        if (string.IsNullOrEmpty(options.AdminKey))
            return http.Connection.RemoteIpAddress is { } ip && System.Net.IPAddress.IsLoopback(ip);
        var presented = http.Request.Headers["X-Api-Key"].ToString();
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), SHA256.HashData(Encoding.UTF8.GetBytes(options.AdminKey)));
    }
}

internal sealed record DeliveryView(
    long Id, string NotificationId, string Kind, Guid? AlarmId, Guid? EventId, string PersonId, string Channel, string? Address, string Status, int Attempts, string? Error,
    string Title, string Text, string? AckUrl, bool Simulated, string? Note, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt)
{
    public static DeliveryView From(DeliveryRecord r) => new(r.Id, r.Draft.NotificationId, r.Draft.Kind.ToString(), r.Draft.AlarmId, r.Draft.EventId, r.Draft.PersonId,
        r.Draft.Channel.ToString(), r.Draft.Address, r.Status.ToString(), r.Attempts, r.Error, r.Draft.Title, r.Draft.Text, r.Draft.AckUrl, r.Draft.Simulated, r.Draft.Note,
        r.CreatedAt, r.CompletedAt);
}

internal static class RosterView
{
    public static object From(RosterHolder holder, DateTimeOffset now)
    {
        var r = holder.Current;
        return new
        {
            holder.Path,
            holder.LastReloadAt,
            LastErrors = holder.LastErrors.Select(e => e.ToString()),
            TimeZone = r.TimeZone.Id,
            LocalTime = TimeZoneInfo.ConvertTime(now, r.TimeZone),
            People = r.People.Values.OrderBy(p => p.Id, StringComparer.Ordinal).Select(p => new
            {
                p.Id,
                p.Name,
                p.Language,
                // Webhook URLs carry the robot's key: only the host is shown.
                Webhook = p.Webhook?.Host,
                WebhookFormat = p.WebhookFormat.ToString(),
                p.Email,
                Notify = p.Notify.Select(c => c.ToString()),
            }),
            r.Enterprises,
            Shifts = r.Shifts.Select(s => new { s.Id, Start = s.Start.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture), End = s.End.ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture) }),
            Duty = r.Duty.Select(d => new { Tier = d.Tier.ToString(), d.Enterprises, d.Regions, d.Industries, Shift = d.Shift?.Id, d.Officer, d.Deputy }),
            SystemOfficersNow = r.SystemOfficers(now).Select(p => p.Id),
        };
    }
}

using System.Globalization;
using Microsoft.Extensions.Options;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Hosting;
using Monitoring.Notifications.Observability;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Watchdog;

/// <summary>
/// Silence is never green: when neither an event nor a heartbeat has come from the ingestion service for
/// <see cref="WatchdogOptions.SilenceAfter"/>, the officers on duty are told by this service itself, and
/// told again when it is heard from. The silent flag is stored, so a restart neither repeats the alarm
/// nor forgets to say it is over.
/// </summary>
internal sealed class IngestionWatchdog(
    IngestionActivity activity,
    NotificationStore store,
    RosterHolder roster,
    MessageComposer composer,
    IOptions<NotificationOptions> options,
    ILogger<IngestionWatchdog> logger)
{
    public const string DiagnosticKey = "watchdog:ingestion-silent";
    private const string SilentSinceKey = "watchdog.silentSince";

    private bool _loaded;
    private DateTimeOffset? _silentSince;

    public bool Silent => _silentSince is not null;

    public DateTimeOffset? SilentSince => _silentSince;

    public TimeSpan SilenceAfter => options.Value.Watchdog.SilenceAfter;

    /// <summary>Checks once; returns true when it planned a notification.</summary>
    public async Task<bool> CheckAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (!options.Value.Watchdog.Enabled)
            return false;
        if (!_loaded)
        {
            var stored = await store.GetValueAsync(SilentSinceKey, ct);
            _silentSince = string.IsNullOrEmpty(stored) ? null : DateTimeOffset.FromUnixTimeMilliseconds(long.Parse(stored, CultureInfo.InvariantCulture));
            _loaded = true;
            NotificationMetrics.SetIngestionSilent(Silent);
        }

        var lastSeen = activity.LastSeen;
        var quiet = now - lastSeen;
        if (_silentSince is null && quiet >= SilenceAfter)
        {
            _silentSince = lastSeen;
            await store.SetValueAsync(SilentSinceKey, lastSeen.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture), ct);
            await store.RaiseDiagnosticAsync(DiagnosticKey, $"no event and no heartbeat from the ingestion service since {lastSeen:O}", ct);
            NotificationMetrics.SetIngestionSilent(true);
            logger.LogError("No event and no heartbeat from the ingestion service since {LastSeen}; notifying the officers on duty", lastSeen);
            var since = lastSeen.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
            await store.InsertAsync(composer.ForPeople(roster.Current.SystemOfficers(now), NotificationKind.WatchdogSilent, "watchdog/" + lastSeen.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "/silent",
                zh => zh
                    ? ("[监测中断] 未收到采集服务的任何消息", $"自 {since} 起未收到采集服务的事件或心跳：告警可能无法送达。请检查采集服务和消息总线。")
                    : ("[Monitoring silent] nothing from the ingestion service", $"No event and no heartbeat from the ingestion service since {since}: alarms may not be reaching anyone. Check the ingestion service and the bus."),
                simulated: false), ct);
            return true;
        }

        if (_silentSince is { } silentSince && quiet < SilenceAfter)
        {
            _silentSince = null;
            await store.SetValueAsync(SilentSinceKey, "", ct);
            await store.ClearDiagnosticAsync(DiagnosticKey, ct);
            NotificationMetrics.SetIngestionSilent(false);
            logger.LogWarning("The ingestion service is heard from again (silent since {SilentSince})", silentSince);
            var since = silentSince.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture);
            await store.InsertAsync(composer.ForPeople(roster.Current.SystemOfficers(now), NotificationKind.WatchdogRestored, "watchdog/" + silentSince.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture) + "/restored",
                zh => zh
                    ? ("[监测恢复] 采集服务已恢复", $"自 {since} 起中断的采集服务消息已恢复。中断期间的告警请在值班台核查。")
                    : ("[Monitoring back] the ingestion service is heard from again", $"Messages from the ingestion service, silent since {since}, arrive again. Review alarms from the gap in the duty console."),
                simulated: false), ct);
            return true;
        }

        return false;
    }
}

using Microsoft.Extensions.Options;
using Monitoring.Notifications.Hosting;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;
using Monitoring.Notifications.Watchdog;

namespace Monitoring.Notifications.Delivery;

/// <summary>
/// The periodic work: due reminders, due digests, the watchdog, and the roster file check. Everything it
/// plans is stored first and sent by the dispatcher, like event-driven notifications; it never sends
/// itself, so once a stop has begun what it plans waits in the store for the next start.
/// </summary>
internal sealed class NotificationScheduler(
    NotificationStore store,
    RosterHolder roster,
    MessageComposer composer,
    RoutingPolicy policy,
    DeliveryDispatcher dispatcher,
    IngestionWatchdog watchdog,
    IOptions<NotificationOptions> options,
    TimeProvider time,
    ILogger<NotificationScheduler> logger) : BackgroundService
{
    private DateTimeOffset _nextRosterCheck;
    private long _lastRunTicks;

    /// <summary>When the last round finished: work due before it has been planned.</summary>
    public DateTimeOffset? LastRunAt => Interlocked.Read(ref _lastRunTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.SchedulerInterval, time);
        do
        {
            try
            {
                if (await RunOnceAsync(time.GetUtcNow(), stoppingToken))
                    dispatcher.Wake();
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Scheduled notification work failed; trying again at the next tick");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>One round; true when it stored deliveries.</summary>
    public async Task<bool> RunOnceAsync(DateTimeOffset now, CancellationToken ct)
    {
        if (now >= _nextRosterCheck)
        {
            _nextRosterCheck = now + options.Value.RosterCheckInterval;
            roster.ReloadIfChanged(now);
        }

        var planned = await RemindAsync(now, ct);
        planned |= await DigestAsync(now, ct);
        planned |= await watchdog.CheckAsync(now, ct);
        Interlocked.Exchange(ref _lastRunTicks, now.UtcTicks);
        return planned;
    }

    private async Task<bool> RemindAsync(DateTimeOffset now, CancellationToken ct)
    {
        var planned = false;
        var current = roster.Current;
        foreach (var state in await store.DueRemindersAsync(now, 256, ct))
        {
            if (RoutingPlanner.Remind(state, current, now, policy) is not { } decision)
                continue;
            var drafts = decision.Recipients.Count == 0
                ? []
                : composer.ForAlarm(decision.State, decision.Recipients, $"{state.AlarmId:N}/reminder/{decision.State.RemindersSent}", now);
            planned |= await store.SaveReminderAsync(state, decision.State, drafts, ct) && drafts.Count > 0;
        }

        return planned;
    }

    private async Task<bool> DigestAsync(DateTimeOffset now, CancellationToken ct)
    {
        var items = await store.DueDigestItemsAsync(now, options.Value.DigestWindow, ct);
        if (items.Count == 0)
            return false;
        var current = roster.Current;
        // One digest per person, whatever channels its items were planned on; simulated items apart, so they stay in the sandbox.
        foreach (var group in items.GroupBy(i => (i.Draft.PersonId, i.Draft.Simulated)))
        {
            var distinct = group.DistinctBy(i => i.Draft.NotificationId, StringComparer.Ordinal).Select(i => i.Draft).ToList();
            var digest = current.People.TryGetValue(group.Key.PersonId, out var person) ? composer.Digest(person, distinct) : [];
            await store.StoreDigestAsync([.. group.Select(i => i.Id)], digest, ct);
        }

        return true;
    }
}

using System.Globalization;
using Monitoring.Contracts;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Observability;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;
using Monitoring.Notifications.Watchdog;

namespace Monitoring.Notifications.Consuming;

/// <summary>
/// One consumed event to stored deliveries: dedupe by eventId, order by sequence, route, compose, commit,
/// then wake the dispatcher. The consumer acknowledges the message to the broker only after the commit,
/// so an event is never lost, and never applied twice.
/// </summary>
internal sealed class AlarmEventProcessor(
    NotificationStore store,
    RosterHolder roster,
    MessageComposer composer,
    RoutingPolicy policy,
    DeliveryDispatcher dispatcher,
    IngestionActivity activity,
    TimeProvider time,
    ILogger<AlarmEventProcessor> logger)
{
    public async Task<EventOutcome> HandleAsync(AlarmSnapshot e, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // The service's own time of the event, not the receive time: a backlog delivered after a restart
        // must not make a long-dead ingestion service look alive.
        activity.Seen(Min(e.DetectedAt, now));
        var current = roster.Current;
        var outcome = await store.ApplyEventAsync(e.EventId, e.EventType, e.AlarmId, e.Sequence, state =>
        {
            var decision = RoutingPlanner.Apply(state, e, current, now, policy);
            var drafts = decision.Recipients.Count == 0
                ? []
                : composer.ForAlarm(decision.State, decision.Recipients, e.EventId.ToString("N"), now);
            return (decision.State, drafts, decision.Late);
        }, ct);

        NotificationMetrics.Events.Add(1, new("type", e.EventType), new("outcome", outcome.ToString()));
        if (outcome == EventOutcome.Late)
            logger.LogInformation("{Type} {EventId} of alarm {AlarmId} arrived late (sequence {Sequence}); it changes nothing", e.EventType, e.EventId, e.AlarmId, e.Sequence);
        if (outcome == EventOutcome.Applied)
            dispatcher.Wake();
        return outcome;
    }

    /// <summary>A gateway that went offline or silent, or came back: its data (数据中断) is a first-class alarm, told to the enterprise's on-duty officer.</summary>
    public Task<EventOutcome> HandleAsync(GatewayStatusChanged e, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        activity.Seen(Min(e.OccurredAt, now));
        return NotifyOnceAsync(e.EventId, nameof(GatewayStatusChanged), current =>
        {
            var chain = current.ChainFor(e.Enterprise, current.Enterprises.TryGetValue(e.Enterprise, out var entry) ? entry.Industry ?? "" : "", now);
            if (chain.Count == 0)
                return [];
            var lastSeen = e.LastSeenAt?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "-";
            return composer.ForPeople([chain[0].Person], NotificationKind.GatewayStatus, "gateway/" + e.EventId.ToString("N"), zh => (e.State, zh) switch
            {
                (GatewayStates.Online, true) => ($"[网关恢复] {e.Enterprise}/{e.Gateway} 在线", $"网关 {e.Enterprise}/{e.Gateway} 已恢复在线。"),
                (GatewayStates.Online, false) => ($"[Gateway back] {e.Enterprise}/{e.Gateway} online", $"Gateway {e.Enterprise}/{e.Gateway} is online again."),
                (_, true) => ($"[数据中断] {e.Enterprise}/{e.Gateway} {e.State}", $"网关 {e.Enterprise}/{e.Gateway} 状态 {e.State}，最后数据 {lastSeen}。请核实现场监测数据传输。"),
                _ => ($"[Data interrupted] {e.Enterprise}/{e.Gateway} {e.State}", $"Gateway {e.Enterprise}/{e.Gateway} is {e.State}; last data {lastSeen}. Check the plant's data link."),
            }, e.Simulated);
        }, ct);
    }

    /// <summary>
    /// A major-hazard record's step passed its deadline (重大隐患整改超期): told one rung up the enterprise's chain
    /// (<see cref="RoutingPlanner.OverdueTarget"/>), once per event id.
    /// </summary>
    public Task<EventOutcome> HandleAsync(HazardOverdue e, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        return NotifyOnceAsync(e.EventId, nameof(HazardOverdue), current =>
        {
            if (RoutingPlanner.OverdueTarget(current.ChainFor(e.Enterprise, e.Industry, now)) is not { } up)
                return [];
            var due = e.DueAt?.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture) ?? "-";
            return composer.ForPeople([up.Person], NotificationKind.HazardOverdue, "hazard/" + e.EventId.ToString("N"), zh =>
            {
                var step = MessageComposer.HazardStepWord(e.Step, zh);
                return zh
                    ? ($"[重大隐患{step}超期] {e.Enterprise} {e.Equipment}: {e.Condition.Zh}",
                        $"重大事故隐患 {e.Enterprise} / {e.Equipment}（{e.Clause ?? "-"}）{step}期限 {due} 已过，超期 {e.OverdueSeconds} 秒。隐患编号: {e.HazardId}")
                    : ($"[Major hazard overdue: {step}] {e.Enterprise} {e.Equipment}: {e.Condition.En}",
                        $"Major accident hazard {e.Enterprise} / {e.Equipment} ({e.Clause ?? "-"}): the {step} was due {due}, {e.OverdueSeconds} s ago. Hazard id: {e.HazardId}");
            }, e.Simulated);
        }, ct);
    }

    /// <summary>
    /// An event that is not about one alarm's state (gateway status, a hazard's deadline): its deliveries, planned from
    /// the roster in force, are stored with its event id in one transaction, so a redelivery plans nothing twice.
    /// </summary>
    private async Task<EventOutcome> NotifyOnceAsync(Guid eventId, string type, Func<DutyRoster, IReadOnlyList<DeliveryDraft>> plan, CancellationToken ct)
    {
        var current = roster.Current;
        var outcome = await store.ApplyEventAsync(eventId, type, null, 0, _ => (null, plan(current), false), ct);
        NotificationMetrics.Events.Add(1, new("type", type), new("outcome", outcome.ToString()));
        if (outcome == EventOutcome.Applied)
            dispatcher.Wake();
        return outcome;
    }

    public void Heartbeat(ServiceHeartbeat heartbeat)
    {
        var now = time.GetUtcNow();
        activity.Heartbeat(Min(heartbeat.SentAt, now), heartbeat.Instance);
    }

    private static DateTimeOffset Min(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}

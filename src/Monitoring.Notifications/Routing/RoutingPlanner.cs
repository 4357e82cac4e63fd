using Monitoring.Contracts;
using Monitoring.Notifications.Roster;

namespace Monitoring.Notifications.Routing;

public enum NotificationKind
{
    Raised,
    Escalated,
    ReminderUnacknowledged,
    ReminderAcknowledgedActive,
    Digest,
    GatewayStatus,
    WatchdogSilent,
    WatchdogRestored,
    ChannelFailed,
    /// <summary>A step of an alarm's disposal loop passed its deadline (AlarmDisposalOverdue).</summary>
    DisposalOverdue,
    /// <summary>A step of a major-hazard record passed its deadline (HazardOverdue).</summary>
    HazardOverdue,
}

/// <summary>Reminder intervals and grouping, from <c>Monitoring:Notifications</c>.</summary>
internal sealed record RoutingPolicy(TimeSpan RemindUnacknowledgedEvery, TimeSpan RemindAcknowledgedActiveEvery, IReadOnlyCollection<string> DigestPriorities)
{
    public static readonly RoutingPolicy Default = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), [AlarmPriorities.Low]);
}

/// <summary>One person to notify; <see cref="Digest"/> holds it for the person's next digest instead of sending at once.</summary>
internal readonly record struct Recipient(Person Person, NotificationKind Kind, ChainRole? Role, bool Digest);

internal sealed record RoutingDecision(AlarmNotificationState State, IReadOnlyList<Recipient> Recipients, bool Late);

/// <summary>
/// Who is told what, and when the next reminder is due: pure, so routing, escalation and reminders
/// are tested without a bus, a clock or a store.
/// </summary>
internal static class RoutingPlanner
{
    /// <summary>Critical, level-2 and major-hazard alarms are never grouped; listed lower priorities may be.</summary>
    public static bool MayGroup(AlarmSnapshot alarm, RoutingPolicy policy) =>
        alarm.Priority != AlarmPriorities.Critical && alarm.Level < 2 && !alarm.MajorHazard && policy.DigestPriorities.Contains(alarm.Priority);

    public static RoutingDecision Apply(AlarmNotificationState? state, AlarmSnapshot e, DutyRoster roster, DateTimeOffset now, RoutingPolicy policy)
    {
        if (state is not null && e.Sequence <= state.LastSequence)
            return new RoutingDecision(state, [], Late: true);

        var s = (state ?? new AlarmNotificationState { AlarmId = e.AlarmId, LastSequence = 0, Alarm = e, RaisedAt = e.OccurredAt }) with { LastSequence = e.Sequence, Alarm = e };
        var recipients = new List<Recipient>(1);
        switch (e.EventType)
        {
            case nameof(AlarmRaised):
                s = s with { Active = true, ClearCause = null, RaisedAt = e.OccurredAt };
                // Found in late data: recorded, not paged as new (contract section 1).
                if (e.Historical || s.Closed)
                    break;
                var chain = roster.ChainFor(e.Enterprise, e.Industry, now);
                if (chain.Count > 0)
                {
                    recipients.Add(new Recipient(chain[0].Person, NotificationKind.Raised, chain[0].Role, MayGroup(e, policy)));
                    s = s with { Recipients = Append(s.Recipients, chain[0].Person.Id) };
                }

                s = s with { NextReminderAt = s.Acknowledged ? s.NextReminderAt : After(now, policy.RemindUnacknowledgedEvery) };
                break;

            case nameof(AlarmEscalated):
                s = s with { EscalationLevel = Math.Max(s.EscalationLevel, e.EscalationLevel) };
                if (s.Acknowledged || s.Closed)
                    break;
                var members = roster.ChainFor(e.Enterprise, e.Industry, now);
                if (members.Count > 0)
                {
                    var target = members[Math.Clamp(e.EscalationLevel, 0, members.Count - 1)];
                    recipients.Add(new Recipient(target.Person, NotificationKind.Escalated, target.Role, Digest: false));
                    s = s with { Recipients = Append(s.Recipients, target.Person.Id) };
                }

                s = s with { NextReminderAt = s.NextReminderAt ?? After(now, policy.RemindUnacknowledgedEvery) };
                break;

            case nameof(AlarmAcknowledged):
                s = s with
                {
                    Acknowledged = true,
                    AcknowledgedBy = e.Actor,
                    Closed = !s.Active,
                    NextReminderAt = s.Active ? After(now, policy.RemindAcknowledgedActiveEvery) : null,
                };
                break;

            case nameof(AlarmCleared):
                s = s with { Active = false, ClearCause = e.ClearCause ?? ClearCauses.Normal, Closed = s.Acknowledged, NextReminderAt = s.Acknowledged ? null : s.NextReminderAt };
                break;

            case nameof(AlarmShelved) or nameof(AlarmOutOfService):
                s = s with { Suppressed = true };
                break;

            case nameof(AlarmUnshelved) or nameof(AlarmReturnedToService):
                s = s with { Suppressed = false, NextReminderAt = s.Closed ? null : After(now, s.Acknowledged ? policy.RemindAcknowledgedActiveEvery : policy.RemindUnacknowledgedEvery) };
                break;

            case nameof(AlarmReset):
                s = s with { Closed = true, NextReminderAt = null };
                break;

            case nameof(AlarmDisposalOverdue):
                // The loop goes on after the alarm has ended at the plant (Closed here): a late step escalates one
                // rung up the chain whatever the alarm's state, never held for a digest.
                if (OverdueTarget(roster.ChainFor(e.Enterprise, e.Industry, now)) is { } up)
                {
                    recipients.Add(new Recipient(up.Person, NotificationKind.DisposalOverdue, up.Role, Digest: false));
                    s = s with { Recipients = Append(s.Recipients, up.Person.Id) };
                }

                break;
        }

        return new RoutingDecision(s, recipients, Late: false);
    }

    /// <summary>The reminder due at <paramref name="now"/>, if any, and the state with the next one scheduled.</summary>
    public static RoutingDecision? Remind(AlarmNotificationState s, DutyRoster roster, DateTimeOffset now, RoutingPolicy policy)
    {
        if (s.Closed || s.Suppressed || s.NextReminderAt is not { } due || due > now)
            return null;

        var recipients = new List<Recipient>();
        if (!s.Acknowledged)
        {
            foreach (var id in s.Recipients)
            {
                if (roster.People.TryGetValue(id, out var person))
                    recipients.Add(new Recipient(person, NotificationKind.ReminderUnacknowledged, null, Digest: false));
            }

            return new RoutingDecision(s with { NextReminderAt = After(now, policy.RemindUnacknowledgedEvery), RemindersSent = s.RemindersSent + 1 }, recipients, Late: false);
        }

        if (!s.Active)
            return new RoutingDecision(s with { NextReminderAt = null }, [], Late: false);

        var who = s.AcknowledgedBy is { } by && roster.People.TryGetValue(by, out var acknowledger) ? acknowledger
            : s.Recipients.Count > 0 && roster.People.TryGetValue(s.Recipients[0], out var first) ? first
            : null;
        if (who is not null)
            recipients.Add(new Recipient(who, NotificationKind.ReminderAcknowledgedActive, null, Digest: false));
        return new RoutingDecision(s with { NextReminderAt = After(now, policy.RemindAcknowledgedActiveEvery), RemindersSent = s.RemindersSent + 1 }, recipients, Late: false);
    }

    /// <summary>
    /// Who is told that a disposal or rectification step is late: the member one rung above the on-duty officer (who
    /// had the step to do), or the on-duty officer when the chain has one member; null when the chain is empty.
    /// </summary>
    public static ChainMember? OverdueTarget(IReadOnlyList<ChainMember> chain) => chain.Count == 0 ? null : chain[Math.Min(1, chain.Count - 1)];

    private static DateTimeOffset? After(DateTimeOffset now, TimeSpan interval) => interval > TimeSpan.Zero ? now + interval : null;

    private static string[] Append(IReadOnlyList<string> ids, string id) => ids.Contains(id) ? [.. ids] : [.. ids, id];
}

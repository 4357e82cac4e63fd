using Monitoring.Contracts;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

/// <summary>
/// A clear caused by the rule's mode gate (AlarmCleared.cause = mode-gate, contract v1.1) is not a return to normal:
/// the messages that follow it (reminders, escalations) must tell a person so.
/// </summary>
public sealed class ClearCauseMessageTests
{
    private const string Disarmed = "disarmed by mode (e.g. casting ended), not a return to normal";
    private const string DisarmedZh = "按工况模式解除投入（如浇铸结束），并非恢复正常";
    private static readonly DateTimeOffset T0 = TestRoster.DayTime;
    private static readonly RoutingPolicy Policy = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), [AlarmPriorities.Low]);
    private readonly DutyRoster _roster = TestRoster.Parse();
    private readonly MessageComposer _composer = new(new AckLinkSettings(null, null, TimeSpan.FromHours(1)), sandboxOnly: true);

    private AlarmNotificationState ClearedBy(Alarms alarm, string cause)
    {
        var s = RoutingPlanner.Apply(null, alarm.Raised(T0), _roster, T0, Policy).State;
        var cleared = alarm.Event(nameof(AlarmCleared), 2, T0.AddMinutes(1)) with { ClearCause = cause };
        return RoutingPlanner.Apply(s, cleared, _roster, T0.AddMinutes(1), Policy).State;
    }

    private DeliveryDraft Reminder(AlarmNotificationState s, string personId)
    {
        var r = new Recipient(_roster.People[personId], NotificationKind.ReminderUnacknowledged, null, Digest: false);
        return Assert.Single(_composer.ForAlarm(s, [r], "reminder", T0.AddMinutes(5)));
    }

    [Fact]
    public void Reminder_AfterClearByModeGate_SaysDisarmedByModeNotReturnToNormal()
    {
        var s = ClearedBy(new Alarms(), ClearCauses.ModeGate);
        Assert.Equal(ClearCauses.ModeGate, s.ClearCause);

        var en = Reminder(s, "day.officer");
        Assert.Contains(Disarmed, en.Text, StringComparison.Ordinal);
        Assert.Contains("not a return to normal", en.Title, StringComparison.Ordinal);
        Assert.Contains(Disarmed, en.Markdown, StringComparison.Ordinal);

        var zh = Reminder(s, "deputy");
        Assert.Contains(DisarmedZh, zh.Text, StringComparison.Ordinal);
        Assert.Contains("非恢复正常", zh.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void Reminder_AfterNormalClear_SaysReturnedToNormal()
    {
        var en = Reminder(ClearedBy(new Alarms(), ClearCauses.Normal), "day.officer");

        Assert.Contains("State: returned to normal", en.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("disarmed by mode", en.Text + en.Title, StringComparison.Ordinal);
    }

    [Fact]
    public void ClearByModeGate_StillKnownAfterALaterEscalation_ForgottenWhenRaisedAgain()
    {
        var alarm = new Alarms();
        var s = ClearedBy(alarm, ClearCauses.ModeGate);
        s = RoutingPlanner.Apply(s, alarm.Event(nameof(AlarmEscalated), 3, T0.AddMinutes(15), escalationLevel: 1), _roster, T0.AddMinutes(15), Policy).State;
        Assert.Contains(Disarmed, Reminder(s, "day.officer").Text, StringComparison.Ordinal);

        s = RoutingPlanner.Apply(s, alarm.Event(nameof(AlarmRaised), 4, T0.AddMinutes(16)), _roster, T0.AddMinutes(16), Policy).State;
        Assert.Null(s.ClearCause);
        var active = Reminder(s, "day.officer");
        Assert.DoesNotContain("disarmed by mode", active.Text + active.Title, StringComparison.Ordinal);
        Assert.DoesNotContain("State:", active.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ClearCauses.ModeGate)]
    [InlineData(ClearCauses.Normal)]
    public void Snapshot_FromAlarmCleared_KeepsTheCause(string cause)
    {
        var e = new AlarmCleared
        {
            AlarmId = Guid.NewGuid(),
            EventId = Guid.NewGuid(),
            Sequence = 2,
            RuleId = "DC_MOULD_WATER_PRESSURE",
            RuleVersion = 1,
            Enterprise = TestRoster.Enterprise,
            Gateway = "gw03",
            Tags = ["CAST2.MOULD.WATER.P"],
            Industry = Industries.AluminiumCasting,
            Priority = AlarmPriorities.Critical,
            Level = 2,
            MajorHazard = true,
            Condition = new LocalizedText("结晶器冷却水压力低", "mould cooling water pressure low"),
            OccurredAt = T0,
            DetectedAt = T0,
            Historical = false,
            Context = [],
            Simulated = false,
            Cause = cause,
        };

        Assert.Equal(cause, AlarmSnapshot.From(e).ClearCause);
    }
}

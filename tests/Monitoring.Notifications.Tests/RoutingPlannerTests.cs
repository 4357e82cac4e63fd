using Monitoring.Contracts;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;

namespace Monitoring.Notifications.Tests;

public sealed class RoutingPlannerTests
{
    private static readonly DateTimeOffset T0 = TestRoster.DayTime;
    private static readonly RoutingPolicy Policy = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), [AlarmPriorities.Low]);
    private readonly DutyRoster _roster = TestRoster.Parse();

    private RoutingDecision Apply(AlarmNotificationState? state, AlarmSnapshot e, DateTimeOffset? now = null) =>
        RoutingPlanner.Apply(state, e, _roster, now ?? e.OccurredAt, Policy);

    [Fact]
    public void Raised_Critical_GoesToTheOnDutyOfficerAtOnceAndSchedulesAReminder()
    {
        var alarm = new Alarms();

        var d = Apply(null, alarm.Raised(T0));

        var r = Assert.Single(d.Recipients);
        Assert.Equal("day.officer", r.Person.Id);
        Assert.Equal(NotificationKind.Raised, r.Kind);
        Assert.False(r.Digest);
        Assert.Equal(T0.AddMinutes(5), d.State.NextReminderAt);
        Assert.Equal(["day.officer"], d.State.Recipients);
    }

    [Theory]
    [InlineData(AlarmPriorities.Low, 1, false, true)]
    [InlineData(AlarmPriorities.Low, 2, false, false)]
    [InlineData(AlarmPriorities.Low, 1, true, false)]
    [InlineData(AlarmPriorities.Medium, 1, false, false)]
    [InlineData(AlarmPriorities.Critical, 1, false, false)]
    public void Raised_OnlyListedLowPriorityFirstStageWithoutMajorHazard_IsGrouped(string priority, int level, bool majorHazard, bool grouped)
    {
        var d = Apply(null, new Alarms(priority, level, majorHazard).Raised(T0));

        Assert.Equal(grouped, Assert.Single(d.Recipients).Digest);
    }

    [Fact]
    public void Raised_CriticalListedForDigests_IsStillNeverGrouped()
    {
        var policy = Policy with { DigestPriorities = [AlarmPriorities.Critical, AlarmPriorities.High] };

        Assert.False(RoutingPlanner.MayGroup(new Alarms(AlarmPriorities.Critical, 1, false).Raised(T0), policy));
        Assert.True(RoutingPlanner.MayGroup(new Alarms(AlarmPriorities.High, 1, false).Raised(T0), policy));
    }

    [Fact]
    public void Raised_Historical_IsRecordedButNotPaged()
    {
        var d = Apply(null, new Alarms().Raised(T0, historical: true));

        Assert.Empty(d.Recipients);
        Assert.False(d.Late);
        Assert.Equal(1, d.State.LastSequence);
    }

    [Theory]
    [InlineData(1, "deputy", ChainRole.Deputy)]
    [InlineData(2, "park.officer", ChainRole.ParkDutyOfficer)]
    [InlineData(3, "county.officer", ChainRole.CountyDutyOfficer)]
    [InlineData(7, "county.officer", ChainRole.CountyDutyOfficer)]
    public void Escalated_LevelN_GoesToTheNthNextPersonInTheChain(int level, string person, ChainRole role)
    {
        var alarm = new Alarms();
        var raised = Apply(null, alarm.Raised(T0)).State;

        var d = Apply(raised, alarm.Event(nameof(AlarmEscalated), 2, T0.AddMinutes(15), escalationLevel: level));

        var r = Assert.Single(d.Recipients);
        Assert.Equal(person, r.Person.Id);
        Assert.Equal(role, r.Role);
        Assert.Equal(NotificationKind.Escalated, r.Kind);
        Assert.Equal(["day.officer", person], d.State.Recipients);
    }

    [Fact]
    public void Escalated_LateAfterTheAcknowledgement_DoesNotUndoItNorNotify()
    {
        var alarm = new Alarms();
        var s = Apply(null, alarm.Raised(T0)).State;
        s = Apply(s, alarm.Event(nameof(AlarmAcknowledged), 3, T0.AddMinutes(16), actor: "day.officer")).State;

        var d = Apply(s, alarm.Event(nameof(AlarmEscalated), 2, T0.AddMinutes(15), escalationLevel: 1), T0.AddMinutes(17));

        Assert.True(d.Late);
        Assert.Empty(d.Recipients);
        Assert.Same(s, d.State);
        Assert.True(d.State.Acknowledged);
    }

    [Fact]
    public void Raised_RedeliveredAfterClear_DoesNotReopen()
    {
        var alarm = new Alarms();
        var s = Apply(null, alarm.Raised(T0)).State;
        s = Apply(s, alarm.Event(nameof(AlarmAcknowledged), 2, T0.AddMinutes(1), actor: "x")).State;
        s = Apply(s, alarm.Event(nameof(AlarmCleared), 3, T0.AddMinutes(2))).State;

        var d = Apply(s, alarm.Raised(T0));

        Assert.True(d.Late);
        Assert.True(d.State.Closed);
        Assert.Empty(d.Recipients);
    }

    [Fact]
    public void Remind_Unacknowledged_GoesToEveryoneNotifiedAtTheInterval()
    {
        var alarm = new Alarms();
        var s = Apply(null, alarm.Raised(T0)).State;
        s = Apply(s, alarm.Event(nameof(AlarmEscalated), 2, T0.AddMinutes(4), escalationLevel: 1)).State;

        Assert.Null(RoutingPlanner.Remind(s, _roster, T0.AddMinutes(5).AddTicks(-1), Policy));
        var d = RoutingPlanner.Remind(s, _roster, T0.AddMinutes(5), Policy)!;

        Assert.Equal(["day.officer", "deputy"], d.Recipients.Select(r => r.Person.Id));
        Assert.All(d.Recipients, r => Assert.Equal(NotificationKind.ReminderUnacknowledged, r.Kind));
        Assert.Equal(T0.AddMinutes(10), d.State.NextReminderAt);
        Assert.Equal(1, d.State.RemindersSent);
    }

    [Fact]
    public void Remind_AcknowledgedButActive_RemindsTheAcknowledgerAtTheLongerInterval()
    {
        var alarm = new Alarms();
        var s = Apply(null, alarm.Raised(T0)).State;
        s = Apply(s, alarm.Event(nameof(AlarmEscalated), 2, T0.AddMinutes(4), escalationLevel: 1)).State;
        s = Apply(s, alarm.Event(nameof(AlarmAcknowledged), 3, T0.AddMinutes(6), actor: "deputy")).State;

        Assert.Null(RoutingPlanner.Remind(s, _roster, T0.AddMinutes(10), Policy));
        var d = RoutingPlanner.Remind(s, _roster, T0.AddMinutes(36), Policy)!;

        var r = Assert.Single(d.Recipients);
        Assert.Equal("deputy", r.Person.Id);
        Assert.Equal(NotificationKind.ReminderAcknowledgedActive, r.Kind);
        Assert.Equal(T0.AddMinutes(66), d.State.NextReminderAt);
    }

    [Fact]
    public void AcknowledgedAndCleared_IsClosed_NothingMoreIsDue()
    {
        var alarm = new Alarms();
        var s = Apply(null, alarm.Raised(T0)).State;
        s = Apply(s, alarm.Event(nameof(AlarmCleared), 2, T0.AddMinutes(1))).State;
        Assert.False(s.Closed);
        Assert.NotNull(s.NextReminderAt);

        s = Apply(s, alarm.Event(nameof(AlarmAcknowledged), 3, T0.AddMinutes(2), actor: "day.officer")).State;

        Assert.True(s.Closed);
        Assert.Null(s.NextReminderAt);
        Assert.Null(RoutingPlanner.Remind(s, _roster, T0.AddDays(1), Policy));
        Assert.Empty(Apply(s, alarm.Event(nameof(AlarmEscalated), 4, T0.AddMinutes(15), escalationLevel: 1)).Recipients);
    }

    [Fact]
    public void Shelved_PausesReminders_UnshelvedResumesFromThen()
    {
        var alarm = new Alarms();
        var s = Apply(null, alarm.Raised(T0)).State;
        s = Apply(s, alarm.Event(nameof(AlarmShelved), 2, T0.AddMinutes(1), actor: "op")).State;

        Assert.Null(RoutingPlanner.Remind(s, _roster, T0.AddHours(1), Policy));

        s = Apply(s, alarm.Event(nameof(AlarmUnshelved), 3, T0.AddHours(2))).State;
        Assert.Equal(T0.AddHours(2).AddMinutes(5), s.NextReminderAt);
    }

    [Fact]
    public void Acknowledged_WithRemindersOff_SchedulesNone()
    {
        var alarm = new Alarms();
        var off = Policy with { RemindUnacknowledgedEvery = TimeSpan.Zero, RemindAcknowledgedActiveEvery = TimeSpan.Zero };

        var s = RoutingPlanner.Apply(null, alarm.Raised(T0), _roster, T0, off).State;

        Assert.Null(s.NextReminderAt);
    }
}

using Monitoring.Contracts;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

/// <summary>
/// A late step of the disposal loop (AlarmDisposalOverdue) or of a major-hazard record (HazardOverdue) escalates one rung
/// up the enterprise's duty chain, also after the alarm has ended at the plant, never grouped, in the reader's words.
/// </summary>
public sealed class OverdueRoutingTests
{
    private static readonly DateTimeOffset T0 = TestRoster.DayTime;
    private static readonly RoutingPolicy Policy = new(TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), [AlarmPriorities.Low]);
    private readonly DutyRoster _roster = TestRoster.Parse();
    private readonly MessageComposer _composer = new(new AckLinkSettings(null, null, TimeSpan.FromHours(1)), sandboxOnly: true);

    [Fact]
    public void DisposalOverdue_AfterTheAlarmEnded_GoesOneRungUpTheChain_InTheirLanguage()
    {
        var alarm = new Alarms();
        var s = RoutingPlanner.Apply(null, alarm.Raised(T0), _roster, T0, Policy).State;
        s = RoutingPlanner.Apply(s, alarm.Event(nameof(AlarmAcknowledged), 2, T0.AddMinutes(1), actor: "day.officer"), _roster, T0.AddMinutes(1), Policy).State;
        s = RoutingPlanner.Apply(s, alarm.Event(nameof(AlarmCleared), 3, T0.AddMinutes(2)), _roster, T0.AddMinutes(2), Policy).State;
        Assert.True(s.Closed);

        var overdue = alarm.Event(nameof(AlarmDisposalOverdue), 4, T0.AddMinutes(31)) with { OverdueStep = DisposalSteps.Dispose };
        var d = RoutingPlanner.Apply(s, overdue, _roster, T0.AddMinutes(31), Policy);

        var r = Assert.Single(d.Recipients);
        Assert.Equal("deputy", r.Person.Id);
        Assert.Equal(NotificationKind.DisposalOverdue, r.Kind);
        Assert.False(r.Digest);
        var message = Assert.Single(_composer.ForAlarm(d.State, d.Recipients, "overdue", T0.AddMinutes(31)));
        Assert.Contains("处置反馈超时", message.Title, StringComparison.Ordinal);
        Assert.Null(message.AckUrl);
    }

    [Fact]
    public void DisposalOverdue_TheSameEventAgain_IsLateAndTellsNobody()
    {
        var alarm = new Alarms();
        var s = RoutingPlanner.Apply(null, alarm.Raised(T0), _roster, T0, Policy).State;
        var overdue = alarm.Event(nameof(AlarmDisposalOverdue), 2, T0.AddMinutes(3)) with { OverdueStep = DisposalSteps.SignFor };
        s = RoutingPlanner.Apply(s, overdue, _roster, T0.AddMinutes(3), Policy).State;

        var again = RoutingPlanner.Apply(s, overdue, _roster, T0.AddMinutes(4), Policy);

        Assert.True(again.Late);
        Assert.Empty(again.Recipients);
    }

    [Fact]
    public void OverdueTarget_WithOneMember_IsThatMember_WithNone_IsNobody()
    {
        var chain = _roster.ChainFor(TestRoster.Enterprise, "aluminium-casting", T0);
        Assert.Equal(chain[1], RoutingPlanner.OverdueTarget(chain));
        Assert.Equal(chain[0], RoutingPlanner.OverdueTarget([chain[0]]));
        Assert.Null(RoutingPlanner.OverdueTarget([]));
    }

    [Fact]
    public async Task HazardOverdue_IsDeliveredOneRungUp_OncePerEvent()
    {
        await using var harness = Harness.Create();
        var overdue = HazardOverdueEvent();

        Assert.Equal(EventOutcome.Applied, await harness.Processor.HandleAsync(overdue, CancellationToken.None));
        Assert.Equal(EventOutcome.Duplicate, await harness.Processor.HandleAsync(overdue, CancellationToken.None));
        await harness.DrainAsync();

        var delivery = Assert.Single(await harness.DeliveriesAsync());
        Assert.Equal(NotificationKind.HazardOverdue, delivery.Draft.Kind);
        Assert.Equal("deputy", delivery.Draft.PersonId);
        Assert.Contains("重大隐患整改方案超期", delivery.Draft.Title, StringComparison.Ordinal);
        Assert.Contains(overdue.HazardId.ToString(), delivery.Draft.Text, StringComparison.Ordinal);
    }

    private sealed record Facts : HazardEvent;

    private static HazardOverdue HazardOverdueEvent()
    {
        var id = HazardIds.For(TestRoster.Enterprise, "Art. 14", "Casting pit 1");
        return new HazardOverdue(new Facts
        {
            HazardId = id,
            EventId = AlarmEventIds.For(id, 2),
            Sequence = 2,
            Enterprise = TestRoster.Enterprise,
            Industry = "aluminium-casting",
            Clause = "Art. 14",
            Equipment = "Casting pit 1",
            Gateway = "gw-01",
            Condition = new LocalizedText("结晶器冷却水压力低", "Mould water pressure low"),
            State = HazardStates.Open,
            OpenedAt = T0,
            DueAt = T0.AddHours(24),
            Recurrences = 0,
            Simulated = false,
        }, HazardSteps.Plan, overdueSeconds: 5);
    }
}

using Monitoring.Contracts;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

public sealed class GatewayAndRosterReloadTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task GatewaySilent_TellsTheEnterprisesOnDutyOfficerOnce()
    {
        await using var h = Harness.Create();
        var e = new GatewayStatusChanged
        {
            EventId = Guid.NewGuid(),
            Enterprise = TestRoster.Enterprise,
            Gateway = "gw01",
            State = GatewayStates.Silent,
            OccurredAt = h.Time.GetUtcNow(),
            LastSeenAt = h.Time.GetUtcNow().AddMinutes(-2),
            Simulated = false,
        };

        Assert.Equal(EventOutcome.Applied, await h.Processor.HandleAsync(e, None));
        Assert.Equal(EventOutcome.Duplicate, await h.Processor.HandleAsync(e, None));
        await h.DrainAsync();

        var sent = Assert.Single(h.Webhook.Sent);
        Assert.Equal("day.officer", sent.PersonId);
        Assert.Equal(NotificationKind.GatewayStatus, sent.Kind);
        Assert.Contains("Data interrupted", sent.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task RosterReload_ChangedFileApplies_InvalidFileKeepsTheRosterInForce()
    {
        await using var h = Harness.Create();
        var path = h.Roster.Path;

        File.WriteAllText(path, TestRoster.Yaml.Replace("officer: day.officer, deputy: deputy", "officer: park.officer, deputy: deputy", StringComparison.Ordinal));
        File.SetLastWriteTimeUtc(path, DateTime.UnixEpoch.AddDays(1));
        h.Roster.ReloadIfChanged(h.Time.GetUtcNow());
        Assert.Equal("park.officer", h.Roster.Current.ChainFor(TestRoster.Enterprise, "steel", TestRoster.DayTime)[0].Person.Id);

        File.WriteAllText(path, TestRoster.Yaml.Replace("officer: park.officer", "officer: nobody", StringComparison.Ordinal));
        var result = h.Roster.Reload(h.Time.GetUtcNow());

        Assert.Null(result.Roster);
        Assert.Contains(result.Errors, err => err.Message.Contains("unknown person 'nobody'", StringComparison.Ordinal));
        Assert.Equal("park.officer", h.Roster.Current.ChainFor(TestRoster.Enterprise, "steel", TestRoster.DayTime)[0].Person.Id);
        Assert.NotEmpty(h.Roster.LastErrors);
    }
}

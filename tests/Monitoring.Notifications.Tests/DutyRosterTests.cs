using Microsoft.Extensions.Time.Testing;
using Monitoring.Notifications.Roster;

namespace Monitoring.Notifications.Tests;

public sealed class DutyRosterTests
{
    private readonly DutyRoster _roster = TestRoster.Parse();

    private static DateTimeOffset Shanghai(int day, int hour, int minute) => new(2026, 11, day, hour, minute, 0, TimeSpan.FromHours(8));

    [Theory]
    [InlineData(22, 19, 59, "day.officer")]
    [InlineData(22, 20, 0, "night.officer")]
    [InlineData(22, 23, 59, "night.officer")]
    [InlineData(23, 0, 0, "night.officer")]
    [InlineData(23, 7, 59, "night.officer")]
    [InlineData(23, 8, 0, "day.officer")]
    public void ChainFor_ShiftAcrossMidnightInShanghai_PicksTheOfficerOnDuty(int day, int hour, int minute, string expected)
    {
        var clock = new FakeTimeProvider(Shanghai(day, hour, minute).ToUniversalTime());

        var chain = _roster.ChainFor(TestRoster.Enterprise, "aluminium-casting", clock.GetUtcNow());

        Assert.Equal(expected, chain[0].Person.Id);
        Assert.Equal(ChainRole.OnDutyOfficer, chain[0].Role);
    }

    [Fact]
    public void ChainFor_FakeClockAdvancedOverMidnight_HandsOverAtTheShiftBoundaryNotAtUtcMidnight()
    {
        // 15:59 UTC is 23:59 in Shanghai; UTC midnight is 08:00 local, the real handover.
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 11, 22, 15, 59, 0, TimeSpan.Zero));
        Assert.Equal("night.officer", _roster.ChainFor(TestRoster.Enterprise, "steel", clock.GetUtcNow())[0].Person.Id);

        clock.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal("night.officer", _roster.ChainFor(TestRoster.Enterprise, "steel", clock.GetUtcNow())[0].Person.Id);

        clock.Advance(TimeSpan.FromHours(8));
        Assert.Equal("day.officer", _roster.ChainFor(TestRoster.Enterprise, "steel", clock.GetUtcNow())[0].Person.Id);
    }

    [Fact]
    public void ChainFor_EnterpriseInPark_IsOfficerDeputyParkCounty()
    {
        var chain = _roster.ChainFor(TestRoster.Enterprise, "aluminium-casting", TestRoster.DayTime);

        Assert.Equal(["day.officer", "deputy", "park.officer", "county.officer"], chain.Select(m => m.Person.Id));
        Assert.Equal([ChainRole.OnDutyOfficer, ChainRole.Deputy, ChainRole.ParkDutyOfficer, ChainRole.CountyDutyOfficer], chain.Select(m => m.Role));
    }

    [Fact]
    public void ChainFor_EnterpriseWithItsOwnDuty_BeatsTheCatchAllAndSkipsTheParkItIsNotIn()
    {
        var chain = _roster.ChainFor(TestRoster.OtherEnterprise, "steel", TestRoster.DayTime);

        Assert.Equal(["special.officer", "county.officer"], chain.Select(m => m.Person.Id));
    }

    [Fact]
    public void ChainFor_SamePersonInTwoRoles_IsListedOnce()
    {
        var roster = TestRoster.Parse(TestRoster.Yaml.Replace("officer: park.officer", "officer: deputy", StringComparison.Ordinal));

        var chain = roster.ChainFor(TestRoster.Enterprise, "aluminium-casting", TestRoster.DayTime);

        Assert.Equal(["day.officer", "deputy", "county.officer"], chain.Select(m => m.Person.Id));
    }

    [Fact]
    public void SystemOfficers_AtNight_AreTheNightCatchAllOfficerAndDeputy()
    {
        var officers = _roster.SystemOfficers(Shanghai(22, 22, 0));

        Assert.Equal(["night.officer", "deputy"], officers.Select(p => p.Id));
    }
}

using System.Globalization;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// The field conditions of the issue "Alarm truth in the field", reproduced on the real servers with the service
/// as a child process: a gateway clock minutes slow or fast (once silenced paging or rejected every reading), and
/// a kill -9 while the mould cooling-water alarm was active with an earlier episode in the replay window (once
/// published a false all-clear dated at that episode's clear, then a second raise of the continuing condition).
/// What the bus consumer sees is checked, event by event.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AlarmTruthFieldTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Rule = "DC_MOULD_WATER_PRESSURE";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private FaultScene _scene = null!;
    private long _seq;

    public async Task InitializeAsync() => _scene = await FaultScene.CreateAsync(servers, "truth");

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    private Task PublishAsync(Gateway gateway, long ts, string value) => gateway.PublishAsync(Gateway.Batch(++_seq, ts, (TestSite.PressureTag, value)));

    [Theory]
    [InlineData(-600)]
    [InlineData(600)]
    public async Task GatewayClockTenMinutesOff_LiveAlarm_IsPagedNotHistorical_AndTheSkewIsAlarmed(int aheadBySeconds)
    {
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, "AlarmRaised", "AlarmCleared");
        var offsetMs = aheadBySeconds * 1000L;
        await using var service = await ServiceProcess.StartAsync(_scene.Settings());
        await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway);

        // Normal readings first: the service learns the gateway's clock from them (a clock 10 minutes fast loses
        // its first three messages to future_timestamp while it does).
        // One reading every 100 ms of sensor time (distinct timestamps: an equal one would be a duplicate).
        var first = FaultScene.Now() + offsetMs;
        for (var i = 0; i < 5; i++)
            await PublishAsync(gateway, first + (i * 100), "0.30");
        var lowAt = first + 500;
        await PublishAsync(gateway, lowAt, "0.10");

        var all = await Eventually.MatchAsync(events.DrainAsync, e => e.Any(x => x.RuleId == Rule) && e.Any(x => x.RuleId == "GATEWAY_CLOCK_SKEW"), Wait,
            "the mould-water raise and the clock-skew alarm on the bus");
        output.WriteLine(string.Join(Environment.NewLine, all.Select(e => $"{e.Type} {e.RuleId} seq {e.Sequence} historical {e.Historical} at {e.OccurredAt:O} value {e.Value}")));

        var raise = Assert.Single(all, e => e.RuleId == Rule);
        Assert.Equal(("AlarmRaised", false, lowAt), (raise.Type, raise.Historical, raise.OccurredAt.ToUnixTimeMilliseconds()));
        var skew = Assert.Single(all, e => e.RuleId == "GATEWAY_CLOCK_SKEW");
        Assert.False(skew.Historical);
        Assert.InRange(skew.Value!.Value, aheadBySeconds - 5, aheadBySeconds + 5);
    }

    [Fact]
    public async Task ServiceKilledWhileAlarmActive_EarlierEpisodeInReplay_NoFalseClearNoSecondRaise_ThenOneClear()
    {
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, "AlarmRaised", "AlarmCleared");
        await using (var first = await ServiceProcess.StartAsync(_scene.Settings()))
        {
            await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway);
            // An earlier episode, raised and cleared; then the current one, still active at the kill.
            var t0 = FaultScene.Now();
            await PublishAsync(gateway, t0, "0.10");
            await PublishAsync(gateway, t0 + 100, "0.30");
            await PublishAsync(gateway, t0 + 200, "0.10");
            await PublishAsync(gateway, t0 + 300, "0.10");
            await Eventually.MatchAsync(() => _scene.CountStoredAsync(TestSite.Gateway), n => n >= 4, Wait, "4 readings stored before the kill");
            await Eventually.MatchAsync(async () => (await events.DrainAsync()).Count(e => e.RuleId == Rule), n => n >= 3, Wait, "raise, clear, raise on the bus before the kill");
            await first.KillAsync();
        }

        await using var second = await ServiceProcess.StartAsync(_scene.Settings());
        long normalAt;
        await using (var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway))
        {
            // Still low after the restart, then back to normal.
            var lowAt = FaultScene.Now();
            await PublishAsync(gateway, lowAt, "0.10");
            normalAt = lowAt + 100;
            await PublishAsync(gateway, normalAt, "0.30");
        }

        var all = await Eventually.MatchAsync(async () => (await events.DrainAsync()).Where(e => e.RuleId == Rule).ToList(),
            e => e.Any(x => x.Type == "AlarmCleared" && x.OccurredAt.ToUnixTimeMilliseconds() == normalAt), Wait, "the clear of the reading after the restart");
        output.WriteLine(string.Join(Environment.NewLine, all.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Type} seq {e.Sequence} at {e.OccurredAt:O}"))));

        // Exactly the truth, once each (a redelivery would repeat an eventId, not add a transition).
        var distinct = all.DistinctBy(e => e.EventId).OrderBy(e => e.Sequence).ToList();
        Assert.Equal(["AlarmRaised", "AlarmCleared", "AlarmRaised", "AlarmCleared"], distinct.Select(e => e.Type));
        Assert.Equal([1L, 2, 3, 4], distinct.Select(e => e.Sequence));
        Assert.Single(distinct.Select(e => e.AlarmId).Distinct());
        Assert.Equal(normalAt, distinct[3].OccurredAt.ToUnixTimeMilliseconds());
    }
}

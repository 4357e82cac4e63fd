using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// Rule state across a kill -9: the service is killed in the middle of an on-delay and after an alarm
/// that already returned to normal; the restarted service rebuilds its rule state from the stored
/// readings (RuleStateReplay), so the on-delay completes at the sensor time it would have without the
/// kill, and the finished alarm is not raised a second time.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RuleStateRestartTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private const string DelayedTag = "PIT.TEMP";
    private const string PromptTag = "PIT.LEVEL";
    private const long OnDelayMs = 60_000;

    private FaultScene _scene = null!;

    public async Task InitializeAsync()
    {
        _scene = await FaultScene.CreateAsync(servers, "replay");
        // The scene's site file, replaced by one with an on-delay long enough that no timer can mature it
        // between the readings before the kill and the kill itself.
        File.WriteAllText(_scene.Sites, $"""
            enterprise: {TestSite.Enterprise}
            name: Rule state restart test plant
            industry: aluminium-casting
            gateways:
              - id: {TestSite.Gateway}
                points:
                  - tag: {DelayedTag}
                    unit: °C
                    rules:
                      - id: PIT_TEMP_HIGH
                        type: limit
                        hh: 100
                        onDelay: 60s
                        priority: high
                  - tag: {PromptTag}
                    unit: mm
                    rules:
                      - id: PIT_LEVEL_HIGH
                        type: limit
                        hh: 100
                        priority: high
            """);
    }

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ServiceKilled_MidOnDelayAndAfterAFinishedAlarm_RestartCompletesTheDelayOnTimeAndRaisesNothingTwice()
    {
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, "AlarmRaised", "AlarmCleared");
        // Sensor time starts 90 s in the past, so that the whole sequence (70 s of sensor time) is never in
        // the future, and the raise (at t0 + 60 s) is less than a minute old when decided (not historical).
        var t0 = FaultScene.Now() - 90_000;
        long seq = 0;

        await using (var first = await ServiceProcess.StartAsync(Settings()))
        {
            await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway);
            // The prompt alarm: raised and returned to normal before the kill.
            await gateway.PublishAsync(Gateway.Batch(++seq, t0, (PromptTag, "150")));
            await gateway.PublishAsync(Gateway.Batch(++seq, t0 + 500, (PromptTag, "50")));
            // The delayed condition: true for 10 s of its 60 s on-delay.
            for (var s = 0; s <= 10; s++)
                await gateway.PublishAsync(Gateway.Batch(++seq, t0 + (s * 1000), (DelayedTag, "150")));
            await Eventually.MatchAsync(() => _scene.CountStoredAsync(TestSite.Gateway), n => n >= 13, TimeSpan.FromSeconds(30), "13 readings stored before the kill");
            await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= 2, TimeSpan.FromSeconds(30), "the prompt alarm raised and cleared before the kill");
            await first.KillAsync();
        }

        var beforeRestart = await events.DrainAsync();
        Assert.Equal(1, beforeRestart.Count(e => e.Type == "AlarmRaised"));

        await using var second = await ServiceProcess.StartAsync(Settings());
        await using (var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway))
        {
            // The condition goes on holding after the restart, reading by reading up to t0 + 70 s.
            for (var s = 11; s <= 70; s++)
                await gateway.PublishAsync(Gateway.Batch(++seq, t0 + (s * 1000), (DelayedTag, "150")));
        }

        var raised = await Eventually.MatchAsync(() => RaisedAtAsync(second), at => at is not null, TimeSpan.FromSeconds(30), "the delayed alarm raised after the restart");
        await Eventually.MatchAsync(
            async () => (await events.DrainAsync()).Count(e => e.Type == "AlarmRaised"), n => n >= 2, TimeSpan.FromSeconds(30), "the delayed alarm's event on the bus");
        var all = await events.DrainAsync();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"delayed alarm raised at t0 + {(raised!.Value.ToUnixTimeMilliseconds() - t0) / 1000.0:F1} s (expected t0 + {OnDelayMs / 1000} s); events: {string.Join(", ", all.Select(e => e.Type))}"));

        // Without the replay the on-delay would have restarted at t0 + 11 s and completed at t0 + 71 s.
        Assert.Equal(t0 + OnDelayMs, raised.Value.ToUnixTimeMilliseconds());
        // One raise each: the prompt alarm was not raised again by the replay, the delayed one only once.
        Assert.Equal(2, all.Where(e => e.Type == "AlarmRaised").Select(e => e.AlarmId).Distinct().Count());
        Assert.Equal(2, all.Count(e => e.Type == "AlarmRaised"));
    }

    // The gateway's data is up to 90 s old on purpose (so that none of it is in the future): to the service its
    // clock looks slow. Not this test's subject, so the clock-skew diagnostic is kept out of the event counts.
    private Dictionary<string, string> Settings()
    {
        var settings = _scene.Settings();
        settings["Monitoring:Pipeline:ClockSkewLimit"] = "01:00:00";
        return settings;
    }

    private static async Task<DateTimeOffset?> RaisedAtAsync(ServiceProcess service)
    {
        var alarms = await service.Http.GetFromJsonAsync<JsonElement>("/api/alarms");
        foreach (var alarm in alarms.EnumerateArray())
        {
            if (alarm.GetProperty("ruleId").GetString() == "PIT_TEMP_HIGH")
                return alarm.GetProperty("raisedAt").GetDateTimeOffset();
        }

        return null;
    }
}

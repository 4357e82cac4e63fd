using System.Net;
using System.Net.Http.Json;
using Monitoring.Contracts;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// kill -9 in the middle of a disposal loop and of a major-hazard record, on the real servers: the alarm was signed for,
/// returned to normal and disposed of, its hazard's rectification planned, and the process is killed as the API answers
/// (the events may still be in the outbox). After the restart a new raise of the same condition is a new alarm that
/// joins the same hazard record, the first alarm is verified and closed out, and on the bus every step is there once:
/// one event id per (alarm or hazard, sequence), sequences without gaps, nothing opened twice.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DisposalCrashTests(RealServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] EventTypes =
    [
        "AlarmRaised", "AlarmCleared", "AlarmAcknowledged", "AlarmEscalated", "AlarmDisposed", "AlarmDisposalReturned", "AlarmDisposalVerified",
        "AlarmClosedOut", "AlarmDisposalOverdue", "HazardOpened", "HazardReopened", "HazardRectificationPlanned", "HazardRectified",
        "HazardRectificationReturned", "HazardVerified", "HazardClosedOut", "HazardOverdue",
    ];

    private readonly string _officerKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
    private readonly string _supervisorKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
    private FaultScene _scene = null!;

    public async Task InitializeAsync() => _scene = await FaultScene.CreateAsync(servers, "dispose-crash");

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    private Dictionary<string, string> Settings() =>
        ServiceUnderTest.WithApiKeys(_scene.Settings(), ("duty-li", "duty-officer", _officerKey), ("park-zhao", "supervisor", _supervisorKey));

    private static async Task PostOkAsync(ServiceProcess service, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        using var response = await service.Http.SendAsync(request);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public async Task ServiceKilled_MidDisposalAndMidRectification_AfterRestartEveryStepOnceAndTheRecurrenceJoinsTheSameHazard()
    {
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, EventTypes);
        long seq = 0;
        Guid alarmId, hazardId;
        await using (var first = await ServiceProcess.StartAsync(Settings()))
        {
            await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway);
            await gateway.PublishAsync(Gateway.Batch(++seq, FaultScene.Now(), (TestSite.PressureTag, "0.05")));
            var opened = await Eventually.MatchAsync(events.DrainAsync, e => e.Any(x => x.Type == "AlarmRaised") && e.Any(x => x.Type == "HazardOpened"), Patience, "the alarm and its hazard record");
            alarmId = opened.Single(e => e.Type == "AlarmRaised").AlarmId;
            hazardId = opened.Single(e => e.Type == "HazardOpened").AlarmId;

            await PostOkAsync(first, $"/api/alarms/{alarmId}/acknowledge", new { comment = "crew at pit 1" }, _officerKey);
            await gateway.PublishAsync(Gateway.Batch(++seq, FaultScene.Now(), (TestSite.PressureTag, "0.30")));
            await Eventually.MatchAsync(events.DrainAsync, e => e.Any(x => x.Type == "AlarmCleared"), Patience, "back to normal");
            await PostOkAsync(first, $"/api/alarms/{alarmId}/dispose",
                new { cause = "equipment-fault", description = "strainer of pump P-2 blocked", measures = "strainer cleaned", evidence = new[] { "photo:1" } }, _officerKey);
            await PostOkAsync(first, $"/api/hazards/{hazardId}/plan",
                new { measures = "replace the strainer, add a dP alarm", owner = "王伟", rectifyBy = TimeProvider.System.GetUtcNow().AddDays(7) }, _officerKey);

            // Killed as soon as the API has answered: the steps are committed, perhaps not yet published.
            await first.KillAsync();
        }

        await using var second = await ServiceProcess.StartAsync(Settings());
        await using (var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _scene.TopicRoot, TestSite.Enterprise, TestSite.Gateway))
            await gateway.PublishAsync(Gateway.Batch(++seq, FaultScene.Now(), (TestSite.PressureTag, "0.05")));
        var raised = await Eventually.MatchAsync(events.DrainAsync, e => e.Where(x => x.Type == "AlarmRaised").Select(x => x.AlarmId).Distinct().Count() == 2, Patience, "the new raise after the restart");
        var secondAlarm = raised.Where(x => x.Type == "AlarmRaised").Select(x => x.AlarmId).Distinct().Single(id => id != alarmId);
        await PostOkAsync(second, $"/api/alarms/{alarmId}/verify", new { comment = "现场核查属实" }, _supervisorKey);
        var all = await Eventually.MatchAsync(events.DrainAsync, e => e.Any(x => x.Type == "AlarmClosedOut") && e.Any(x => x.Type == "HazardRectificationPlanned"), Patience, "closed out");
        var hazard = await second.Http.GetFromJsonAsync<System.Text.Json.JsonElement>(new Uri($"/api/hazards/{hazardId}", UriKind.Relative));

        // One event id per (alarm or hazard, sequence), and that id the deterministic one: nothing repeated as a new event.
        foreach (var group in all.GroupBy(e => (e.AlarmId, e.Sequence)))
        {
            var id = Assert.Single(group.Select(e => e.EventId).Distinct());
            Assert.Equal(AlarmEventIds.For(group.Key.AlarmId, group.Key.Sequence), id);
        }

        string[] Steps(Guid id) => [.. all.Where(e => e.AlarmId == id).DistinctBy(e => e.EventId).OrderBy(e => e.Sequence).Select(e => e.Type)];
        long[] Sequences(Guid id) => [.. all.Where(e => e.AlarmId == id).Select(e => e.Sequence).Distinct().Order()];
        Assert.Equal(["AlarmRaised", "AlarmAcknowledged", "AlarmCleared", "AlarmDisposed", "AlarmDisposalVerified", "AlarmClosedOut"], Steps(alarmId));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), Sequences(alarmId));
        Assert.Equal(["AlarmRaised"], Steps(secondAlarm));
        // The recurrence while the rectification is planned joins the record: no second HazardOpened, no reopening.
        Assert.Equal(["HazardOpened", "HazardRectificationPlanned"], Steps(hazardId));
        Assert.Equal("planned", hazard.GetProperty("hazard").GetProperty("state").GetString());
        Assert.Equal(2, hazard.GetProperty("hazard").GetProperty("alarmCount").GetInt32());
        Assert.Equal([alarmId, secondAlarm], hazard.GetProperty("hazard").GetProperty("alarms").EnumerateArray().Select(a => a.GetGuid()));
    }
}

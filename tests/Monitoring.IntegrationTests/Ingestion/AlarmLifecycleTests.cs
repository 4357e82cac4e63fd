using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// Operator actions on the real servers: acknowledge, shelve, unshelve, each authenticated, audited
/// and published on RabbitMQ in sequence order; an unauthenticated write is refused.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class AlarmLifecycleTests(RealServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private readonly string _topicRoot = $"it/{RealServers.UniqueName("life")}/mon/v1";
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("life"));
    private readonly string _officerKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
    private readonly string _viewerKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));
    private string _database = "";
    private string _virtualHost = "";
    private string _sites = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("life");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("life");
        _sites = TestSite.Write(Path.Combine(_work, "sites"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private Dictionary<string, string> Settings()
    {
        var settings = ServiceUnderTest.RealServerSettings(servers, _topicRoot, RealServers.UniqueName("svc"), _database, _virtualHost, Path.Combine(_work, "data"), _sites);
        settings["Monitoring:Security:ApiKeys:0:Name"] = "officer-wang";
        settings["Monitoring:Security:ApiKeys:0:Role"] = "duty-officer";
        settings["Monitoring:Security:ApiKeys:0:Key"] = _officerKey;
        settings["Monitoring:Security:ApiKeys:1:Name"] = "viewer-li";
        settings["Monitoring:Security:ApiKeys:1:Role"] = "viewer";
        settings["Monitoring:Security:ApiKeys:1:Key"] = _viewerKey;
        return settings;
    }

    private static async Task<HttpResponseMessage> PostAsync(ServiceUnderTest service, string path, object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        if (key is not null)
            request.Headers.Add("X-Api-Key", key);
        return await service.Http.SendAsync(request);
    }

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task Acknowledge_ActiveAlarm_PublishesAcknowledgedAuditsAndClosesOnClear()
    {
        await using var listener = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword,
            "AlarmRaised", "AlarmAcknowledged", "AlarmCleared");
        await using var service = await ServiceUnderTest.StartAsync(Settings());
        await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, TestSite.Gateway);
        var ts = Now() - 5000;

        await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.1")));
        var alarmId = (await listener.NextAsync("AlarmRaised", Patience)).GetProperty("message").GetProperty("alarmId").GetGuid();

        // Refused without a key, and for a role that may only read.
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostAsync(service, $"/api/alarms/{alarmId}/acknowledge", new { comment = "x" }, null)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await PostAsync(service, $"/api/alarms/{alarmId}/acknowledge", new { comment = "x" }, _viewerKey)).StatusCode);

        var response = await PostAsync(service, $"/api/alarms/{alarmId}/acknowledge", new { comment = "crew sent to pit 1" }, _officerKey);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var view = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("acknowledged", view.GetProperty("state").GetString());

        var acknowledged = (await listener.NextAsync("AlarmAcknowledged", Patience)).GetProperty("message");
        Assert.Equal(alarmId, acknowledged.GetProperty("alarmId").GetGuid());
        Assert.Equal(2, acknowledged.GetProperty("sequence").GetInt64());
        Assert.Equal("officer-wang", acknowledged.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("crew sent to pit 1", acknowledged.GetProperty("comment").GetString());

        var audit = Assert.Single((await service.GetJsonAsync("/api/audit")).EnumerateArray());
        Assert.Equal("officer-wang", audit.GetProperty("actor").GetString());
        Assert.Equal("acknowledge", audit.GetProperty("action").GetString());

        // Acknowledged and then back to normal: the alarm is closed.
        await gateway.PublishAsync(Gateway.Batch(2, ts + 1000, (TestSite.PressureTag, "0.18")));
        var cleared = (await listener.NextAsync("AlarmCleared", Patience)).GetProperty("message");
        Assert.Equal(3, cleared.GetProperty("sequence").GetInt64());
        await Eventually.MatchAsync(() => service.GetJsonAsync("/api/alarms"), a => a.GetArrayLength() == 0, Patience, "alarm closed");
    }

    [Fact]
    public async Task ClosedAlarm_IsKeptInTheHistoryWithTheTrailThatWasPublished_AcrossARestart()
    {
        await using var listener = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword,
            "AlarmRaised", "AlarmAcknowledged", "AlarmCleared");
        // Without the disposal loop an alarm closes when it has ended (DisposalEndToEndTests has the loop's history).
        var settings = Settings();
        settings["Monitoring:Alarms:Disposal:Enabled"] = "false";
        var service = await ServiceUnderTest.StartAsync(settings);
        Guid alarmId;
        string[] published;
        try
        {
            await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, TestSite.Gateway);
            var ts = Now() - 5000;
            await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.1")));
            var raised = (await listener.NextAsync("AlarmRaised", Patience)).GetProperty("message");
            alarmId = raised.GetProperty("alarmId").GetGuid();
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(service, $"/api/alarms/{alarmId}/acknowledge", new { comment = "crew sent to pit 1" }, _officerKey)).StatusCode);
            var acknowledged = (await listener.NextAsync("AlarmAcknowledged", Patience)).GetProperty("message");
            await gateway.PublishAsync(Gateway.Batch(2, ts + 1000, (TestSite.PressureTag, "0.18")));
            var cleared = (await listener.NextAsync("AlarmCleared", Patience)).GetProperty("message");
            published = [.. new[] { raised, acknowledged, cleared }.Select(e => e.GetProperty("eventId").GetString()!)];
            await Eventually.MatchAsync(() => service.GetJsonAsync("/api/alarms"), a => a.GetArrayLength() == 0, Patience, "alarm closed");
        }
        finally
        {
            await service.DisposeAsync();
        }

        // A new run on the same data folder: the closed alarm is still there, with the events the bus carried.
        await using var restarted = await ServiceUnderTest.StartAsync(settings);
        var page = await restarted.GetJsonAsync($"/api/alarms/history?state=closed&enterprise={TestSite.Enterprise}");
        var item = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.True(item.GetProperty("closed").GetBoolean());
        Assert.Equal(alarmId, item.GetProperty("alarm").GetProperty("alarmId").GetGuid());
        Assert.Equal("officer-wang", item.GetProperty("alarm").GetProperty("acknowledgedBy").GetString());
        Assert.Empty((await restarted.GetJsonAsync("/api/alarms/history?state=open")).GetProperty("items").EnumerateArray());

        var detail = await restarted.GetJsonAsync($"/api/alarms/history/{alarmId}");
        var events = detail.GetProperty("events").EnumerateArray().ToList();
        Assert.Equal(["AlarmRaised", "AlarmAcknowledged", "AlarmCleared"], events.Select(e => e.GetProperty("type").GetString()));
        Assert.Equal(published, events.Select(e => e.GetProperty("event").GetProperty("eventId").GetString()));
        Assert.Equal("acknowledge", Assert.Single(detail.GetProperty("audit").EnumerateArray()).GetProperty("action").GetString());

        var csv = await restarted.GetTextAsync("/api/alarms/history?format=csv");
        Assert.Contains($"{alarmId},{TestSite.Enterprise},", csv, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, (await restarted.Http.GetAsync(new Uri("/api/alarms/history?level=9", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task Shelve_ThenUnshelve_PublishesBothWithReasonAndExpiry_AndRefusesAShelfWithoutReason()
    {
        await using var listener = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword,
            "AlarmRaised", "AlarmShelved", "AlarmUnshelved");
        await using var service = await ServiceUnderTest.StartAsync(Settings());
        await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, TestSite.Gateway);

        await gateway.PublishAsync(Gateway.Batch(1, Now() - 1000, (TestSite.PressureTag, "0.1")));
        var alarmId = (await listener.NextAsync("AlarmRaised", Patience)).GetProperty("message").GetProperty("alarmId").GetGuid();

        Assert.Equal(HttpStatusCode.BadRequest, (await PostAsync(service, $"/api/alarms/{alarmId}/shelve", new { reason = "", minutes = 30 }, _officerKey)).StatusCode);

        var shelve = await PostAsync(service, $"/api/alarms/{alarmId}/shelve", new { reason = "sensor replaced, recalibrating", minutes = 30 }, _officerKey);
        Assert.Equal(HttpStatusCode.OK, shelve.StatusCode);
        Assert.Equal("shelved", (await shelve.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("state").GetString());
        var shelved = (await listener.NextAsync("AlarmShelved", Patience)).GetProperty("message");
        Assert.Equal("sensor replaced, recalibrating", shelved.GetProperty("reason").GetString());
        Assert.Equal(2, shelved.GetProperty("sequence").GetInt64());
        var until = shelved.GetProperty("shelvedUntil").GetDateTimeOffset();
        Assert.InRange(until - TimeProvider.System.GetUtcNow(), TimeSpan.FromMinutes(28), TimeSpan.FromMinutes(31));

        Assert.Equal(HttpStatusCode.OK, (await PostAsync(service, $"/api/alarms/{alarmId}/unshelve", new { reason = "done" }, _officerKey)).StatusCode);
        var unshelved = (await listener.NextAsync("AlarmUnshelved", Patience)).GetProperty("message");
        Assert.Equal("manual", unshelved.GetProperty("reason").GetString());
        Assert.Equal(3, unshelved.GetProperty("sequence").GetInt64());

        var actions = (await service.GetJsonAsync("/api/audit")).EnumerateArray().Select(a => a.GetProperty("action").GetString()).ToArray();
        Assert.Equal(new[] { "unshelve", "shelve" }, actions);
    }
}

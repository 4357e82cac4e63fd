using System.Globalization;
using System.Text.Json;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// The whole path on the real servers: gateway -> Mosquitto -> service -> InfluxDB, rules -> RabbitMQ.
/// Each test has its own topic root, client id, database, virtual host and data folder.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class EndToEndTests(RealServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _topicRoot = $"it/{RealServers.UniqueName("e2e")}/mon/v1";
    private readonly string _clientId = RealServers.UniqueName("svc");
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("e2e"));
    private string _database = "";
    private string _virtualHost = "";
    private string _sites = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("e2e");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("e2e");
        _sites = TestSite.Write(Path.Combine(_work, "sites"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private Dictionary<string, string> Settings() =>
        ServiceUnderTest.RealServerSettings(servers, _topicRoot, _clientId, _database, _virtualHost, Path.Combine(_work, "data"), _sites);

    private Task<Gateway> ConnectGatewayAsync(string gateway = TestSite.Gateway) =>
        Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, gateway);

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task<long> CountStoredAsync(string field = "value")
    {
        var rows = await servers.QueryInfluxAsync(_database, $"SELECT count({field}) FROM telemetry");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    [Fact]
    public async Task Telemetry_PublishedToMosquitto_IsInInfluxDbWithContractMeasurementTagsFieldsAndMilliseconds()
    {
        await using var service = await ServiceUnderTest.StartAsync(Settings());
        await using var gateway = await ConnectGatewayAsync();
        var ts = Now() - 1000;

        await gateway.PublishAsync($$"""
            {"seq":1,"ts":{{ts}},"points":[
              {"tag":"CAST1.MOULD.WATER.P","v":0.182},
              {"tag":"CAST1.FAST_CUTOFF.CLOSED","v":false,"ts":{{ts - 500}}},
              {"tag":"CAST1.LAUNDER.LEVEL","v":null,"q":2}
            ]}
            """);

        var rows = await Eventually.MatchAsync(
            () => servers.QueryInfluxAsync(_database, "SELECT * FROM telemetry"),
            r => r.Count == 3, Patience, "three readings in InfluxDB");

        var byPoint = rows.ToDictionary(r => r["point"].GetString()!);
        var pressure = byPoint["CAST1.MOULD.WATER.P"];
        Assert.Equal(TestSite.Enterprise, pressure["ent"].GetString());
        Assert.Equal(TestSite.Gateway, pressure["gw"].GetString());
        Assert.Equal(0.182, pressure["value"].GetDouble());
        Assert.Equal(ts, pressure["time"].GetInt64());
        Assert.Equal(JsonValueKind.Null, pressure["quality"].ValueKind);

        var cutoff = byPoint["CAST1.FAST_CUTOFF.CLOSED"];
        Assert.False(cutoff["state"].GetBoolean());
        Assert.Equal(ts - 500, cutoff["time"].GetInt64());

        var level = byPoint["CAST1.LAUNDER.LEVEL"];
        Assert.Equal(2, level["quality"].GetInt64());
        Assert.Equal(JsonValueKind.Null, level["value"].ValueKind);
        Assert.Equal(ts, level["time"].GetInt64());
    }

    [Fact]
    public async Task LimitCrossing_PublishesAlarmRaisedThenAlarmCleared_OnTheRealRabbitMqExchanges()
    {
        await using var listener = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, "AlarmRaised", "AlarmCleared");
        await using var service = await ServiceUnderTest.StartAsync(Settings());
        await using var gateway = await ConnectGatewayAsync();
        var ts = Now() - 3000;

        await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.182")));
        await gateway.PublishAsync(Gateway.Batch(2, ts + 1000, (TestSite.PressureTag, "0.1")));

        var raisedEnvelope = await listener.NextAsync("AlarmRaised", Patience);
        var raised = raisedEnvelope.GetProperty("message");
        Assert.Equal("DC_MOULD_WATER_PRESSURE", raised.GetProperty("ruleId").GetString());
        Assert.Equal(1, raised.GetProperty("ruleVersion").GetInt32());
        Assert.Equal(1, raised.GetProperty("sequence").GetInt64());
        Assert.Equal(TestSite.Enterprise, raised.GetProperty("enterprise").GetString());
        Assert.Equal(TestSite.Gateway, raised.GetProperty("gateway").GetString());
        Assert.Equal(TestSite.PressureTag, raised.GetProperty("tags")[0].GetString());
        Assert.Equal("Casting pit 1 mould cooling water", raised.GetProperty("equipment").GetString());
        Assert.Equal("aluminium-casting", raised.GetProperty("industry").GetString());
        Assert.Equal("critical", raised.GetProperty("priority").GetString());
        Assert.Equal(2, raised.GetProperty("level").GetInt32());
        Assert.True(raised.GetProperty("majorHazard").GetBoolean());
        Assert.StartsWith("令10号 第五条", raised.GetProperty("clause").GetString(), StringComparison.Ordinal);
        Assert.Equal(0.1, raised.GetProperty("value").GetDouble());
        Assert.Equal(0.14, raised.GetProperty("limit").GetDouble());
        Assert.Equal("MPa", raised.GetProperty("unit").GetString());
        Assert.False(string.IsNullOrEmpty(raised.GetProperty("condition").GetProperty("zh").GetString()));
        Assert.False(string.IsNullOrEmpty(raised.GetProperty("condition").GetProperty("en").GetString()));
        Assert.Equal(ts + 1000, raised.GetProperty("occurredAt").GetDateTimeOffset().ToUnixTimeMilliseconds());
        Assert.True(raised.GetProperty("detectedAt").GetDateTimeOffset() >= raised.GetProperty("occurredAt").GetDateTimeOffset());
        Assert.False(raised.GetProperty("historical").GetBoolean());
        Assert.False(raised.GetProperty("simulated").GetBoolean());
        var context = raised.GetProperty("context");
        Assert.Equal(2, context.GetArrayLength());
        Assert.Equal(0.1, context[1].GetProperty("v").GetDouble());
        var alarmId = raised.GetProperty("alarmId").GetGuid();
        var raisedEventId = raised.GetProperty("eventId").GetGuid();
        Assert.NotEqual(alarmId, raisedEventId);
        // MassTransit's message id is the event id, so transport-level dedupe works too.
        Assert.Equal(raisedEventId, raisedEnvelope.GetProperty("messageId").GetGuid());

        var active = await service.GetJsonAsync("/api/alarms");
        Assert.Equal(alarmId, Assert.Single(active.EnumerateArray()).GetProperty("alarmId").GetGuid());

        await gateway.PublishAsync(Gateway.Batch(3, ts + 2000, (TestSite.PressureTag, "0.181")));

        var cleared = (await listener.NextAsync("AlarmCleared", Patience)).GetProperty("message");
        Assert.Equal(alarmId, cleared.GetProperty("alarmId").GetGuid());
        Assert.Equal(2, cleared.GetProperty("sequence").GetInt64());
        Assert.NotEqual(raisedEventId, cleared.GetProperty("eventId").GetGuid());
        Assert.Equal(0.181, cleared.GetProperty("value").GetDouble());
        Assert.Equal(ts + 2000, cleared.GetProperty("occurredAt").GetDateTimeOffset().ToUnixTimeMilliseconds());

        // Nobody acknowledged it: it stays listed as returned-to-normal-unacknowledged (ISA-18.2).
        var listed = Assert.Single((await service.GetJsonAsync("/api/alarms")).EnumerateArray());
        Assert.Equal("returned-to-normal-unacknowledged", listed.GetProperty("state").GetString());
    }

    [Fact]
    public async Task ActiveAlarm_SurvivesRestart_IsNotRaisedAgain_AndClearsWithTheSameAlarmId()
    {
        await using var listener = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, "AlarmRaised", "AlarmCleared");
        var ts = Now() - 5000;
        Guid alarmId;
        await using (var service = await ServiceUnderTest.StartAsync(Settings()))
        await using (var gateway = await ConnectGatewayAsync())
        {
            await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.1")));
            alarmId = (await listener.NextAsync("AlarmRaised", Patience)).GetProperty("message").GetProperty("alarmId").GetGuid();
        }

        await using var restarted = await ServiceUnderTest.StartAsync(Settings());
        Assert.Equal(alarmId, Assert.Single((await restarted.GetJsonAsync("/api/alarms")).EnumerateArray()).GetProperty("alarmId").GetGuid());
        await using var again = await ConnectGatewayAsync();
        // The first reading after the restart is already normal: the restored rule state must clear the alarm.
        await again.PublishAsync(Gateway.Batch(2, ts + 1000, (TestSite.PressureTag, "0.18")));

        var cleared = (await listener.NextAsync("AlarmCleared", Patience)).GetProperty("message");
        Assert.Equal(alarmId, cleared.GetProperty("alarmId").GetGuid());
        Assert.Equal(2, cleared.GetProperty("sequence").GetInt64());
        Assert.Equal(0, listener.Pending("AlarmRaised"));
    }

    [Fact]
    public async Task BadInput_MalformedMessageAndOneBadPoint_GoodPointsStoredAndRejectsCountedAndReadable()
    {
        await using var service = await ServiceUnderTest.StartAsync(Settings());
        await using var gateway = await ConnectGatewayAsync();
        var ts = Now() - 1000;

        await gateway.PublishAsync("{\"seq\":1,\"points\":[{\"tag\":\"A\",\"v\":1}"); // truncated JSON
        await gateway.PublishAsync($$"""{"seq":2,"ts":{{ts}},"points":[{"tag":"GOOD.1","v":1.5},{"tag":"bad tag!","v":2},{"tag":"GOOD.2","v":true}]}""");

        await Eventually.MatchAsync(() => servers.QueryInfluxAsync(_database, "SELECT * FROM telemetry"), r => r.Count == 2, Patience, "the two good points stored");
        var stored = await servers.QueryInfluxAsync(_database, "SELECT * FROM telemetry");
        Assert.Equal(["GOOD.1", "GOOD.2"], stored.Select(r => r["point"].GetString()!).Order(StringComparer.Ordinal).ToArray());

        var letters = await Eventually.MatchAsync(() => service.GetJsonAsync("/api/deadletters"), d => d.GetArrayLength() == 2, Patience, "two dead letters");
        var reasons = letters.EnumerateArray().Select(l => l.GetProperty("reason").GetString()!).Order(StringComparer.Ordinal).ToArray();
        Assert.Equal(new[] { "invalid_json", "invalid_tag" }, reasons);
        var badPoint = letters.EnumerateArray().Single(l => l.GetProperty("reason").GetString() == "invalid_tag");
        Assert.Contains("bad tag!", badPoint.GetProperty("raw").GetString(), StringComparison.Ordinal);
        Assert.Equal(1, badPoint.GetProperty("pointIndex").GetInt32());

        var gateways = await service.GetJsonAsync("/api/gateways");
        var rejections = Assert.Single(gateways.EnumerateArray()).GetProperty("rejections");
        Assert.Equal(1, rejections.GetProperty("invalid_json").GetInt64());
        Assert.Equal(1, rejections.GetProperty("invalid_tag").GetInt64());

        var metrics = await service.GetTextAsync("/metrics");
        Assert.Contains("reason=\"invalid_tag\"", metrics, StringComparison.Ordinal);
        Assert.Contains("reason=\"invalid_json\"", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MessagesPublishedWhileServiceStopped_AreDeliveredAfterRestart_NoneLost()
    {
        // The first run creates the persistent session; the broker then queues for it while it is away.
        await (await ServiceUnderTest.StartAsync(Settings())).DisposeAsync();

        const int Messages = 200;
        var ts = Now() - 60_000;
        await using (var gateway = await ConnectGatewayAsync())
        {
            for (var i = 0; i < Messages; i++)
                await gateway.PublishAsync(Gateway.Batch(i, ts + i, ("OFFLINE.P", (i * 0.5).ToString(CultureInfo.InvariantCulture))));
        }

        await using var service = await ServiceUnderTest.StartAsync(Settings());
        var count = await Eventually.MatchAsync(() => CountStoredAsync(), c => c >= Messages, Patience, $"{Messages} readings after restart");
        Assert.Equal(Messages, count);
    }

    [Fact]
    public async Task Burst_FarAboveSustainedRate_IsAbsorbedAndFullyStored_AndBrokerQueueIsInMetrics()
    {
        await using var service = await ServiceUnderTest.StartAsync(Settings());
        const int Gateways = 4, MessagesPerGateway = 2500, PointsPerMessage = 20;
        var ts = Now() - 120_000;

        // Four gateways publish 200 000 readings as fast as the broker takes them: a few seconds of
        // traffic that a normal plant sends in hours, with up to 200 QoS 1 publishes in flight each.
        var publishers = Enumerable.Range(0, Gateways).Select(async g =>
        {
            await using var gateway = await ConnectGatewayAsync($"burst{g}");
            var inFlight = new List<Task>();
            for (var m = 0; m < MessagesPerGateway; m++)
            {
                var points = Enumerable.Range(0, PointsPerMessage).Select(p => ($"B.{p}", (m + p).ToString(CultureInfo.InvariantCulture))).ToArray();
                inFlight.Add(gateway.PublishAsync(Gateway.Batch(m, ts + m, points)));
                if (inFlight.Count >= 200)
                {
                    await Task.WhenAll(inFlight);
                    inFlight.Clear();
                }
            }

            await Task.WhenAll(inFlight);
        });
        await Task.WhenAll(publishers);

        const long Expected = (long)Gateways * MessagesPerGateway * PointsPerMessage;
        var stored = await Eventually.MatchAsync(() => CountStoredAsync(), c => c >= Expected, TimeSpan.FromMinutes(3), $"{Expected} readings stored");
        Assert.Equal(Expected, stored);

        // Mosquitto reports its queue and drops through $SYS (sys_interval 1), which the service exports.
        var metrics = await Eventually.MatchAsync(() => service.GetTextAsync("/metrics"),
            m => m.Contains("monitoring_broker_queued_messages", StringComparison.Ordinal) && m.Contains("monitoring_broker_dropped_messages", StringComparison.Ordinal),
            Patience, "broker queue metrics");
        Assert.Contains("monitoring_pipeline_queued_messages", metrics, StringComparison.Ordinal);
    }
}

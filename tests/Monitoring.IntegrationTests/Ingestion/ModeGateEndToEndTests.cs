using System.Globalization;
using System.Text.Json;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// Fail-safe mode gates through the service on the real servers (Mosquitto, InfluxDB, RabbitMQ): a bad mode
/// signal keeps the gated rule armed and raises MODE_SIGNAL_UNAVAILABLE; a gate that closes clears with
/// <c>cause: mode-gate</c>; suppression is listed at <c>/api/conditions</c> and counted in the metric.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ModeGateEndToEndTests(RealServers servers) : IAsyncLifetime
{
    private const string Enterprise = "91440300TESTGATE01";
    private const string GatewayId = "gw03";
    private const string Casting = "CAST2.PHASE.CASTING";
    private const string Pressure = "CAST2.MOULD.WATER.P";
    private const string RuleId = "PIT2_MOULD_WATER_LOW";
    private const string SuppressedMetric = "monitoring_rules_suppressed_by_mode_total";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _topicRoot = $"it/{RealServers.UniqueName("gate")}/mon/v1";
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("gate"));
    private string _database = "";
    private string _virtualHost = "";
    private string _sites = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("gate");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("gate");
        var folder = Path.Combine(_work, "sites");
        Directory.CreateDirectory(folder);
        _sites = Path.Combine(folder, "gated-site.yaml");
        await File.WriteAllTextAsync(_sites, $"""
            enterprise: {Enterprise}
            name: Integration test casting plant with a mode gate
            industry: aluminium-casting
            gateways:
              - id: {GatewayId}
                points:
                  - {"{"} tag: {Casting}, description: "Casting in progress (boolean)" {"}"}
                  - {"{"} tag: {Pressure}, unit: MPa, equipment: Casting pit 2 mould cooling water {"}"}
                rules:
                  - id: {RuleId}
                    type: limit
                    signals: {"{"} value: {Pressure}, casting: {Casting} {"}"}
                    armedWhen: {"{"} casting: 1 {"}"}
                    parameters: {"{"} ll: 0.14 {"}"}
                    priority: critical
                    majorHazard: true
            """);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private Task<ServiceUnderTest> StartServiceAsync() => ServiceUnderTest.StartAsync(
        ServiceUnderTest.RealServerSettings(servers, _topicRoot, RealServers.UniqueName("svc"), _database, _virtualHost, Path.Combine(_work, "data"), _sites));

    private Task<BusListener> ListenAsync() =>
        BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, "AlarmRaised", "AlarmCleared");

    private Task<Gateway> ConnectGatewayAsync() => Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, Enterprise, GatewayId);

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    private static string Batch(long seq, long ts, string points) =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{seq}},"ts":{{ts}},"points":[{{points}}]}""");

    /// <summary>The next <paramref name="count"/> events of a type, by rule id (their order between rules is not part of the contract).</summary>
    private static async Task<Dictionary<string, JsonElement>> NextByRuleAsync(BusListener listener, string type, int count)
    {
        var events = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
        while (events.Count < count)
        {
            var message = (await listener.NextAsync(type, Patience)).GetProperty("message");
            events[message.GetProperty("ruleId").GetString()!] = message;
        }

        return events;
    }

    private static double SuppressedCount(string metrics)
    {
        // "name{labels} value [timestamp]"
        var line = metrics.Split('\n').SingleOrDefault(l => l.StartsWith(SuppressedMetric, StringComparison.Ordinal));
        if (line is null)
            return 0;
        var rest = line[(line.Contains('}', StringComparison.Ordinal) ? line.IndexOf('}', StringComparison.Ordinal) + 1 : SuppressedMetric.Length)..];
        return double.Parse(rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task GateSignalBad_DangerousValue_GatedAlarmStillRaised_AndModeSignalUnavailableRaised()
    {
        await using var listener = await ListenAsync();
        await using var service = await StartServiceAsync();
        await using var gateway = await ConnectGatewayAsync();

        // The casting bit is bad (a broken transmitter, a PLC link down): it must not disarm the mould-water alarm.
        await gateway.PublishAsync(Batch(1, Now() - 1000, $$"""{"tag":"{{Casting}}","v":null,"q":2},{"tag":"{{Pressure}}","v":0.1}"""));

        var raised = await NextByRuleAsync(listener, "AlarmRaised", 2);
        var alarm = raised[RuleId];
        Assert.Equal([Pressure], alarm.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal(0.1, alarm.GetProperty("value").GetDouble());
        Assert.Equal("critical", alarm.GetProperty("priority").GetString());
        Assert.True(alarm.GetProperty("majorHazard").GetBoolean());

        var diagnostic = raised["MODE_SIGNAL_UNAVAILABLE"];
        Assert.Equal([Casting], diagnostic.GetProperty("tags").EnumerateArray().Select(t => t.GetString()));
        Assert.Equal("high", diagnostic.GetProperty("priority").GetString());
        Assert.Equal(1, diagnostic.GetProperty("level").GetInt32());
        Assert.False(diagnostic.GetProperty("majorHazard").GetBoolean());
        Assert.Equal(JsonValueKind.Null, diagnostic.GetProperty("value").ValueKind);
        Assert.Contains("gated alarms kept armed", diagnostic.GetProperty("condition").GetProperty("en").GetString(), StringComparison.Ordinal);

        // Both listed as active conditions, neither suppressed.
        var conditions = await service.GetJsonAsync("/api/conditions");
        var listed = conditions.EnumerateArray().ToDictionary(c => c.GetProperty("key").GetString()!);
        Assert.True(listed[$"{Enterprise}/{GatewayId}/{Casting}/@mode/MODE_SIGNAL_UNAVAILABLE"].GetProperty("active").GetBoolean());
        Assert.True(listed[$"{Enterprise}/{GatewayId}/{Pressure}/{RuleId}/LL"].GetProperty("active").GetBoolean());
        Assert.Empty((await service.GetJsonAsync("/api/conditions?suppressedOnly=true")).EnumerateArray());
    }

    [Fact]
    public async Task GateClosesWithActiveAlarm_ClearedWithModeGateCause_ThenSuppressionListedAndCounted()
    {
        await using var listener = await ListenAsync();
        await using var service = await StartServiceAsync();
        await using var gateway = await ConnectGatewayAsync();
        var ts = Now() - 10_000;

        await gateway.PublishAsync(Batch(1, ts, $$"""{"tag":"{{Casting}}","v":true},{"tag":"{{Pressure}}","v":0.1}"""));
        var raised = (await listener.NextAsync("AlarmRaised", Patience)).GetProperty("message");
        Assert.Equal(RuleId, raised.GetProperty("ruleId").GetString());
        var before = SuppressedCount(await service.GetTextAsync("/metrics"));

        // Casting ends: the mould water is shut off on purpose. The clear says it is not a return to normal.
        await gateway.PublishAsync(Batch(2, ts + 1000, $$"""{"tag":"{{Casting}}","v":false}"""));
        var cleared = (await listener.NextAsync("AlarmCleared", Patience)).GetProperty("message");
        Assert.Equal(raised.GetProperty("alarmId").GetGuid(), cleared.GetProperty("alarmId").GetGuid());
        Assert.Equal("mode-gate", cleared.GetProperty("cause").GetString());
        Assert.Equal(0.1, cleared.GetProperty("value").GetDouble());

        // Still in alarm with the gate closed: suppressed, visible and counted, never silent.
        await gateway.PublishAsync(Batch(3, ts + 2000, $$"""{"tag":"{{Casting}}","v":false},{"tag":"{{Pressure}}","v":0.09}"""));
        var suppressed = await Eventually.MatchAsync(
            () => service.GetJsonAsync("/api/conditions?suppressedOnly=true"),
            c => c.GetArrayLength() == 1, Patience, "the suppressed condition listed");
        var condition = suppressed.EnumerateArray().Single();
        Assert.Equal($"{Enterprise}/{GatewayId}/{Pressure}/{RuleId}/LL", condition.GetProperty("key").GetString());
        Assert.True(condition.GetProperty("suppressedByMode").GetBoolean());
        Assert.False(condition.GetProperty("active").GetBoolean());
        await Eventually.MatchAsync(() => service.GetTextAsync("/metrics"), m => SuppressedCount(m) >= before + 2, Patience, "the suppression counted");

        // Back in casting with the pressure normal: a real return to normal says so.
        await gateway.PublishAsync(Batch(4, ts + 3000, $$"""{"tag":"{{Casting}}","v":true}"""));
        Assert.Equal(cleared.GetProperty("alarmId").GetGuid(), (await listener.NextAsync("AlarmRaised", Patience)).GetProperty("message").GetProperty("alarmId").GetGuid());
        await gateway.PublishAsync(Batch(5, ts + 4000, $$"""{"tag":"{{Casting}}","v":true},{"tag":"{{Pressure}}","v":0.2}"""));
        Assert.Equal("normal", (await listener.NextAsync("AlarmCleared", Patience)).GetProperty("message").GetProperty("cause").GetString());
    }
}

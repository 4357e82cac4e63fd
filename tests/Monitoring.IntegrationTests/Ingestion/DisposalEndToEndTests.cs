using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Simulators.Accept;
using Monitoring.Simulators.Cli;
using Monitoring.Simulators.Gateway;
using Monitoring.Simulators.Scenarios;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// The disposal loop on the real servers (docs/disposal.md): the library's mould-water scenario raises the alarm on the
/// demo casting plant; it goes overdue for sign-for, is signed for, goes overdue for its report, is disposed of with a
/// cause, returned once by the supervising officer, disposed of again, verified and closed out. Every step is an event
/// on RabbitMQ in the alarm's sequence; bad requests change nothing; the closed alarm and its trail are in the history
/// after a restart. The alarm is a major hazard (令10号 第五条): it opens the record of its hazard in the register, which
/// goes overdue for its plan, is planned, rectified, returned, rectified again, verified and closed out, each step an
/// event on RabbitMQ in the record's sequence, and the record with its trail is there after the restart.
/// Deadlines are configured in seconds so that they pass on the real clock.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class DisposalEndToEndTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly string[] EventTypes =
    [
        "AlarmRaised", "AlarmCleared", "AlarmAcknowledged", "AlarmEscalated", "AlarmDisposed", "AlarmDisposalReturned",
        "AlarmDisposalVerified", "AlarmClosedOut", "AlarmDisposalOverdue",
        "HazardOpened", "HazardReopened", "HazardRectificationPlanned", "HazardRectified", "HazardRectificationReturned", "HazardVerified",
        "HazardClosedOut", "HazardOverdue",
    ];

    private readonly string _topicRoot = $"it/{RealServers.UniqueName("dispose")}/mon/v1";
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("dispose"));
    private readonly string _officerKey = Key();
    private readonly string _supervisorKey = Key();
    private string _database = "";
    private string _virtualHost = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("dispose");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("dispose");
        Directory.CreateDirectory(_work);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private static string Key() => Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    private static string RepoRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    private Dictionary<string, string> Settings()
    {
        var settings = ServiceUnderTest.RealServerSettings(servers, _topicRoot, RealServers.UniqueName("svc"), _database, _virtualHost,
            Path.Combine(_work, "data"), Path.Combine(RepoRoot(), "src", "Monitoring.Ingestion", "sites"));
        ServiceUnderTest.WithApiKeys(settings, ("duty-li", "duty-officer", _officerKey), ("park-zhao", "supervisor", _supervisorKey));
        // Sign for within 2 s, report within 5 s of the raise: both pass while the test waits for them.
        settings["Monitoring:Alarms:Escalation:Critical:AcknowledgeWithin"] = "00:00:02";
        settings["Monitoring:Alarms:Disposal:Critical:DisposeWithin"] = "00:00:05";
        // The hazard's plan is due within 3 s of its opening, checked twice a second.
        settings["Monitoring:Hazards:PlanWithin"] = "00:00:03";
        settings["Monitoring:Hazards:CheckEvery"] = "00:00:00.500";
        return settings;
    }

    private static async Task<HttpResponseMessage> PostAsync(ServiceUnderTest service, string path, object body, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative)) { Content = JsonContent.Create(body) };
        request.Headers.Add("X-Api-Key", key);
        return await service.Http.SendAsync(request);
    }

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call)
    {
        using var response = await call;
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task RefusedAsync(Task<HttpResponseMessage> call, HttpStatusCode status, string detailPart)
    {
        using var response = await call;
        Assert.Equal(status, response.StatusCode);
        if (detailPart.Length > 0)
            Assert.Contains(detailPart, await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MouldWaterAlarm_SignedForDisposedReturnedDisposedVerified_IsClosedOut_AndItsHazardRecordRectifiedVerifiedClosed_EveryStepOnTheBusInSequence()
    {
        await using var bus = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, EventTypes);
        await using var watcher = new RabbitAlarmWatcher(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword);
        await watcher.StartAsync(CancellationToken.None);
        var service = await ServiceUnderTest.StartAsync(Settings());
        Guid alarmId, hazardId;
        List<(string Type, JsonElement Message)> trail, hazardTrail;
        try
        {
            // The library's scenario, as an integrator runs it: the alarm is raised within its 2 s.
            var scenario = CommandLine.LoadScenarios([Path.Combine(RepoRoot(), "simulators", "Monitoring.Simulators", "scenarios", "dc-mould-water-pressure-loss.yaml")]);
            var report = await new AcceptRunner(watcher, new AcceptOptions
            {
                Run = new RunOptions { Broker = new BrokerEndpoint(servers.MqttHost, servers.MqttPort), TopicRoot = _topicRoot, Speed = 20 },
                Timeout = TimeSpan.FromSeconds(20),
                Log = output.WriteLine,
            }).RunAsync(scenario, CancellationToken.None);
            Assert.True(report.Success);
            alarmId = Guid.Parse(watcher.Snapshot().First(a => a.RuleId == "DC_MOULD_WATER_PRESSURE" && a.Level == 1).AlarmId, CultureInfo.InvariantCulture);
            bool Mine(JsonElement m) => m.GetProperty("alarmId").GetGuid() == alarmId;
            bool Has(IReadOnlyList<(string Type, JsonElement Message)> taken, string type, string? step = null) =>
                taken.Any(t => t.Type == type && Mine(t.Message) && (step is null || t.Message.GetProperty("step").GetString() == step));
            var taken = await bus.TakeUntilAsync(t => Has(t, "AlarmDisposalOverdue", "sign-for") && Has(t, "AlarmCleared"), Patience, "overdue for sign-for, and back to normal");

            // 签收 overdue, then signed for; the report goes overdue 5 s after the raise.
            var view = await OkAsync(PostAsync(service, $"/api/alarms/{alarmId}/acknowledge", new { comment = "crew at pit 1" }, _officerKey));
            Assert.Equal("dispose", view.GetProperty("disposal").GetProperty("step").GetString());
            taken.AddRange(await bus.TakeUntilAsync(t => Has(t, "AlarmDisposalOverdue", "dispose"), Patience, "overdue for its report"));
            var listed = Assert.Single((await service.GetJsonAsync("/api/disposals?overdue=true")).EnumerateArray(), a => a.GetProperty("alarmId").GetGuid() == alarmId);
            Assert.True(listed.GetProperty("disposal").GetProperty("overdue").GetBoolean());

            // Bad requests are answered and change nothing.
            var report1 = new { cause = "equipment-fault", description = "strainer of pump P-2 blocked", measures = "strainer cleaned, pump P-2 restarted", evidence = new[] { "photo:cast1-strainer-1" } };
            await RefusedAsync(PostAsync(service, $"/api/alarms/{alarmId}/dispose", report1 with { cause = "bad-luck" }, _officerKey), HttpStatusCode.BadRequest, "'cause' must be one of");
            await RefusedAsync(PostAsync(service, $"/api/alarms/{alarmId}/dispose", new { cause = "other", description = "d", measures = "m" }, _officerKey), HttpStatusCode.BadRequest, "causeText");
            await RefusedAsync(PostAsync(service, $"/api/alarms/{alarmId}/dispose", report1, _supervisorKey), HttpStatusCode.Forbidden, "");
            await RefusedAsync(PostAsync(service, $"/api/alarms/{alarmId}/verify", new { }, _supervisorKey), HttpStatusCode.Conflict, "no disposal report awaits verification");

            // 处置, 核查 returned, 处置 again, 核查 approved: 销号.
            await OkAsync(PostAsync(service, $"/api/alarms/{alarmId}/dispose", report1, _officerKey));
            await RefusedAsync(PostAsync(service, $"/api/alarms/{alarmId}/verify", new { }, _officerKey), HttpStatusCode.Forbidden, "");
            await RefusedAsync(PostAsync(service, $"/api/alarms/{alarmId}/return", new { reason = " " }, _supervisorKey), HttpStatusCode.BadRequest, "reason");
            await OkAsync(PostAsync(service, $"/api/alarms/{alarmId}/return", new { reason = "add a photo after cleaning" }, _supervisorKey));
            await OkAsync(PostAsync(service, $"/api/alarms/{alarmId}/dispose", report1 with { evidence = new[] { "photo:cast1-strainer-1", "photo:cast1-strainer-2" } }, _officerKey));
            var closed = await OkAsync(PostAsync(service, $"/api/alarms/{alarmId}/verify", new { comment = "现场核查属实" }, _supervisorKey));
            Assert.Equal("closed-out", closed.GetProperty("disposal").GetProperty("step").GetString());
            Assert.Equal("park-zhao", closed.GetProperty("disposal").GetProperty("closedOutBy").GetString());

            taken.AddRange(await bus.TakeUntilAsync(t => Has(t, "AlarmClosedOut"), Patience, "closed out"));
            trail = [.. taken.Where(t => t.Type.StartsWith("Alarm", StringComparison.Ordinal) && Mine(t.Message)).OrderBy(t => t.Message.GetProperty("sequence").GetInt64())];
            Assert.DoesNotContain((await service.GetJsonAsync("/api/disposals")).EnumerateArray(), a => a.GetProperty("alarmId").GetGuid() == alarmId);

            // The major-hazard record the alarm opened (or joined: the low-low stage of the same rule is the same hazard).
            var hazard = Assert.Single((await service.GetJsonAsync("/api/hazards?open=true")).EnumerateArray(),
                h => h.GetProperty("alarms").EnumerateArray().Any(a => a.GetGuid() == alarmId));
            hazardId = hazard.GetProperty("hazardId").GetGuid();
            Assert.Equal("Casting pit 1 mould cooling water", hazard.GetProperty("equipment").GetString());
            Assert.StartsWith("令10号 第五条", hazard.GetProperty("clause").GetString(), StringComparison.Ordinal);
            Assert.Equal(Monitoring.Contracts.HazardIds.For(hazard.GetProperty("enterprise").GetString()!, hazard.GetProperty("clause").GetString(), "Casting pit 1 mould cooling water"), hazardId);
            bool MyHazard(JsonElement m) => m.TryGetProperty("hazardId", out var h) && h.GetGuid() == hazardId;
            bool HasHazard(IReadOnlyList<(string Type, JsonElement Message)> t, string type) => t.Any(e => e.Type == type && MyHazard(e.Message));
            if (!HasHazard(taken, "HazardOverdue"))
                taken.AddRange(await bus.TakeUntilAsync(t => HasHazard(t, "HazardOverdue"), Patience, "the hazard overdue for its plan"));
            var board = await service.GetJsonAsync("/api/hazards/board");
            Assert.True(board.GetProperty("overdue").GetInt32() >= 1);

            var hazardPath = $"/api/hazards/{hazardId}";
            var rectifyBy = TimeProvider.System.GetUtcNow().AddDays(7);
            await RefusedAsync(PostAsync(service, $"{hazardPath}/plan", new { measures = "m", owner = "Wang Wei" }, _officerKey), HttpStatusCode.BadRequest, "rectifyBy");
            await RefusedAsync(PostAsync(service, $"{hazardPath}/plan", new { measures = "m", owner = "Wang Wei", rectifyBy = TimeProvider.System.GetUtcNow().AddDays(-1) }, _officerKey), HttpStatusCode.BadRequest, "in the future");
            await RefusedAsync(PostAsync(service, $"{hazardPath}/rectify", new { description = "d", evidence = new[] { "photo:1" } }, _officerKey), HttpStatusCode.Conflict, "plan the rectification");
            var planned = await OkAsync(PostAsync(service, $"{hazardPath}/plan", new { measures = "replace the inlet strainer of pump P-2 and add a differential-pressure alarm", owner = "王伟", rectifyBy }, _officerKey));
            Assert.Equal("planned", planned.GetProperty("state").GetString());
            Assert.False(planned.GetProperty("overdue").GetBoolean());
            await RefusedAsync(PostAsync(service, $"{hazardPath}/rectify", new { description = "done", evidence = Array.Empty<string>() }, _officerKey), HttpStatusCode.BadRequest, "evidence");
            await OkAsync(PostAsync(service, $"{hazardPath}/rectify", new { description = "strainer replaced", evidence = new[] { "photo:p2-strainer" } }, _officerKey));
            await RefusedAsync(PostAsync(service, $"{hazardPath}/verify", new { }, _officerKey), HttpStatusCode.Forbidden, "");
            await OkAsync(PostAsync(service, $"{hazardPath}/return", new { reason = "no record of the differential-pressure alarm test" }, _supervisorKey));
            await OkAsync(PostAsync(service, $"{hazardPath}/rectify", new { description = "strainer replaced; dP alarm tested at 0.05 MPa", evidence = new[] { "photo:p2-strainer", "doc:dp-test" } }, _officerKey));
            await RefusedAsync(PostAsync(service, $"{hazardPath}/close-out", new { }, _supervisorKey), HttpStatusCode.Conflict, "only a verified");
            await OkAsync(PostAsync(service, $"{hazardPath}/verify", new { comment = "现场核查属实" }, _supervisorKey));
            var closedHazard = await OkAsync(PostAsync(service, $"{hazardPath}/close-out", new { comment = "销号" }, _supervisorKey));
            Assert.Equal("closed", closedHazard.GetProperty("state").GetString());
            Assert.False(closedHazard.GetProperty("open").GetBoolean());

            taken.AddRange(await bus.TakeUntilAsync(t => HasHazard(t, "HazardClosedOut"), Patience, "the hazard closed out"));
            hazardTrail = [.. taken.Where(t => MyHazard(t.Message)).OrderBy(t => t.Message.GetProperty("sequence").GetInt64())];
            var csv = await service.GetTextAsync("/api/hazards?format=csv");
            Assert.Contains(hazardId.ToString(), csv, StringComparison.Ordinal);
        }
        finally
        {
            await service.DisposeAsync();
        }

        // Each step once, numbered 1..n without a gap, with the ids a consumer can recompute; the loop's steps in order.
        Assert.Equal(Enumerable.Range(1, trail.Count).Select(i => (long)i), trail.Select(t => t.Message.GetProperty("sequence").GetInt64()));
        Assert.All(trail, t => Assert.Equal(Monitoring.Contracts.AlarmEventIds.For(alarmId, t.Message.GetProperty("sequence").GetInt64()), t.Message.GetProperty("eventId").GetGuid()));
        Assert.Single(trail, t => t.Type == "AlarmCleared");
        Assert.Equal(
            ["AlarmRaised", "AlarmDisposalOverdue", "AlarmAcknowledged", "AlarmDisposalOverdue", "AlarmDisposed", "AlarmDisposalReturned", "AlarmDisposed", "AlarmDisposalVerified", "AlarmClosedOut"],
            trail.Where(t => t.Type is not "AlarmCleared").Select(t => t.Type));
        var disposals = trail.Where(t => t.Type == "AlarmDisposed").Select(t => t.Message).ToList();
        Assert.Equal([1, 2], disposals.Select(d => d.GetProperty("attempt").GetInt32()));
        Assert.All(disposals, d => Assert.Equal("duty-li", d.GetProperty("disposedBy").GetString()));
        Assert.Equal("add a photo after cleaning", trail.Single(t => t.Type == "AlarmDisposalReturned").Message.GetProperty("reason").GetString());
        Assert.Equal("equipment-fault", trail[^1].Message.GetProperty("cause").GetString());

        // After a restart the history has it closed, with the trail the bus carried and every action audited.
        await using var restarted = await ServiceUnderTest.StartAsync(Settings());
        var detail = await restarted.GetJsonAsync($"/api/alarms/history/{alarmId}");
        Assert.True(detail.GetProperty("alarm").GetProperty("closed").GetBoolean());
        Assert.Equal(trail.Select(t => t.Message.GetProperty("eventId").GetString()),
            detail.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetProperty("eventId").GetString()));
        Assert.Equal(["acknowledge", "dispose", "return-disposal", "dispose", "verify-disposal"],
            detail.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("action").GetString()));
        Assert.Equal("closed-out", detail.GetProperty("alarm").GetProperty("alarm").GetProperty("disposal").GetProperty("step").GetString());

        // The hazard: each step once on the bus, in its own sequence 1..n with recomputable ids, and after the restart
        // the record is closed, with the same trail and every officer's action audited.
        Assert.Equal(Enumerable.Range(1, hazardTrail.Count).Select(i => (long)i), hazardTrail.Select(t => t.Message.GetProperty("sequence").GetInt64()));
        Assert.All(hazardTrail, t => Assert.Equal(Monitoring.Contracts.AlarmEventIds.For(hazardId, t.Message.GetProperty("sequence").GetInt64()), t.Message.GetProperty("eventId").GetGuid()));
        Assert.Equal(
            ["HazardOpened", "HazardOverdue", "HazardRectificationPlanned", "HazardRectified", "HazardRectificationReturned", "HazardRectified", "HazardVerified", "HazardClosedOut"],
            hazardTrail.Select(t => t.Type));
        Assert.Equal("plan", hazardTrail[1].Message.GetProperty("step").GetString());
        var record = await restarted.GetJsonAsync($"/api/hazards/{hazardId}");
        Assert.Equal("closed", record.GetProperty("hazard").GetProperty("state").GetString());
        Assert.Equal("park-zhao", record.GetProperty("hazard").GetProperty("closedOutBy").GetString());
        Assert.Equal(hazardTrail.Select(t => t.Message.GetProperty("eventId").GetString()),
            record.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("event").GetProperty("eventId").GetString()));
        Assert.Equal(["plan-rectification", "rectify", "return-rectification", "rectify", "verify-rectification", "close-out-hazard"],
            record.GetProperty("audit").EnumerateArray().Select(a => a.GetProperty("action").GetString()));
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Faults.Model;

/// <summary>
/// Runs one <see cref="FaultRound"/> against the real servers: a site with one gateway per schedule, the service as
/// a child process with InfluxDB and RabbitMQ behind <see cref="TcpFaultProxy"/>s, every gateway publishing its
/// schedule in real time (one reading per 250 ms, its clock offset applied), the faults at their ticks, and a durable
/// consumer queue bound before the service starts. Returns what the consumer received once every gateway's last
/// message was taken and the outbox is empty.
/// </summary>
internal sealed class ModelRoundRunner(RealServers servers, Action<string> log)
{
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(90);
    private const string Tag = "MODEL.T";

    /// <summary>The console log of every service process of the last round, for a failing round's report.</summary>
    public StringBuilder ServiceLog { get; } = new();

    public async Task<RoundOutcome> RunAsync(FaultRound round)
    {
        ServiceLog.Clear();
        var database = await servers.CreateInfluxDatabaseAsync("model");
        var virtualHost = await servers.CreateRabbitVirtualHostAsync("model");
        var work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("model"));
        var topicRoot = $"it/{RealServers.UniqueName("model")}/mon/v1";
        await using var store = new TcpFaultProxy(servers.InfluxUrl.Host, servers.InfluxUrl.Port);
        await using var bus = new TcpFaultProxy(servers.AmqpHost, servers.AmqpPort);
        var settings = ServiceUnderTest.RealServerSettings(servers, topicRoot, RealServers.UniqueName("svc"), database, virtualHost,
            Path.Combine(work, "data"), WriteSite(Path.Combine(work, "sites"), round));
        settings["Monitoring:Store:InfluxDb:Url"] = $"http://127.0.0.1:{store.Port.ToString(CultureInfo.InvariantCulture)}/";
        settings["Monitoring:Bus:Port"] = bus.Port.ToString(CultureInfo.InvariantCulture);

        var events = await EventQueue.DeclareAsync(servers, virtualHost, "AlarmRaised", "AlarmCleared");
        var service = await ServiceProcess.StartAsync(settings);
        var gateways = new List<Gateway>();
        try
        {
            foreach (var schedule in round.Schedules)
                gateways.Add(await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, topicRoot, TestSite.Enterprise, schedule.Gateway));

            // Tick 0 a moment from now, on a whole second: sensor time of reading i is start + offset + i × step.
            var start = ((FaultScene.Now() / 1000) + 2) * 1000;
            var firstTs = round.Schedules.ToDictionary(s => s.Gateway, s => start + s.ClockOffsetMs);
            var publishing = PublishAsync(round, gateways, start, firstTs);
            var faults = InjectAsync(round, start, store, bus, settings, s => service = s, () => service);
            await Task.WhenAll(publishing, faults);

            await SettleAsync(round, service, events);
            ServiceLog.Append(service.Output);
            return new RoundOutcome(await events.DrainAsync(), firstTs);
        }
        finally
        {
            foreach (var gateway in gateways)
                await gateway.DisposeAsync();
            await service.DisposeAsync();
            if (Directory.Exists(work))
                Directory.Delete(work, recursive: true);
        }
    }

    private static async Task PublishAsync(FaultRound round, List<Gateway> gateways, long start, Dictionary<string, long> firstTs)
    {
        for (var tick = 0; tick < round.Ticks; tick++)
        {
            await WaitUntilAsync(start + (tick * FaultSchedule.StepMs));
            await Task.WhenAll(round.Schedules.Select(async (schedule, i) =>
            {
                foreach (var publication in schedule.At(tick))
                {
                    var reading = publication.Reading;
                    var ts = firstTs[schedule.Gateway] + (reading * FaultSchedule.StepMs);
                    // seq is the reading's: a re-send is the same message.
                    var value = schedule.Values[reading].ToString(CultureInfo.InvariantCulture);
                    await gateways[i].PublishAsync(Gateway.Batch(reading + 1, ts, (Tag, value)));
                }
            }));
        }
    }

    private async Task InjectAsync(FaultRound round, long start, TcpFaultProxy store, TcpFaultProxy bus, Dictionary<string, string> settings,
        Action<ServiceProcess> replaced, Func<ServiceProcess> current)
    {
        foreach (var fault in round.Faults)
        {
            await WaitUntilAsync(start + (fault.AtTick * FaultSchedule.StepMs));
            var at = FaultScene.Now();
            switch (fault.Kind)
            {
                case FaultKind.Kill:
                    var killed = current();
                    await killed.KillAsync();
                    ServiceLog.Append(killed.Output).AppendLine().AppendLine("=== kill -9, start ===");
                    await killed.DisposeAsync();
                    replaced(await ServiceProcess.StartAsync(settings));
                    break;
                case FaultKind.StoreOutage or FaultKind.BusOutage:
                    var proxy = fault.Kind == FaultKind.StoreOutage ? store : bus;
                    proxy.Cut();
                    await WaitUntilAsync(at + (fault.Ticks * FaultSchedule.StepMs));
                    proxy.Restore();
                    break;
            }

            log(string.Create(CultureInfo.InvariantCulture, $"round {round.Round}: {fault.Kind} at tick {fault.AtTick} took {FaultScene.Now() - at} ms"));
        }
    }

    /// <summary>
    /// Done when every gateway's last message (the last reading, sent in order) was taken and the outbox is empty:
    /// every event the round causes is then on the bus.
    /// </summary>
    private static async Task SettleAsync(FaultRound round, ServiceProcess service, EventQueue events)
    {
        var last = round.Schedules.ToDictionary(s => s.Gateway, s => (long)s.Values.Count);
        await Eventually.MatchAsync(async () =>
        {
            using var document = JsonDocument.Parse(await service.GetTextAsync("/api/gateways"));
            return document.RootElement.EnumerateArray()
                .Count(g => last.TryGetValue(g.GetProperty("gateway").GetString()!, out var seq) && g.GetProperty("lastSeq").ValueKind == JsonValueKind.Number && g.GetProperty("lastSeq").GetInt64() == seq);
        }, n => n == last.Count, SettleTimeout, "every gateway's last message taken");
        await Eventually.MatchAsync(() => service.GetTextAsync("/metrics"), text => OutboxDepth(text) == 0, SettleTimeout, "the outbox empty");
        await events.DrainAsync();
    }

    private static double? OutboxDepth(string metrics) => metrics.Split('\n')
        .Where(l => l.StartsWith("monitoring_outbox_depth", StringComparison.Ordinal))
        .Select(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture))
        .Cast<double?>()
        .FirstOrDefault();

    private static async Task WaitUntilAsync(long unixMs)
    {
        // Pacing a real-time feed, not waiting for an outcome: the gateways publish on the wall clock.
        var wait = unixMs - FaultScene.Now();
        if (wait > 0)
            await Task.Delay(TimeSpan.FromMilliseconds(wait));
    }

    private static string WriteSite(string folder, FaultRound round)
    {
        Directory.CreateDirectory(folder);
        var yaml = new StringBuilder().Append(CultureInfo.InvariantCulture, $"""
            enterprise: {TestSite.Enterprise}
            name: Model-based fault test plant
            industry: aluminium-casting
            gateways:

            """);
        var model = FaultSchedule.Model;
        foreach (var schedule in round.Schedules)
        {
            yaml.Append(CultureInfo.InvariantCulture, $"""
                  - id: {schedule.Gateway}
                    points:
                      - tag: {Tag}
                        unit: °C
                        rules:
                          - id: {ModelChecker.Rule}
                            type: limit
                            hh: {model.Limit}
                            deadband: {model.Deadband}
                            onDelay: {model.OnDelayMs}ms
                            offDelay: {model.OffDelayMs}ms
                            priority: critical

                """);
        }

        var path = Path.Combine(folder, "model-site.yaml");
        File.WriteAllText(path, yaml.ToString());
        return path;
    }
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// The disk spool's quota reached for real: the service process with a spool of a few hundred KiB,
/// InfluxDB stopped under steady load. The spool fills, the service stops acknowledging (the broker
/// queues; the gateway still gets its PUBACKs from the broker, which is where MQTT back-pressure
/// ends), readiness says "spool full", the refusals are logged once and counted; when InfluxDB is back
/// the spool drains, acknowledgements resume, and every reading a gateway had acknowledged is stored.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class SpoolFullTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private const long MaxBytes = 256 * 1024;

    // Several segments under the quota, so replay frees room segment by segment.
    private const long SegmentBytes = 32 * 1024;

    private static readonly TimeSpan LoadTick = TimeSpan.FromMilliseconds(20);

    // At least this much load published while the spool is held full.
    private static readonly TimeSpan HeldFull = TimeSpan.FromSeconds(3);

    private FaultScene _scene = null!;

    public async Task InitializeAsync() => _scene = await FaultScene.CreateAsync(servers, "spoolfull");

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task SpoolQuota_InfluxDbStoppedUnderLoad_StopsAcknowledgingUntilDrainedAndStoresEveryAcknowledgedReading()
    {
        var settings = _scene.Settings();
        settings["Monitoring:Store:Spool:MaxBytes"] = MaxBytes.ToString(CultureInfo.InvariantCulture);
        settings["Monitoring:Store:Spool:SegmentBytes"] = SegmentBytes.ToString(CultureInfo.InvariantCulture);
        // The default 5 s back-off cap would make the drain time mostly waiting for the next probe.
        settings["Monitoring:Store:Spool:MaxRetryDelay"] = "00:00:01";
        await using var service = await ServiceProcess.StartAsync(settings, new LoggedErrors().Expect("Monitoring.Spool", "Disk spool full"));
        await using var load = await _scene.StartLoadAsync(FaultScene.Now() - 600_000, LoadTick);
        await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n > 0, TimeSpan.FromSeconds(30), "readings stored before the outage");

        Metrics atFull, heldFull;
        string spoolCheck;
        HttpStatusCode readyStatus;
        long gatewayAckedAtFull, gatewayAckedHeld;
        TimeSpan timeToFull, timeHeld;
        await servers.StopInfluxAsync();
        var outage = Stopwatch.StartNew();
        try
        {
            (readyStatus, spoolCheck) = await Eventually.MatchAsync(() => ReadyAsync(service), r => r.Check.StartsWith("Unhealthy", StringComparison.Ordinal),
                TimeSpan.FromSeconds(30), "spool check Unhealthy");
            timeToFull = outage.Elapsed;
            atFull = await Metrics.ReadAsync(service);
            gatewayAckedAtFull = load.ReadingsAcknowledged;

            // The broker keeps taking the gateway's messages; the service must take none of them off its
            // hands, through at least one more refused retry of the batch it holds.
            var heldReadings = gatewayAckedAtFull + (long)(HeldFull / LoadTick * load.ReadingsPerMessage);
            heldFull = await Eventually.MatchAsync(() => Metrics.ReadAsync(service),
                m => m.FullRefusals > atFull.FullRefusals && load.ReadingsAcknowledged >= heldReadings, TimeSpan.FromSeconds(20), "the spool held full under load");
            gatewayAckedHeld = load.ReadingsAcknowledged;
            timeHeld = outage.Elapsed - timeToFull;
        }
        finally
        {
            await servers.StartInfluxAsync();
        }

        var back = Stopwatch.StartNew();
        await Eventually.MatchAsync(() => Metrics.ReadAsync(service), m => m.SpoolBatches == 0 && m.SpoolFull == 0, TimeSpan.FromSeconds(60), "spool drained");
        var drain = back.Elapsed;
        var resumed = await Eventually.MatchAsync(() => Metrics.ReadAsync(service), m => m.Acknowledged > heldFull.Acknowledged,
            TimeSpan.FromSeconds(30), "acknowledgements resumed");
        var ackResumed = back.Elapsed;
        var (readyAfter, spoolAfter) = await Eventually.MatchAsync(() => ReadyAsync(service), r => r.Status == HttpStatusCode.OK,
            TimeSpan.FromSeconds(30), "ready again");

        // Keep the load on after the drain: the broker's backlog and new messages arrive together.
        await Eventually.MatchAsync(() => Task.FromResult(load.ReadingsAcknowledged), n => n >= gatewayAckedHeld + 5_000, TimeSpan.FromSeconds(30), "load after the drain");
        var published = await load.StopAsync() * load.ReadingsPerMessage;
        var stored = await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= published, TimeSpan.FromSeconds(60), $"{published} readings stored");
        var end = await Eventually.MatchAsync(() => Metrics.ReadAsync(service), m => m.Acknowledged >= published / load.ReadingsPerMessage,
            TimeSpan.FromSeconds(30), "every message acknowledged by the service");

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"spool full {timeToFull.TotalSeconds:F1} s after InfluxDB stopped: {atFull.SpoolBytes} bytes in {atFull.SpoolBatches} batches (limit {MaxBytes}), health {(int)readyStatus}, spool check \"{spoolCheck}\""));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"held full {timeHeld.TotalSeconds:F1} s: service acknowledged {atFull.Acknowledged} -> {heldFull.Acknowledged} messages while the gateway's PUBACKs went {gatewayAckedAtFull} -> {gatewayAckedHeld} readings; full refusals {atFull.FullRefusals} -> {heldFull.FullRefusals}; broker queue {heldFull.BrokerQueued} messages; 'Disk spool full' logged {service.CountLines("Disk spool full")} time(s)"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"InfluxDB back: spool drained in {drain.TotalSeconds:F1} s ({end.ReadingsReplayed} readings replayed in {end.BatchesReplayed} batches); acknowledgements resumed within {ackResumed.TotalSeconds:F1} s ({resumed.Acknowledged} messages); ready {(int)readyAfter} ({spoolAfter})"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"published (PUBACK) {published} readings, stored {stored}; service acknowledged {end.Acknowledged} messages"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, readyStatus);
        Assert.StartsWith("Unhealthy: spool full", spoolCheck, StringComparison.Ordinal);
        Assert.Equal(1, atFull.SpoolFull);
        Assert.InRange(atFull.SpoolBytes, MaxBytes / 2, MaxBytes);
        Assert.True(atFull.FullRefusals > 0, "no full refusal counted");
        Assert.Equal(atFull.Acknowledged, heldFull.Acknowledged);
        Assert.Equal(atFull.SpoolBytes, heldFull.SpoolBytes);
        // One error per episode, not one per refused retry.
        var fullLog = Assert.Single(service.Output.Split(Environment.NewLine), l => l.Contains("Disk spool full", StringComparison.Ordinal));
        Assert.StartsWith("fail: Monitoring.Spool", fullLog, StringComparison.Ordinal);
        Assert.True(end.BatchesReplayed > 0, "the spool replayed nothing");
        Assert.Equal(published, stored);
    }

    private static async Task<(HttpStatusCode Status, string Check)> ReadyAsync(ServiceProcess service)
    {
        using var response = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        var spool = body.RootElement.GetProperty("checks").GetProperty("spool");
        var description = spool.TryGetProperty("description", out var d) && d.ValueKind == JsonValueKind.String ? d.GetString() : null;
        return (response.StatusCode, $"{spool.GetProperty("status").GetString()}: {description}");
    }

    /// <summary>The figures this test reads from the service's Prometheus endpoint.</summary>
    private sealed record Metrics(long Acknowledged, long SpoolBytes, long SpoolBatches, long SpoolFull, long FullRefusals, long BatchesReplayed, long ReadingsReplayed, long BrokerQueued)
    {
        public static async Task<Metrics> ReadAsync(ServiceProcess service)
        {
            var text = await service.GetTextAsync("/metrics");
            return new Metrics(
                Sum(text, "monitoring_mqtt_messages_acknowledged_total"),
                Sum(text, "monitoring_spool_bytes"),
                Sum(text, "monitoring_spool_batches"),
                Sum(text, "monitoring_spool_full"),
                Sum(text, "monitoring_spool_full_refusals_total"),
                Sum(text, "monitoring_spool_batches_replayed_total"),
                Sum(text, "monitoring_spool_readings_replayed_total"),
                Sum(text, "monitoring_broker_queued_messages"));
        }

        /// <summary>Sum over every series of <paramref name="name"/> (0 when absent: a counter not yet incremented).</summary>
        private static long Sum(string text, string name)
        {
            double sum = 0;
            foreach (var line in text.Split('\n'))
            {
                if (line.Length <= name.Length || !line.StartsWith(name, StringComparison.Ordinal) || (line[name.Length] != ' ' && line[name.Length] != '{'))
                    continue;
                var value = line.AsSpan(line[name.Length] == '{' ? line.LastIndexOf('}') + 1 : name.Length).Trim();
                var space = value.IndexOf(' ');
                sum += double.Parse(space < 0 ? value : value[..space], NumberStyles.Float, CultureInfo.InvariantCulture);
            }

            return (long)sum;
        }
    }
}

using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Ingestion.Storage;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// InfluxDB stopped under load: readings go to the disk spool, are acknowledged, and reach InfluxDB
/// when it is back. The outage is 25 s rather than the issue's two minutes, to keep CI time
/// reasonable; the spool does not care how long (it is bounded by size, not time).
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class InfluxOutageTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(25);
    private readonly string _topicRoot = $"it/{RealServers.UniqueName("flt")}/mon/v1";
    private readonly string _clientId = RealServers.UniqueName("svc");
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("flt"));
    private string _database = "";
    private string _virtualHost = "";
    private string _sites = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("flt");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("flt");
        _sites = TestSite.Write(Path.Combine(_work, "sites"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<long> CountStoredAsync()
    {
        var rows = await servers.QueryInfluxAsync(_database, "SELECT count(value) FROM telemetry");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    [Fact]
    public async Task InfluxDbStopped_UnderLoad_ReadingsSpooledAndAllStoredWhenItReturns()
    {
        var settings = ServiceUnderTest.RealServerSettings(servers, _topicRoot, _clientId, _database, _virtualHost, Path.Combine(_work, "data"), _sites);
        await using var service = await ServiceUnderTest.StartAsync(settings);
        var spool = Assert.IsType<SpoolingTimeSeriesStore>(service.Services.GetRequiredService<ITimeSeriesStore>());
        await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, "load1");
        var firstTs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - 600_000;

        // 50 readings every 10 ms: about 5 000 readings a second when the broker keeps up.
        var load = LoadPublisher.Start(gateway, pointsPerMessage: 50, TimeSpan.FromMilliseconds(10), firstTs);
        await Eventually.MatchAsync(CountStoredAsync, c => c > 0, TimeSpan.FromSeconds(30), "readings stored before the outage");

        long publishedBeforeOutage, spooledBatches;
        await servers.StopInfluxAsync();
        try
        {
            publishedBeforeOutage = load.ReadingsPublished;
            await Eventually.MatchAsync(() => Task.FromResult(spool.PendingBatches), b => b > 0, TimeSpan.FromSeconds(20), "batches in the spool");
            await Task.Delay(Outage);
            spooledBatches = spool.PendingBatches;
        }
        finally
        {
            await servers.StartInfluxAsync();
        }

        var publishedDuringOutage = load.ReadingsPublished - publishedBeforeOutage;
        // Keep the load going after InfluxDB is back, so new readings queue behind the spooled ones.
        var publishedAtRestart = load.ReadingsPublished;
        await Eventually.MatchAsync(() => Task.FromResult(load.ReadingsPublished), n => n >= publishedAtRestart + 10_000,
            TimeSpan.FromSeconds(30), "load continuing after InfluxDB returned");
        var published = await load.StopAsync();

        var stored = await Eventually.MatchAsync(CountStoredAsync, c => c >= published, TimeSpan.FromSeconds(90), $"{published} readings stored");
        await spool.WaitUntilEmptyAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"published {published} readings ({publishedDuringOutage} during the {Outage.TotalSeconds} s outage); spooled batches at the end of the outage {spooledBatches}; replayed batches {spool.ReplayedBatches}; stored {stored}"));
        Assert.Equal(published, stored);
        Assert.True(spool.ReplayedBatches > 0, "the spool replayed nothing");
        Assert.True(publishedDuringOutage > 10_000, $"only {publishedDuringOutage} readings published during the outage: not under load");
    }
}

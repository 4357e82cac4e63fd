using System.Net;
using System.Net.Sockets;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// The default profile, as the README runs it: embedded MQTT broker, embedded SQLite store, in-memory
/// bus and the demo sites. Only the ports and the data folder are changed, so tests can run side by side.
/// </summary>
[Trait("Category", "Integration")]
public sealed class EmbeddedDefaultTests : IDisposable
{
    private readonly string _data = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("embedded"));

    public void Dispose()
    {
        if (Directory.Exists(_data))
            Directory.Delete(_data, recursive: true);
    }

    [Fact]
    public async Task DemoLimitCrossing_PublishedToEmbeddedBroker_IsListedAtApiAlarms()
    {
        var port = FreePort();
        await using var service = await ServiceUnderTest.StartAsync(new Dictionary<string, string>
        {
            ["Monitoring:DataDirectory"] = _data,
            ["Monitoring:Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        await using var gateway = await Gateway.ConnectAsync("127.0.0.1", port, "mon/v1", "91441800DEMODCCAST", "gw01");

        var ts = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        await gateway.PublishAsync(Gateway.Batch(1, ts, ("CAST1.MOULD.WATER.P", "0.10")));

        var alarms = await Eventually.MatchAsync(() => service.GetJsonAsync("/api/alarms"), a => a.GetArrayLength() == 2, TimeSpan.FromSeconds(10), "L and LL alarms listed");
        var first = alarms[0];
        Assert.Equal("DC_MOULD_WATER_PRESSURE", first.GetProperty("ruleId").GetString());
        Assert.Equal(2, first.GetProperty("level").GetInt32());
        Assert.Equal("critical", first.GetProperty("priority").GetString());

        var ready = await service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

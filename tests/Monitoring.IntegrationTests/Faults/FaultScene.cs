using System.Globalization;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// What one fault test owns on the shared servers: a topic root, a service client id (its persistent
/// session), an InfluxDB database, a RabbitMQ virtual host and a work folder with the test site.
/// </summary>
internal sealed class FaultScene
{
    public const string LoadGateway = "load1";

    private FaultScene(RealServers servers, string prefix, string database, string virtualHost, string work, string sites)
    {
        Servers = servers;
        TopicRoot = $"it/{RealServers.UniqueName(prefix)}/mon/v1";
        ClientId = RealServers.UniqueName("svc");
        Database = database;
        VirtualHost = virtualHost;
        Work = work;
        Sites = sites;
    }

    public RealServers Servers { get; }
    public string TopicRoot { get; }
    public string ClientId { get; }
    public string Database { get; }
    public string VirtualHost { get; }
    public string Work { get; }
    public string Sites { get; }
    public string DataDirectory => Path.Combine(Work, "data");

    public static async Task<FaultScene> CreateAsync(RealServers servers, string prefix)
    {
        var database = await servers.CreateInfluxDatabaseAsync(prefix);
        var virtualHost = await servers.CreateRabbitVirtualHostAsync(prefix);
        var work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName(prefix));
        return new FaultScene(servers, prefix, database, virtualHost, work, TestSite.Write(Path.Combine(work, "sites")));
    }

    public void Delete()
    {
        if (Directory.Exists(Work))
            Directory.Delete(Work, recursive: true);
    }

    public Dictionary<string, string> Settings() =>
        ServiceUnderTest.RealServerSettings(Servers, TopicRoot, ClientId, Database, VirtualHost, DataDirectory, Sites);

    public string TelemetryTopic(string gateway) => $"{TopicRoot}/{TestSite.Enterprise}/{gateway}/telemetry";

    /// <summary>
    /// Background load on gateway <see cref="LoadGateway"/>: 50 readings a message, one message a tick,
    /// message k at sensor time <paramref name="firstTs"/> + k ms, so every reading is a distinct point.
    /// </summary>
    public Task<SteadyPublisher> StartLoadAsync(long firstTs, TimeSpan tick) =>
        SteadyPublisher.StartAsync(Servers.MqttHost, Servers.MqttPort, TelemetryTopic(LoadGateway), k => LoadMessage(firstTs, k), 50, tick);

    /// <summary>Limit crossings on the test site's gateway, one reading a tick (see <see cref="AlarmTransitions"/>).</summary>
    public Task<SteadyPublisher> StartCrossingsAsync(long firstTs, TimeSpan tick) =>
        SteadyPublisher.StartAsync(Servers.MqttHost, Servers.MqttPort, TelemetryTopic(TestSite.Gateway), AlarmTransitions.Messages(firstTs), 1, tick);

    private static string LoadMessage(long firstTs, long k)
    {
        var points = new (string Tag, string Value)[50];
        for (var p = 0; p < points.Length; p++)
            points[p] = ($"LOAD.{p}", ((k * 7) + p).ToString(CultureInfo.InvariantCulture));
        return Gateway.Batch(k + 1, firstTs + k, points);
    }

    /// <summary>Readings of one gateway in InfluxDB, optionally only those at or after a sensor time.</summary>
    public async Task<long> CountStoredAsync(string gateway, long fromTs = 0)
    {
        var where = string.Create(CultureInfo.InvariantCulture, $"gw = '{gateway}' AND time >= {fromTs}ms");
        var rows = await Servers.QueryInfluxAsync(Database, $"SELECT count(value) FROM telemetry WHERE {where}");
        return rows.Count == 0 ? 0 : rows[0]["count"].GetInt64();
    }

    public static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
}

using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Monitoring.LoadTests;

/// <summary>
/// Mosquitto, InfluxDB and RabbitMQ for one load run, started through deploy/local/servers.sh in a
/// temporary work folder on free loopback ports (never the default ports someone else may be using),
/// and stopped at the end.
/// </summary>
public sealed class Servers : IAsyncDisposable
{
    private readonly string _script;
    private readonly Dictionary<string, string> _environment;
    private readonly Action<string> _log;

    private Servers(string script, string work, int brokerAutosaveSeconds, Action<string> log)
    {
        _script = script;
        _log = log;
        Work = work;
        MqttPort = FreePort();
        InfluxPort = FreePort();
        AmqpPort = FreePort();
        _environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["MON_WORK"] = work,
            ["MON_MQTT_PORT"] = Invariant(MqttPort),
            ["MON_INFLUX_PORT"] = Invariant(InfluxPort),
            ["MON_INFLUX_RPC_PORT"] = Invariant(FreePort()),
            ["MON_AMQP_PORT"] = Invariant(AmqpPort),
            ["MON_RABBIT_DIST_PORT"] = Invariant(FreePort()),
            // An epmd of our own: a shared one could be stopped under our node by another run.
            ["MON_EPMD_PORT"] = Invariant(FreePort()),
            ["MON_MQTT_AUTOSAVE"] = Invariant(brokerAutosaveSeconds),
        };
    }

    public string Work { get; }

    public int MqttPort { get; }

    public int InfluxPort { get; }

    public int AmqpPort { get; }

    public Uri InfluxUrl => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{InfluxPort}/"));

    public int? MosquittoPid => ReadPid(Path.Combine(Work, "mosquitto", "mosquitto.pid"));

    public int? InfluxPid => ReadPid(Path.Combine(Work, "influxdb", "influxd.pid"));

    public int? RabbitPid => ReadPid(Path.Combine(Work, "rabbitmq", "rabbitmq.pid"));

    public static async Task<Servers> StartAsync(string repositoryRoot, int brokerAutosaveSeconds, Action<string> log, CancellationToken cancellationToken)
    {
        var script = Path.Combine(repositoryRoot, "deploy", "local", "servers.sh");
        if (!File.Exists(script))
            throw new InvalidOperationException($"{script} is missing: run the load test from the repository (or pass --repo).");
        var work = Path.Combine(Path.GetTempPath(), "monitoring-load-" + Guid.NewGuid().ToString("N")[..10]);
        Directory.CreateDirectory(work);
        var servers = new Servers(script, work, brokerAutosaveSeconds, log);
        try
        {
            await servers.RunScriptAsync(cancellationToken, "install");
            await servers.RunScriptAsync(cancellationToken, "start", "all");
        }
        catch
        {
            await servers.DisposeAsync();
            throw;
        }

        return servers;
    }

    private async Task RunScriptAsync(CancellationToken cancellationToken, params string[] arguments)
    {
        var start = new ProcessStartInfo("bash") { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(_script);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        foreach (var (key, value) in _environment)
            start.Environment[key] = value;
        using var process = Process.Start(start) ?? throw new InvalidOperationException("bash did not start");
        var output = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var errors = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken);
        var text = (await output) + (await errors);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"servers.sh {string.Join(' ', arguments)} failed ({process.ExitCode}):{Environment.NewLine}{text}");
        _log($"servers.sh {string.Join(' ', arguments)}: ok");
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await RunScriptAsync(CancellationToken.None, "stop", "all");
            Directory.Delete(Work, recursive: true);
        }
        catch (Exception ex) when (ex is InvalidOperationException or IOException)
        {
            _log($"stopping the servers: {ex.Message} (work folder {Work} kept)");
        }
    }

    private static int? ReadPid(string file)
    {
        try
        {
            return int.TryParse(File.ReadAllText(file).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

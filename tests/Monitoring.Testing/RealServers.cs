using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Monitoring.Testing;

/// <summary>
/// Real mosquitto, influxd and rabbitmq-server for integration tests, started once per test
/// assembly (use it as a collection fixture) through deploy/local/servers.sh on free loopback
/// ports in a temporary work folder, and stopped and deleted at the end.
/// MON_TEST_MQTT (host:port), MON_TEST_INFLUX (url) and MON_TEST_AMQP (host:port) point it at
/// servers that are already running instead; it then starts nothing of that kind.
/// </summary>
public sealed class RealServers : IAsyncLifetime
{
    private const string Loopback = "127.0.0.1";
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromMinutes(4);

    private readonly bool ownsMosquitto;
    private readonly bool ownsInflux;
    private readonly bool ownsRabbit;
    private readonly string? workFolder;
    private readonly string? script;
    private readonly Dictionary<string, string> scriptEnvironment = new(StringComparer.Ordinal);
    private readonly Uri rabbitManagementUrl;
    private readonly HttpClient http = new() { Timeout = TimeSpan.FromSeconds(30) };
    // Start/stop of one server while a vhost is being added would race on the same node.
    private readonly SemaphoreSlim scriptGate = new(1, 1);
    private int disposed;

    public RealServers()
    {
        var mqtt = Environment.GetEnvironmentVariable("MON_TEST_MQTT");
        var influx = Environment.GetEnvironmentVariable("MON_TEST_INFLUX");
        var amqp = Environment.GetEnvironmentVariable("MON_TEST_AMQP");
        ownsMosquitto = string.IsNullOrWhiteSpace(mqtt);
        ownsInflux = string.IsNullOrWhiteSpace(influx);
        ownsRabbit = string.IsNullOrWhiteSpace(amqp);

        AmqpUser = Environment.GetEnvironmentVariable("MON_TEST_AMQP_USER") ?? "guest";
        AmqpPassword = Environment.GetEnvironmentVariable("MON_TEST_AMQP_PASSWORD") ?? "guest";

        if (ownsMosquitto || ownsInflux || ownsRabbit)
        {
            script = Path.Combine(FindRepoRoot(), "deploy", "local", "servers.sh");
            if (!File.Exists(script))
            {
                throw new InvalidOperationException($"Cannot find {script}.");
            }

            var root = Environment.GetEnvironmentVariable("MON_TEST_WORK_ROOT");
            root = string.IsNullOrWhiteSpace(root) ? Path.Combine(Path.GetTempPath(), "monitoring-servers") : root;
            workFolder = Path.Combine(Path.GetFullPath(root), UniqueName("run-"));
            Directory.CreateDirectory(workFolder);
            scriptEnvironment["MON_WORK"] = workFolder;
        }

        if (ownsMosquitto)
        {
            MqttHost = Loopback;
            MqttPort = FreePort();
            scriptEnvironment["MON_MQTT_PORT"] = Invariant(MqttPort);
        }
        else
        {
            (MqttHost, MqttPort) = ParseHostPort(mqtt!, "MON_TEST_MQTT");
        }

        if (ownsInflux)
        {
            var port = FreePort();
            InfluxUrl = new Uri($"http://{Loopback}:{Invariant(port)}/");
            scriptEnvironment["MON_INFLUX_PORT"] = Invariant(port);
            scriptEnvironment["MON_INFLUX_RPC_PORT"] = Invariant(FreePort());
        }
        else
        {
            var url = influx!.Trim();
            InfluxUrl = new Uri(url.EndsWith('/') ? url : url + "/");
        }

        if (ownsRabbit)
        {
            AmqpHost = Loopback;
            (AmqpPort, var distributionPort) = FreeAmqpPorts();
            scriptEnvironment["MON_AMQP_PORT"] = Invariant(AmqpPort);
            scriptEnvironment["MON_RABBIT_DIST_PORT"] = Invariant(distributionPort);
            // An epmd of our own: a shared one could be stopped by another run under our node.
            scriptEnvironment["MON_EPMD_PORT"] = Invariant(FreePort());
        }
        else
        {
            (AmqpHost, AmqpPort) = ParseHostPort(amqp!, "MON_TEST_AMQP");
        }

        var management = Environment.GetEnvironmentVariable("MON_TEST_AMQP_MANAGEMENT");
        rabbitManagementUrl = new Uri(string.IsNullOrWhiteSpace(management) ? $"http://{AmqpHost}:15672/" : management);
    }

    public string MqttHost { get; }

    public int MqttPort { get; }

    /// <summary>Base address of the InfluxDB 1.x HTTP API, ending in a slash.</summary>
    public Uri InfluxUrl { get; }

    public string AmqpHost { get; }

    public int AmqpPort { get; }

    public string AmqpUser { get; }

    public string AmqpPassword { get; }

    /// <summary>The work folder of the servers this fixture started (config, data, logs), or null.</summary>
    public string? WorkFolder => workFolder;

    /// <summary>A name unique to this call: the prefix plus 10 random characters from [a-z0-9].</summary>
    public static string UniqueName(string prefix)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        foreach (var c in prefix)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                throw new ArgumentException($"Prefix '{prefix}' may hold only [A-Za-z0-9_-].", nameof(prefix));
            }
        }

        return prefix + Guid.NewGuid().ToString("N")[..10];
    }

    public async Task InitializeAsync()
    {
        try
        {
            if (ownsMosquitto)
            {
                await RunScriptAsync("start", "mosquitto").ConfigureAwait(false);
            }

            if (ownsInflux)
            {
                await RunScriptAsync("start", "influxdb").ConfigureAwait(false);
            }

            if (ownsRabbit)
            {
                await RunScriptAsync("start", "rabbitmq").ConfigureAwait(false);
            }
        }
        catch
        {
            // xunit does not dispose a fixture whose initialisation failed: do not leak servers.
            await DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    public async Task DisposeAsync()
    {
        // Also reached from a failed InitializeAsync; xunit may call it again.
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        try
        {
            if (workFolder is not null)
            {
                await RunScriptAsync("stop", "all").ConfigureAwait(false);
            }
        }
        finally
        {
            http.Dispose();
            if (workFolder is not null
                && Environment.GetEnvironmentVariable("MON_TEST_KEEP_WORK") is not ("1" or "true"))
            {
                try
                {
                    Directory.Delete(workFolder, recursive: true);
                }
                catch (IOException)
                {
                    // A straggling log write must not fail the test run; the folder is under temp.
                }
            }
        }
    }

    /// <summary>Creates a fresh database (CREATE DATABASE through POST /query) and returns its name.</summary>
    public async Task<string> CreateInfluxDatabaseAsync(string prefix = "t")
    {
        var name = UniqueName(prefix);
        using var content = new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{name}\"")]);
        using var response = await http.PostAsync(new Uri(InfluxUrl, "query"), content).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"CREATE DATABASE {name} failed: HTTP {(int)response.StatusCode} {body}");
        }

        using var document = JsonDocument.Parse(body);
        ThrowOnInfluxError(document.RootElement, $"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>
    /// Runs an InfluxQL query (GET /query, epoch=ms) and returns one dictionary per row: column name
    /// to value, with "time" in Unix milliseconds and, for GROUP BY queries, the series' tags added.
    /// </summary>
    public async Task<IReadOnlyList<IReadOnlyDictionary<string, JsonElement>>> QueryInfluxAsync(string database, string influxQl)
    {
        var query = $"query?db={Uri.EscapeDataString(database)}&epoch=ms&q={Uri.EscapeDataString(influxQl)}";
        using var response = await http.GetAsync(new Uri(InfluxUrl, query)).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"Query '{influxQl}' on {database} failed: HTTP {(int)response.StatusCode} {body}");
        }

        using var document = JsonDocument.Parse(body);
        ThrowOnInfluxError(document.RootElement, $"Query '{influxQl}' on {database}");
        var rows = new List<IReadOnlyDictionary<string, JsonElement>>();
        foreach (var result in document.RootElement.GetProperty("results").EnumerateArray())
        {
            if (!result.TryGetProperty("series", out var seriesList))
            {
                continue;
            }

            foreach (var series in seriesList.EnumerateArray())
            {
                var columns = series.GetProperty("columns").EnumerateArray().Select(c => c.GetString()!).ToArray();
                series.TryGetProperty("tags", out var tags);
                if (!series.TryGetProperty("values", out var values))
                {
                    continue;
                }

                foreach (var value in values.EnumerateArray())
                {
                    var row = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                    if (tags.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var tag in tags.EnumerateObject())
                        {
                            row[tag.Name] = tag.Value.Clone();
                        }
                    }

                    var i = 0;
                    foreach (var cell in value.EnumerateArray())
                    {
                        row[columns[i++]] = cell.Clone();
                    }

                    rows.Add(row);
                }
            }
        }

        return rows;
    }

    /// <summary>Creates a fresh virtual host with full permissions for <see cref="AmqpUser"/> and returns its name.</summary>
    public async Task<string> CreateRabbitVirtualHostAsync(string prefix = "t")
    {
        var name = UniqueName(prefix);
        if (ownsRabbit)
        {
            await RunScriptAsync("add-vhost", name).ConfigureAwait(false);
            return name;
        }

        // An external broker: its CLI is not ours to call, so use the management HTTP API.
        var credentials = Convert.ToBase64String(Encoding.UTF8.GetBytes($"{AmqpUser}:{AmqpPassword}"));
        var vhost = Uri.EscapeDataString(name);
        await ManagementPutAsync($"api/vhosts/{vhost}", "{}", credentials).ConfigureAwait(false);
        await ManagementPutAsync(
            $"api/permissions/{vhost}/{Uri.EscapeDataString(AmqpUser)}",
            """{"configure":".*","write":".*","read":".*"}""",
            credentials).ConfigureAwait(false);
        return name;
    }

    public Task StopMosquittoAsync() => ControlAsync(ownsMosquitto, "stop", "mosquitto");

    public Task StartMosquittoAsync() => ControlAsync(ownsMosquitto, "start", "mosquitto");

    public Task StopInfluxAsync() => ControlAsync(ownsInflux, "stop", "influxdb");

    public Task StartInfluxAsync() => ControlAsync(ownsInflux, "start", "influxdb");

    public Task StopRabbitAsync() => ControlAsync(ownsRabbit, "stop", "rabbitmq");

    public Task StartRabbitAsync() => ControlAsync(ownsRabbit, "start", "rabbitmq");

    private Task ControlAsync(bool owned, string command, string server)
    {
        if (!owned)
        {
            throw new InvalidOperationException($"{server} is an external server (MON_TEST_*): this fixture cannot {command} it.");
        }

        return RunScriptAsync(command, server);
    }

    private async Task ManagementPutAsync(string path, string json, string credentials)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri(rabbitManagementUrl, path))
        {
            Content = new StringContent(json, Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);
        using var response = await http.SendAsync(request).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            var body = await response.Content.ReadAsStringAsync().ConfigureAwait(false);
            throw new InvalidOperationException(
                $"PUT {request.RequestUri} failed: HTTP {(int)response.StatusCode} {body} (set MON_TEST_AMQP_MANAGEMENT to the management API)");
        }
    }

    private static void ThrowOnInfluxError(JsonElement root, string what)
    {
        if (root.TryGetProperty("error", out var error))
        {
            throw new InvalidOperationException($"{what} failed: {error.GetString()}");
        }

        if (root.TryGetProperty("results", out var results))
        {
            foreach (var result in results.EnumerateArray())
            {
                if (result.TryGetProperty("error", out var resultError))
                {
                    throw new InvalidOperationException($"{what} failed: {resultError.GetString()}");
                }
            }
        }
    }

    private async Task RunScriptAsync(params string[] arguments)
    {
        await scriptGate.WaitAsync().ConfigureAwait(false);
        try
        {
            var start = new ProcessStartInfo("bash")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            start.ArgumentList.Add(script!);
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            foreach (var (key, value) in scriptEnvironment)
            {
                start.Environment[key] = value;
            }

            using var process = Process.Start(start)
                ?? throw new InvalidOperationException($"Could not start bash {script}.");
            process.StandardInput.Close();
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(ScriptTimeout);
            try
            {
                await process.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException(
                    $"servers.sh {string.Join(' ', arguments)} did not finish within {ScriptTimeout}. Logs are in {workFolder}.");
            }

            var text = (await output.ConfigureAwait(false)) + (await errors.ConfigureAwait(false));
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"servers.sh {string.Join(' ', arguments)} failed with exit code {process.ExitCode} (work folder {workFolder}):{Environment.NewLine}{text}");
            }
        }
        finally
        {
            scriptGate.Release();
        }
    }

    private static string FindRepoRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MON_REPO_ROOT");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
        {
            return fromEnvironment;
        }

        var built = typeof(RealServers).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .FirstOrDefault(a => a.Key == "Monitoring.RepoRoot")?.Value;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory(), built })
        {
            for (var folder = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                if (File.Exists(Path.Combine(folder.FullName, "Monitoring.sln")))
                {
                    return folder.FullName;
                }
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (a folder holding Monitoring.sln); set MON_REPO_ROOT.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>
    /// An AMQP port whose distribution port (AMQP + 20000, RabbitMQ's rule) is free as well; both
    /// below the ephemeral range and clear of 35672-35682, where the rabbitmqctl CLI listens.
    /// </summary>
    private static (int Amqp, int Distribution) FreeAmqpPorts()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var amqp = Random.Shared.Next(10_000, 12_000);
            var distribution = amqp + 20_000;
            if (IsFree(amqp) && IsFree(distribution))
            {
                return (amqp, distribution);
            }
        }

        throw new InvalidOperationException("No free pair of AMQP and distribution ports in 10000-12000.");
    }

    private static (string Host, int Port) ParseHostPort(string value, string variable)
    {
        var text = value.Trim();
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !int.TryParse(text.AsSpan(colon + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port))
        {
            throw new InvalidOperationException($"{variable} must be host:port, not '{value}'.");
        }

        return (text[..colon], port);
    }

    private static string Invariant(int value) => value.ToString(CultureInfo.InvariantCulture);
}

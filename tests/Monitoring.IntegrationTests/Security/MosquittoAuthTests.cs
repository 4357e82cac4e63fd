using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using Monitoring.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.IntegrationTests.Security;

/// <summary>
/// deploy/local/gen-mosquitto-auth.sh against a real Mosquitto started on a free port with the files it
/// generated: the ACL holds a gateway to its own topics, and the service user reads everything.
/// </summary>
[Trait("Category", "Integration")]
public sealed class MosquittoAuthTests : IAsyncLifetime
{
    private const string Own = "91440300TESTCAST01";
    private const string Other = "91130200TESTSTEEL1";
    private readonly string _folder = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("mosquitto-auth"));
    private readonly int _port = SecurityTestHost.FreePort();
    private Process? _mosquitto;
    private Dictionary<string, string> _credentials = [];

    public async Task InitializeAsync()
    {
        var sites = Path.Combine(_folder, "sites");
        Directory.CreateDirectory(sites);
        await File.WriteAllTextAsync(Path.Combine(sites, "own.yaml"), $"""
            enterprise: {Own}   # comment
            name: Own plant
            gateways:
              - id: gw01
                points:
                  - tag: A
                    rules:
                      - id: NOT_A_GATEWAY
                        type: limit
            """);
        await File.WriteAllTextAsync(Path.Combine(sites, "other.yaml"), $"""
            gateways:
              - id: gw01
            enterprise: "{Other}"
            """);

        var auth = Path.Combine(_folder, "auth");
        await RunAsync("bash", Path.Combine(RepoRoot(), "deploy", "local", "gen-mosquitto-auth.sh"), auth, sites);
        _credentials = (await File.ReadAllLinesAsync(Path.Combine(auth, "credentials")))
            .Select(l => l.Split(':', 2)).ToDictionary(p => p[0], p => p[1]);

        var conf = Path.Combine(_folder, "mosquitto.conf");
        var authLines = await File.ReadAllTextAsync(Path.Combine(auth, "mosquitto-auth.conf"));
        await File.WriteAllTextAsync(conf, string.Create(CultureInfo.InvariantCulture, $"""
            listener {_port} 127.0.0.1
            {(Environment.UserName == "root" ? "user root" : "")}
            persistence false
            log_dest stderr
            {authLines}
            """));
        var mosquitto = File.Exists("/usr/sbin/mosquitto") ? "/usr/sbin/mosquitto" : "mosquitto";
        _mosquitto = Process.Start(new ProcessStartInfo(mosquitto, ["-c", conf]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _mosquitto.BeginErrorReadLine();
        _mosquitto.BeginOutputReadLine();
    }

    public async Task DisposeAsync()
    {
        if (_mosquitto is { HasExited: false })
        {
            _mosquitto.Kill();
            await _mosquitto.WaitForExitAsync();
        }

        _mosquitto?.Dispose();
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public void Generator_ListsGatewaysNotRuleIds() =>
        Assert.Equal([$"{Other}.gw01", $"{Own}.gw01", "monitoring-service"], _credentials.Keys.Order(StringComparer.Ordinal));

    [Fact]
    public async Task GatewayPublishingForAnotherEnterprise_GeneratedMosquittoAcl_NotDelivered()
    {
        var received = new ConcurrentQueue<string>();
        var ownArrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var service = await Eventually.MatchAsync(() => ConnectAsync("monitoring-service"), c => c.IsConnected, TimeSpan.FromSeconds(10), "mosquitto accepts the service user");
        service.ApplicationMessageReceivedAsync += e =>
        {
            received.Enqueue(e.ApplicationMessage.Topic);
            if (e.ApplicationMessage.Topic.Contains(Own, StringComparison.Ordinal))
                ownArrived.TrySetResult();
            return Task.CompletedTask;
        };
        await service.SubscribeAsync("mon/v1/#", MqttQualityOfServiceLevel.AtLeastOnce);
        using var gateway = await ConnectAsync($"{Own}.gw01");

        await gateway.PublishAsync(Message($"mon/v1/{Other}/gw01/telemetry"));
        await gateway.PublishAsync(Message($"mon/v1/{Own}/gw02/telemetry"));
        await gateway.PublishAsync(Message($"mon/v1/{Own}/gw01/telemetry"));
        await ownArrived.Task.WaitAsync(TimeSpan.FromSeconds(10));

        // Mosquitto keeps one publisher's order: anything the ACL let through would have arrived first.
        Assert.Equal([$"mon/v1/{Own}/gw01/telemetry"], received.ToArray());
    }

    [Fact]
    public async Task GatewayWithAnotherGatewaysPassword_GeneratedPasswordFile_Refused()
    {
        using var ready = await Eventually.MatchAsync(() => ConnectAsync("monitoring-service"), c => c.IsConnected, TimeSpan.FromSeconds(10), "mosquitto accepts the service user");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ConnectAsync($"{Own}.gw01", _credentials[$"{Other}.gw01"]));

        // Mosquitto 2.0 answers a wrong password to an MQTT 5 client with NotAuthorized (0x87).
        Assert.Matches("refused: (NotAuthorized|BadUserNameOrPassword)$", error.Message);
    }

    private async Task<IMqttClient> ConnectAsync(string user, string? password = null)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        try
        {
            var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", _port)
                .WithClientId(user + "." + Guid.NewGuid().ToString("N"))
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithCleanStart(true)
                .WithCredentials(user, password ?? _credentials[user])
                .Build());
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new InvalidOperationException($"connection refused: {result.ResultCode}");
            return client;
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    private static MqttApplicationMessage Message(string topic) => new MqttApplicationMessageBuilder()
        .WithTopic(topic)
        .WithPayload(Encoding.UTF8.GetBytes("{\"ts\":1,\"points\":[]}"))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    private static async Task RunAsync(string file, params string[] arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        var stderr = process.StandardError.ReadToEndAsync();
        await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.True(process.ExitCode == 0, $"{file} {string.Join(' ', arguments)} failed: {await stderr}");
    }

    /// <summary>Where the script lives, found the way <see cref="RealServers"/> finds servers.sh.</summary>
    private static string RepoRoot()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("MON_REPO_ROOT");
        if (!string.IsNullOrWhiteSpace(fromEnvironment))
            return fromEnvironment;
        var built = typeof(RealServers).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyMetadataAttribute), false)
            .Cast<System.Reflection.AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "Monitoring.RepoRoot")?.Value;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory(), built })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Monitoring.sln")))
                    return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (a folder holding Monitoring.sln); set MON_REPO_ROOT.");
    }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using Monitoring.Ingestion.Hosting;
using Monitoring.Testing;
using MQTTnet;
using MQTTnet.Protocol;

namespace Monitoring.ConsoleTests;

/// <summary>
/// The ingestion service on its embedded default (embedded broker, SQLite, in-memory bus) in-process on free
/// loopback ports, three console users (duty officer, viewer, supervising officer), an MQTT client playing the gateways, and one headless Debian Chromium.
/// Shared by the tests of a class; each test opens its own browser context (own cookies) and raises its own alarms.
/// </summary>
public sealed class ConsoleFixture : IAsyncLifetime
{
    public const string DutyOfficer = "duty-li";
    public const string Viewer = "viewer-wang";
    public const string Supervisor = "sup-zhao";
    public const string ChromiumPath = ConsoleBrowser.ChromiumPath;

    private readonly string _data = Path.Combine(Path.GetTempPath(), "monitoring-console-tests", Guid.NewGuid().ToString("N"));
    private readonly LoggedErrors _errors = new LoggedErrors().ExpectPublishCancelledByStop();
    private WebApplication? _app;
    private IPlaywright? _playwright;
    private IMqttClient? _mqtt;

    /// <summary>Made per run: no password in the repository.</summary>
    public string Password { get; } = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));

    public Uri BaseAddress { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public HttpClient Http { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var mqttPort = FreePort();
        var hash = HashPassword(Password);
        string[] args =
        [
            "--Urls=http://127.0.0.1:0",
            $"--Monitoring:DataDirectory={_data}",
            $"--Monitoring:Mqtt:Port={mqttPort.ToString(CultureInfo.InvariantCulture)}",
            "--Logging:LogLevel:Default=Warning",
            $"--Monitoring:Security:Users:0:Id={DutyOfficer}",
            "--Monitoring:Security:Users:0:DisplayName=Li Wei (duty officer)",
            "--Monitoring:Security:Users:0:Role=duty-officer",
            $"--Monitoring:Security:Users:0:PasswordHash={hash}",
            $"--Monitoring:Security:Users:1:Id={Viewer}",
            "--Monitoring:Security:Users:1:Role=viewer",
            $"--Monitoring:Security:Users:1:PasswordHash={hash}",
            $"--Monitoring:Security:Users:2:Id={Supervisor}",
            "--Monitoring:Security:Users:2:DisplayName=Zhao Min (park supervisor)",
            "--Monitoring:Security:Users:2:Role=supervisor",
            $"--Monitoring:Security:Users:2:PasswordHash={hash}",
        ];
        _app = IngestionApp.Build(args, builder => builder.Logging.AddProvider(_errors));
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        Http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(10) };

        _mqtt = new MqttClientFactory().CreateMqttClient();
        await _mqtt.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", mqttPort).WithClientId("console-tests").Build());

        _playwright = await Playwright.CreateAsync();
        Browser = await ConsoleBrowser.LaunchAsync(_playwright);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
            await Browser.DisposeAsync();
        _playwright?.Dispose();
        _mqtt?.Dispose();
        Http?.Dispose();
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }

        // An error the console's requests made the service log fails the run (none is expected here).
        _errors.ThrowIfUnexpected("the ingestion service behind the console");

        try
        {
            Directory.Delete(_data, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a run over.
        }
    }

    /// <summary>A fresh browser context (its own cookies), desktop size unless told.</summary>
    public Task<IBrowserContext> NewContextAsync(int width = 1440, int height = 900, string locale = "en-GB") =>
        ConsoleBrowser.NewContextAsync(Browser, BaseAddress, width, height, locale);

    /// <summary>Signs in through the page and waits for the live list.</summary>
    public Task<IPage> SignInAsync(IBrowserContext context, string user = DutyOfficer) => ConsoleBrowser.SignInAsync(context, user, Password);

    /// <summary>One telemetry batch: the values at <paramref name="stepMs"/> apart, the last one now.</summary>
    public async Task PublishAsync(string enterprise, string gateway, string tag, double[] values, long stepMs = 1000, long? seq = null)
    {
        var now = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - 200;
        var json = new StringBuilder();
        json.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{seq ?? 0},\"points\":[");
        for (var i = 0; i < values.Length; i++)
        {
            var ts = now - ((values.Length - 1 - i) * stepMs);
            json.Append(CultureInfo.InvariantCulture, $"{(i > 0 ? "," : "")}{{\"tag\":\"{tag}\",\"v\":{values[i].ToString("R", CultureInfo.InvariantCulture)},\"ts\":{ts}}}");
        }

        json.Append("]}");
        var result = await _mqtt!.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"mon/v1/{enterprise}/{gateway}/telemetry")
            .WithPayload(json.ToString())
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, result.ReasonString);
    }

    public async Task PublishStatusAsync(string enterprise, string gateway, string state, string firmware)
    {
        var result = await _mqtt!.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic($"mon/v1/{enterprise}/{gateway}/status")
            .WithPayload($"{{\"state\":\"{state}\",\"fw\":\"{firmware}\"}}")
            .WithRetainFlag()
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.True(result.IsSuccess, result.ReasonString);
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    /// <summary>Where screenshots go: MONITORING_CONSOLE_SCREENSHOTS (e.g. docs/console), or nowhere.</summary>
    public static string? ScreenshotPath(string name) => ConsoleBrowser.ScreenshotPath(name);

    /// <summary>The documented hash format, made here independently: pbkdf2-sha256$iterations$salt$hash (10 000 iterations keeps sign-in fast).</summary>
    private static string HashPassword(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(16);
        var hash = Rfc2898DeriveBytes.Pbkdf2(Encoding.UTF8.GetBytes(password), salt, 10_000, HashAlgorithmName.SHA256, 32);
        return $"pbkdf2-sha256$10000${Convert.ToBase64String(salt)}${Convert.ToBase64String(hash)}";
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Ingestion.Hosting;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// The real ingestion service, built in-process with command-line style settings and a real Kestrel
/// listener on a free loopback port. Restartable on the same data folder, like the process would be.
/// Disposing it fails the test if the service logged an error the test did not expect (<see cref="Errors"/>).
/// </summary>
internal sealed class ServiceUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceUnderTest(WebApplication app, HttpClient http, LoggedErrors errors)
    {
        _app = app;
        Http = http;
        Errors = errors;
    }

    public HttpClient Http { get; }

    /// <summary>The errors the service logged; a test that provokes some declares them here (or passes them to <see cref="StartAsync"/>).</summary>
    public LoggedErrors Errors { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="settings">Command-line style settings.</param>
    /// <param name="errors">Errors expected from the start (a server that is down when it starts); a fresh, empty set when null.</param>
    public static async Task<ServiceUnderTest> StartAsync(IReadOnlyDictionary<string, string> settings, LoggedErrors? errors = null)
    {
        errors ??= new LoggedErrors();
        errors.ExpectPublishCancelledByStop();
        var args = settings.Select(kv => $"--{kv.Key}={kv.Value}").Append("--Urls=http://127.0.0.1:0").ToArray();
        var app = IngestionApp.Build(args, builder => builder.Logging.AddProvider(errors));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServiceUnderTest(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) }, errors);
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async Task<string> GetTextAsync(string path) => await Http.GetStringAsync(path);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Errors.ThrowIfUnexpected("the ingestion service");
    }

    /// <summary>Settings for a service on the real servers, isolated by topic root, client id, database and virtual host.</summary>
    /// <summary>Adds API keys (name, role, key) to <paramref name="settings"/>, numbered from 0, and returns them.</summary>
    public static Dictionary<string, string> WithApiKeys(Dictionary<string, string> settings, params (string Name, string Role, string Key)[] keys)
    {
        for (var i = 0; i < keys.Length; i++)
        {
            settings[$"Monitoring:Security:ApiKeys:{i}:Name"] = keys[i].Name;
            settings[$"Monitoring:Security:ApiKeys:{i}:Role"] = keys[i].Role;
            settings[$"Monitoring:Security:ApiKeys:{i}:Key"] = keys[i].Key;
        }

        return settings;
    }

    public static Dictionary<string, string> RealServerSettings(RealServers servers, string topicRoot, string clientId, string database, string virtualHost, string dataDirectory, string sitesPath) => new()
    {
        ["Monitoring:DataDirectory"] = dataDirectory,
        ["Monitoring:Sites:0"] = sitesPath,
        ["Monitoring:Mqtt:Broker"] = "External",
        ["Monitoring:Mqtt:Host"] = servers.MqttHost,
        ["Monitoring:Mqtt:Port"] = servers.MqttPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Monitoring:Mqtt:TopicRoot"] = topicRoot,
        ["Monitoring:Mqtt:ClientId"] = clientId,
        ["Monitoring:Store:Kind"] = "InfluxDb",
        ["Monitoring:Store:InfluxDb:Url"] = servers.InfluxUrl.ToString(),
        ["Monitoring:Store:InfluxDb:ApiVersion"] = "V1",
        ["Monitoring:Store:InfluxDb:Database"] = database,
        ["Monitoring:Bus:Kind"] = "RabbitMq",
        ["Monitoring:Bus:Host"] = servers.AmqpHost,
        ["Monitoring:Bus:Port"] = servers.AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Monitoring:Bus:VirtualHost"] = virtualHost,
        ["Monitoring:Bus:Username"] = servers.AmqpUser,
        ["Monitoring:Bus:Password"] = servers.AmqpPassword,
        ["Logging:LogLevel:Default"] = "Warning",
    };
}

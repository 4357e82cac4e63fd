using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Hosting;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Notifications;

/// <summary>The real notification service, in-process, on a free loopback port; restartable on the same data folder.</summary>
internal sealed class NotificationServiceUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NotificationServiceUnderTest(WebApplication app, HttpClient http)
    {
        _app = app;
        Http = http;
    }

    public HttpClient Http { get; }

    /// <summary>Completes when the service's stop has begun and its dispatcher starts no more sends (those on the wire may still be finishing).</summary>
    public Task DeliveriesStopping => Task.Delay(Timeout.Infinite, _app.Services.GetRequiredService<DeliveryDispatcher>().StopRequested)
        .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Starts it and waits until /health/ready says the bus endpoints are connected (so no event published after this is missed).</summary>
    public static async Task<NotificationServiceUnderTest> StartAsync(IReadOnlyDictionary<string, string> settings)
    {
        var args = settings.Select(kv => $"--{kv.Key}={kv.Value}").Append("--Urls=http://127.0.0.1:0").ToArray();
        var app = NotificationsApp.Build(args);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var service = new NotificationServiceUnderTest(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) });
        await Eventually.MatchAsync(async () => (int)(await service.Http.GetAsync("/health/ready")).StatusCode, s => s == 200, TimeSpan.FromSeconds(30), "notification service ready");
        return service;
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Hosting;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Notifications;

/// <summary>
/// The real notification service, in-process, on a free loopback port; restartable on the same data
/// folder. Disposing it fails the test if the service logged an error the test did not expect (<see cref="Errors"/>).
/// </summary>
internal sealed class NotificationServiceUnderTest : IAsyncDisposable
{
    private readonly WebApplication _app;

    private NotificationServiceUnderTest(WebApplication app, HttpClient http, LoggedErrors errors)
    {
        _app = app;
        Http = http;
        Errors = errors;
    }

    public HttpClient Http { get; }

    /// <summary>The errors the service logged; a test that provokes some declares them here (or passes them to <see cref="StartAsync"/>).</summary>
    public LoggedErrors Errors { get; }

    /// <summary>Completes when the service's stop has begun and its dispatcher starts no more sends (those on the wire may still be finishing).</summary>
    public Task DeliveriesStopping => Task.Delay(Timeout.Infinite, _app.Services.GetRequiredService<DeliveryDispatcher>().StopRequested)
        .ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);

    /// <summary>Starts it and waits until /health/ready says the bus endpoints are connected (so no event published after this is missed).</summary>
    public static async Task<NotificationServiceUnderTest> StartAsync(IReadOnlyDictionary<string, string> settings, LoggedErrors? errors = null)
    {
        errors ??= new LoggedErrors();
        var args = settings.Select(kv => $"--{kv.Key}={kv.Value}").Append("--Urls=http://127.0.0.1:0").ToArray();
        var app = NotificationsApp.Build(args, builder => builder.Logging.AddProvider(errors));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var service = new NotificationServiceUnderTest(app, new HttpClient { BaseAddress = new Uri(address), Timeout = TimeSpan.FromSeconds(10) }, errors);
        await Eventually.MatchAsync(async () => (int)(await service.Http.GetAsync("/health/ready")).StatusCode, s => s == 200, TimeSpan.FromSeconds(30), "notification service ready");
        return service;
    }

    public async Task<JsonElement> GetJsonAsync(string path) => await Http.GetFromJsonAsync<JsonElement>(path);

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        Errors.ThrowIfUnexpected("the notification service");
    }
}

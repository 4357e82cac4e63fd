using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Notifications;

/// <summary>One webhook POST as received: the person from the path, the notification id header, the JSON body.</summary>
internal sealed record ReceivedHook(string Person, string NotificationId, JsonElement Body, DateTimeOffset At)
{
    public string Kind => Body.GetProperty("kind").GetString()!;
    public string? AlarmId => Body.GetProperty("alarmId").GetString();
    public string? AckUrl => Body.GetProperty("ackUrl").GetString();
}

/// <summary>A real HTTP webhook receiver (Kestrel on a free loopback port): <c>POST /hook/{person}</c> records and answers 200.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedHook> _received = [];

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>While set, every POST answers 503 (a messenger outage).</summary>
    public bool Failing { get; set; }

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.MapPost("/hook/{person}", async (string person, HttpRequest request) =>
        {
            if (receiver.Failing)
                return Results.StatusCode(StatusCodes.Status503ServiceUnavailable);
            using var doc = await JsonDocument.ParseAsync(request.Body);
            lock (receiver._received)
                receiver._received.Add(new ReceivedHook(person, request.Headers["X-Notification-Id"].ToString(), doc.RootElement.Clone(), TimeProvider.System.GetUtcNow()));
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    public string UrlFor(string person) => new Uri(BaseAddress, "/hook/" + person).ToString();

    public IReadOnlyList<ReceivedHook> Received
    {
        get
        {
            lock (_received)
                return [.. _received];
        }
    }

    public Task<IReadOnlyList<ReceivedHook>> WaitForAsync(Func<ReceivedHook, bool> match, int count, TimeSpan timeout, string description) =>
        Eventually.MatchAsync(() => Task.FromResult<IReadOnlyList<ReceivedHook>>([.. Received.Where(match)]), r => r.Count >= count, timeout, description);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

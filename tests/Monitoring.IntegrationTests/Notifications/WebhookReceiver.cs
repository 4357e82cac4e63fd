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

/// <summary>
/// One POST the receiver records on arrival and answers only when the test releases it: a send that is
/// on the wire when something else happens (the sender stopping).
/// </summary>
internal sealed class HeldHook(Func<ReceivedHook, bool> match)
{
    private readonly TaskCompletionSource<ReceivedHook> _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _aborted = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Func<ReceivedHook, bool> Match { get; } = match;

    /// <summary>The held POST has arrived (and is recorded in <see cref="WebhookReceiver.Received"/>).</summary>
    public Task<ReceivedHook> Arrived => _arrived.Task;

    /// <summary>The sender gave up on the held POST (cancelled or closed its connection) before it was answered.</summary>
    public Task Aborted => _aborted.Task;

    public void Release() => _released.TrySetResult();

    internal async Task HoldAsync(ReceivedHook hook, CancellationToken requestAborted)
    {
        _arrived.TrySetResult(hook);
        using var registration = requestAborted.Register(() => _aborted.TrySetResult());
        await Task.WhenAny(_released.Task, _aborted.Task);
    }
}

/// <summary>A real HTTP webhook receiver (Kestrel on a free loopback port): <c>POST /hook/{person}</c> records and answers 200.</summary>
internal sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly List<ReceivedHook> _received = [];
    private readonly List<HeldHook> _holds = [];
    private HeldHook? _hold;

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
            var hook = new ReceivedHook(person, request.Headers["X-Notification-Id"].ToString(), doc.RootElement.Clone(), TimeProvider.System.GetUtcNow());
            lock (receiver._received)
                receiver._received.Add(hook);
            if (receiver._hold is { } hold && hold.Match(hook) && Interlocked.CompareExchange(ref receiver._hold, null, hold) == hold)
                await hold.HoldAsync(hook, request.HttpContext.RequestAborted);
            return Results.Ok();
        });
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return receiver;
    }

    /// <summary>The next POST that matches is recorded, then held unanswered until <see cref="HeldHook.Release"/>.</summary>
    public HeldHook HoldNext(Func<ReceivedHook, bool> match)
    {
        var hold = new HeldHook(match);
        lock (_holds)
            _holds.Add(hold);
        Volatile.Write(ref _hold, hold);
        return hold;
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
        // A test that failed while a POST was held must not hold the receiver's stop too.
        lock (_holds)
        {
            foreach (var hold in _holds)
                hold.Release();
        }

        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

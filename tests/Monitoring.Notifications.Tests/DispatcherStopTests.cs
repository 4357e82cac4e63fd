using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Monitoring.Notifications.Channels;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

/// <summary>A channel whose sends stay on the wire until the test releases them, or the sender cancels.</summary>
internal sealed class GatedChannel(ChannelKind kind) : INotificationChannel
{
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource<DeliveryDraft> _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _calls;
    private int _completed;

    public ChannelKind Kind => kind;

    /// <summary>The first send is on the wire.</summary>
    public Task<DeliveryDraft> Started => _started.Task;

    public int Calls => Volatile.Read(ref _calls);

    /// <summary>Sends that got through (released before they were cancelled).</summary>
    public int Completed => Volatile.Read(ref _completed);

    public void Release() => _release.TrySetResult();

    public async Task SendAsync(DeliveryDraft delivery, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _calls);
        _started.TrySetResult(delivery);
        await _release.Task.WaitAsync(cancellationToken);
        Interlocked.Increment(ref _completed);
    }
}

/// <summary>A graceful stop lets the sends on the wire finish and be recorded (within the grace), and starts none.</summary>
public sealed class DispatcherStopTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A bound on waiting for real work (SQLite, continuations), not a timing assumption: the fake clock drives the grace.</summary>
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(10);

    /// <summary>What the host does: StoppingAsync of every lifecycle service first, then StopAsync in reverse order.</summary>
    private static async Task StopLikeTheHostAsync(DeliveryDispatcher dispatcher)
    {
        await dispatcher.StoppingAsync(None);
        await dispatcher.StopAsync(None);
    }

    /// <summary>A raise applied and the dispatcher running, with the officer's webhook send held on the wire.</summary>
    private static async Task<Harness> RaiseUntilOnTheWireAsync(GatedChannel webhook)
    {
        var h = Harness.Create(
            configure: o =>
            {
                o.StopGrace = Grace;
                // Longer than the grace: the grace, not the attempt timeout, is what ends a hanging send here.
                o.Delivery.AttemptTimeout = TimeSpan.FromMinutes(5);
            },
            webhookChannel: webhook);
        try
        {
            await h.Processor.HandleAsync(new Alarms().Raised(h.Time.GetUtcNow()), None);
            await h.Dispatcher.StartAsync(None);
            await webhook.Started.WaitAsync(Patience);
            return h;
        }
        catch
        {
            await h.DisposeAsync();
            throw;
        }
    }

    [Fact]
    public async Task Dispatcher_StopWhileSendOnTheWire_SendFinishesAndIsRecordedOnce()
    {
        var webhook = new GatedChannel(ChannelKind.Webhook);
        await using var h = await RaiseUntilOnTheWireAsync(webhook);

        var stop = StopLikeTheHostAsync(h.Dispatcher);
        Assert.True(h.Dispatcher.Stopping);
        Assert.False(stop.IsCompleted, "the stop did not wait for the send on the wire");
        webhook.Release();
        await stop.WaitAsync(Patience);

        var delivery = Assert.Single(await h.DeliveriesAsync(), d => d.Draft.Channel == ChannelKind.Webhook);
        Assert.Equal(DeliveryStatus.Sent, delivery.Status);
        Assert.Equal(1, delivery.Attempts);
        await h.RestartAsync();
        await h.DrainAsync();
        Assert.Equal(1, webhook.Calls);
        Assert.Equal(1, webhook.Completed);
    }

    [Fact]
    public async Task Dispatcher_SendOutlivesTheGrace_CutOffLeftPendingAndStopCompletesAtTheGrace()
    {
        var webhook = new GatedChannel(ChannelKind.Webhook);
        await using var h = await RaiseUntilOnTheWireAsync(webhook);

        var stop = StopLikeTheHostAsync(h.Dispatcher);
        h.Time.Advance(Grace - TimeSpan.FromMilliseconds(1));
        Assert.False(stop.IsCompleted, "the stop cut the send off before the grace ended");
        h.Time.Advance(TimeSpan.FromMilliseconds(1));
        await stop.WaitAsync(Patience);

        Assert.Equal(0, webhook.Completed);
        var delivery = Assert.Single(await h.DeliveriesAsync(), d => d.Draft.Channel == ChannelKind.Webhook);
        Assert.Equal(DeliveryStatus.Pending, delivery.Status);
        // The documented repeat window: what was cut off goes out again after the restart.
        webhook.Release();
        await h.RestartAsync();
        await h.DrainAsync();
        Assert.Equal(DeliveryStatus.Sent, Assert.Single(await h.DeliveriesAsync(), d => d.Draft.Channel == ChannelKind.Webhook).Status);
        Assert.Equal(2, webhook.Calls);
    }

    [Fact]
    public async Task Dispatcher_EventAppliedDuringTheStop_IsStoredButNotSent()
    {
        var webhook = new GatedChannel(ChannelKind.Webhook);
        await using var h = await RaiseUntilOnTheWireAsync(webhook);

        // The host's StoppingAsync; its StopAsync for the dispatcher comes only after the bus has stopped.
        await h.Dispatcher.StoppingAsync(None);
        // A consumer finishing its message while the bus stops: it commits and wakes the dispatcher.
        var late = new Alarms();
        Assert.Equal(EventOutcome.Applied, await h.Processor.HandleAsync(late.Raised(h.Time.GetUtcNow()), None));
        webhook.Release();
        // Once what was on the wire is done, the dispatcher ends by itself: it does not go on to the new deliveries.
        await h.Dispatcher.ExecuteTask!.WaitAsync(Patience);
        await h.Dispatcher.StopAsync(None);

        Assert.Equal(1, webhook.Calls);
        Assert.DoesNotContain(h.Email.Sent, d => d.AlarmId == late.AlarmId);
        var lateDeliveries = await h.DeliveriesAsync(late.AlarmId);
        Assert.NotEmpty(lateDeliveries);
        Assert.All(lateDeliveries, d => Assert.Equal(DeliveryStatus.Pending, d.Status));
    }

    [Fact]
    public async Task Dispatcher_HostStops_NoSendStartsBeforeTheServicesRegisteredAfterItStop()
    {
        // The bus is registered after the dispatcher, so the host stops it first; its consumers may still
        // commit events then, and the dispatcher must already be starting nothing.
        await using var h = Harness.Create();
        var bus = new StopProbe(h.Dispatcher);
        using var host = new HostBuilder()
            .ConfigureServices(services =>
            {
                services.AddSingleton(h.Dispatcher);
                services.AddHostedService(sp => sp.GetRequiredService<DeliveryDispatcher>());
                services.AddHostedService(_ => bus);
            })
            .Build();
        await host.StartAsync(None);

        await host.StopAsync(None);

        Assert.True(bus.DispatcherStoppingWhenStopped);
    }

    [Fact]
    public async Task Processor_CancelledBeforeItsCommit_RecordsNothingAndTheRedeliveryApplies()
    {
        await using var h = Harness.Create();
        var raised = new Alarms().Raised(h.Time.GetUtcNow());
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => h.Processor.HandleAsync(raised, cancelled.Token));

        Assert.Empty(await h.DeliveriesAsync());
        Assert.Equal(EventOutcome.Applied, await h.Processor.HandleAsync(raised, None));
        Assert.NotEmpty(await h.DeliveriesAsync());
    }

    private sealed class StopProbe(DeliveryDispatcher dispatcher) : IHostedService
    {
        public bool DispatcherStoppingWhenStopped { get; private set; }

        public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken)
        {
            DispatcherStoppingWhenStopped = dispatcher.Stopping;
            return Task.CompletedTask;
        }
    }
}

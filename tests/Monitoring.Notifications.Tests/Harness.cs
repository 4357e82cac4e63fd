using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Notifications.Channels;
using Monitoring.Notifications.Consuming;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Hosting;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;
using Monitoring.Notifications.Watchdog;

namespace Monitoring.Notifications.Tests;

/// <summary>A channel that records what it was asked to send, and fails while told to.</summary>
internal sealed class RecordingChannel(ChannelKind kind) : INotificationChannel
{
    private readonly List<DeliveryDraft> _sent = [];

    public ChannelKind Kind => kind;

    public bool Failing { get; set; }

    public int Attempts { get; private set; }

    public IReadOnlyList<DeliveryDraft> Sent
    {
        get
        {
            lock (_sent)
                return [.. _sent];
        }
    }

    public Task SendAsync(DeliveryDraft delivery, CancellationToken cancellationToken)
    {
        lock (_sent)
        {
            Attempts++;
            if (Failing)
                throw new TransientDeliveryException("receiver down");
            _sent.Add(delivery);
        }

        return Task.CompletedTask;
    }
}

/// <summary>The service's parts wired as in the host, on a fake clock, a temporary SQLite file and recording channels; restartable on the same file.</summary>
internal sealed class Harness : IAsyncDisposable
{
    private readonly string _folder;
    private readonly NotificationOptions _options;

    private readonly INotificationChannel? _webhookChannel;

    private Harness(string folder, NotificationOptions options, FakeTimeProvider time, RecordingChannel webhook, RecordingChannel email, INotificationChannel? webhookChannel)
    {
        _folder = folder;
        _options = options;
        _webhookChannel = webhookChannel;
        Time = time;
        Webhook = webhook;
        Email = email;
        Build();
    }

    public FakeTimeProvider Time { get; }
    public RecordingChannel Webhook { get; }
    public RecordingChannel Email { get; }
    public NotificationStore Store { get; private set; } = null!;
    public RosterHolder Roster { get; private set; } = null!;
    public DeliveryDispatcher Dispatcher { get; private set; } = null!;
    public AlarmEventProcessor Processor { get; private set; } = null!;
    public NotificationScheduler Scheduler { get; private set; } = null!;
    public IngestionActivity Activity { get; private set; } = null!;

    /// <param name="webhookChannel">Sends webhook deliveries instead of <see cref="Webhook"/> (which then records nothing).</param>
    public static Harness Create(string rosterYaml = TestRoster.Yaml, Action<NotificationOptions>? configure = null, INotificationChannel? webhookChannel = null)
    {
        var folder = Path.Combine(Path.GetTempPath(), "notify-tests-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "roster.yaml"), rosterYaml);
        var options = new NotificationOptions
        {
            AckLinkBaseUrl = "http://127.0.0.1:5080",
            Delivery = new DeliveryOptions { MaxAttempts = 3, RetryDelay = TimeSpan.Zero },
            RosterCheckInterval = TimeSpan.FromDays(1),
            // Off unless a test is about it: most tests advance the clock with no ingestion traffic.
            Watchdog = new WatchdogOptions { Enabled = false },
        };
        configure?.Invoke(options);
        return new Harness(folder, options, new FakeTimeProvider(TestRoster.DayTime), new RecordingChannel(ChannelKind.Webhook), new RecordingChannel(ChannelKind.Email), webhookChannel);
    }

    private void Build()
    {
        var options = Options.Create(_options);
        Store = new NotificationStore(Path.Combine(_folder, "notifications.db"), Time);
        Roster = new RosterHolder(Path.Combine(_folder, "roster.yaml"), NullLogger<RosterHolder>.Instance);
        var key = "0123456789abcdef0123456789abcdef"u8.ToArray();
        var composer = new MessageComposer(new AckLinkSettings(_options.AckLinkBaseUrl, key, _options.AckLinkLifetime), _options.SandboxOnly);
        var policy = new RoutingPolicy(_options.RemindUnacknowledgedEvery, _options.RemindAcknowledgedActiveEvery, _options.DigestPriorities);
        Dispatcher = new DeliveryDispatcher(Store, [_webhookChannel ?? Webhook, Email, new SandboxChannel()], Roster, composer, options, Time, NullLogger<DeliveryDispatcher>.Instance);
        Activity = new IngestionActivity(Time);
        var watchdog = new IngestionWatchdog(Activity, Store, Roster, composer, options, NullLogger<IngestionWatchdog>.Instance);
        Processor = new AlarmEventProcessor(Store, Roster, composer, policy, Dispatcher, Activity, Time, NullLogger<AlarmEventProcessor>.Instance);
        Scheduler = new NotificationScheduler(Store, Roster, composer, policy, Dispatcher, watchdog, options, Time, NullLogger<NotificationScheduler>.Instance);
    }

    /// <summary>A process restart: everything in memory is gone, the SQLite file stays.</summary>
    public async Task RestartAsync()
    {
        await Store.DisposeAsync();
        Build();
    }

    /// <summary>Sends everything pending, including fallbacks and diagnostics planned on the way.</summary>
    public async Task DrainAsync()
    {
        while (await Dispatcher.DispatchPendingAsync(CancellationToken.None) > 0)
        {
        }
    }

    public async Task TickAsync(TimeSpan advance)
    {
        Time.Advance(advance);
        await Scheduler.RunOnceAsync(Time.GetUtcNow(), CancellationToken.None);
        await DrainAsync();
    }

    public Task<IReadOnlyList<DeliveryRecord>> DeliveriesAsync(Guid? alarmId = null) => Store.ListAsync(alarmId, null, null, 1000, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Store.DisposeAsync();
        Dispatcher.Dispose();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_folder, recursive: true);
    }
}

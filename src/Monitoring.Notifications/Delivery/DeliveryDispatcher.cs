using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using Monitoring.Notifications.Channels;
using Monitoring.Notifications.Hosting;
using Monitoring.Notifications.Observability;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Monitoring.Notifications.Delivery;

/// <summary>The health of one channel as deliveries found it.</summary>
public sealed record ChannelHealth(string Channel, DateTimeOffset? LastSuccessAt, DateTimeOffset? LastFailureAt, string? LastError, int ConsecutiveFailures);

/// <summary>
/// Sends the stored pending deliveries: retries transient failures (Polly), records every outcome, and
/// when a channel fails after its retries, plans the same notification on the person's other channel
/// and raises a diagnostic alarm (once per channel until it works again) to the officers on duty.
/// The only place sends start: consumers and the scheduler store deliveries and wake it.
/// <para>
/// Graceful stop: as soon as the host begins to stop (<see cref="StoppingAsync"/>, before the bus and the
/// scheduler stop), no send and no retry attempt starts; the sends already on the wire may finish and
/// are recorded, for up to <see cref="NotificationOptions.StopGrace"/>. A send still running then is
/// cancelled and stays pending: it goes out again after the restart.
/// </para>
/// </summary>
internal sealed class DeliveryDispatcher : BackgroundService, IHostedLifecycleService
{
    private readonly NotificationStore _store;
    private readonly Dictionary<ChannelKind, INotificationChannel> _channels;
    private readonly RosterHolder _roster;
    private readonly MessageComposer _composer;
    private readonly NotificationOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<DeliveryDispatcher> _logger;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly ConcurrentDictionary<ChannelKind, ChannelHealth> _health = new();
    private readonly ResiliencePipeline _retry;

    // Fires when the stop begins: nothing new starts. Separate from the host's stopping token, which
    // BackgroundService fires only when this service's turn to stop comes, after the bus has stopped.
    private readonly CancellationTokenSource _stopping = new();

    // Fires when the stop grace ends (or the host gives up waiting): what is still on the wire is cut off.
    private readonly CancellationTokenSource _abort;
    private readonly ConcurrentDictionary<long, DeliveryDraft> _inFlight = new();
    private int _stopBegun;
    private int _finishedDuringStop;
    private int _cutOff;

    public DeliveryDispatcher(NotificationStore store, IEnumerable<INotificationChannel> channels, RosterHolder roster, MessageComposer composer,
        IOptions<NotificationOptions> options, TimeProvider time, ILogger<DeliveryDispatcher> logger)
    {
        _store = store;
        _channels = channels.ToDictionary(c => c.Kind);
        _roster = roster;
        _composer = composer;
        _options = options.Value;
        _time = time;
        _logger = logger;
        // Created on the injected clock so that its CancelAfter (the stop grace) runs on it too.
        _abort = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _retry = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<TransientDeliveryException>().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = Math.Max(0, _options.Delivery.MaxAttempts - 1),
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.Delivery.RetryDelay,
                OnRetry = args =>
                {
                    NotificationMetrics.Retries.Add(1);
                    _logger.LogWarning("Delivery attempt {Attempt} failed, retrying in {Delay}: {Error}", args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .AddTimeout(_options.Delivery.AttemptTimeout)
            .Build();
    }

    public IReadOnlyCollection<ChannelHealth> Health => [.. _health.Values.OrderBy(h => h.Channel, StringComparer.Ordinal)];

    /// <summary>New deliveries are stored: send them now rather than at the next poll.</summary>
    public void Wake()
    {
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled; one wake-up sends everything pending.
        }
    }

    /// <summary>True once the stop has begun: no send starts any more.</summary>
    public bool Stopping => _stopping.IsCancellationRequested;

    /// <summary>Fires when the stop begins (sends on the wire may still be finishing).</summary>
    public CancellationToken StopRequested => _stopping.Token;

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>The host begins to stop: called before any hosted service's StopAsync, so before the bus stops.</summary>
    public Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginStop();
        return Task.CompletedTask;
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // Also reached without StoppingAsync (a host that does not call it, a test).
        BeginStop();
        // The host's own limit (ShutdownTimeout) ends the wait even if the grace is longer.
        using var giveUp = cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abort);
        await base.StopAsync(cancellationToken);
        if (Volatile.Read(ref _finishedDuringStop) > 0 || Volatile.Read(ref _cutOff) > 0)
        {
            _logger.LogInformation("Deliveries stopped: {Finished} finished and recorded during the stop, {CutOff} cut off (sent again after the restart)",
                Volatile.Read(ref _finishedDuringStop), Volatile.Read(ref _cutOff));
        }
    }

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void BeginStop()
    {
        if (Interlocked.Exchange(ref _stopBegun, 1) != 0)
            return;
        _stopping.Cancel();
        var grace = _options.StopGrace;
        _abort.CancelAfter(grace);
        var inFlight = _inFlight.Values.Select(d => $"{d.NotificationId} to {d.PersonId} by {d.Channel}").ToList();
        if (inFlight.Count == 0)
            _logger.LogInformation("Stopping: no delivery in flight, no new one starts");
        else
            _logger.LogInformation("Stopping: no new delivery starts; waiting up to {Grace} for {Count} in flight: {Deliveries}", grace, inFlight.Count, string.Join(", ", inFlight));
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var noNewSends = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, _stopping.Token);
        var ct = noNewSends.Token;
        while (!ct.IsCancellationRequested)
        {
            try
            {
                while (await DispatchPendingAsync(ct) > 0)
                {
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Dispatching deliveries failed; trying again");
            }

            try
            {
                await _wake.WaitAsync(_options.SchedulerInterval, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// Sends one batch of pending deliveries concurrently (a slow webhook must not hold up the mail); returns how many.
    /// <paramref name="ct"/> only stops fetching the batch: once sends are on the wire, only the end of the stop grace cuts them off.
    /// </summary>
    public async Task<int> DispatchPendingAsync(CancellationToken ct)
    {
        if (Stopping)
            return 0;
        var pending = await _store.PendingAsync(64, ct);
        if (pending.Count == 0 || Stopping)
            return 0;
        await Task.WhenAll(pending.Select(DeliverAsync));
        return pending.Count;
    }

    private async Task DeliverAsync(DeliveryRecord record)
    {
        // In flight (named in the stop's log) from the first attempt until its outcome is recorded.
        _inFlight[record.Id] = record.Draft;
        try
        {
            await SendAndRecordAsync(record);
        }
        finally
        {
            _inFlight.TryRemove(record.Id, out _);
        }
    }

    private async Task SendAndRecordAsync(DeliveryRecord record)
    {
        var d = record.Draft;
        var kind = d.Channel;
        var attempts = 0;
        var abort = _abort.Token;
        try
        {
            if (!_channels.TryGetValue(kind, out var channel))
                throw new PermanentDeliveryException($"channel {kind} is not available");
            await _retry.ExecuteAsync(async token =>
            {
                // A retry is a new send: none starts once the stop has begun.
                if (attempts > 0 && Stopping)
                    throw new OperationCanceledException(_stopping.Token);
                attempts++;
                await channel.SendAsync(d, token);
            }, abort);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            Interlocked.Increment(ref _cutOff);
            _logger.LogInformation("Delivery {NotificationId} to {Person} by {Channel} cut off by the stop after {Grace}; it stays pending and is sent again after the restart",
                d.NotificationId, d.PersonId, kind, _options.StopGrace);
            return;
        }
        catch (OperationCanceledException) when (Stopping)
        {
            _logger.LogInformation("Delivery {NotificationId} to {Person} by {Channel} not retried: stopping; it stays pending and is retried after the restart",
                d.NotificationId, d.PersonId, kind);
            return;
        }
        catch (Exception e)
        {
            // Not cancellable: an outcome known is recorded, or a restart would repeat or forget it.
            await FailedAsync(record, attempts, e, CancellationToken.None);
            return;
        }

        var status = kind == ChannelKind.Sandbox ? DeliveryStatus.Sandboxed : DeliveryStatus.Sent;
        // Not cancellable: the message is out, and an unrecorded send is sent again after the restart.
        var ct = CancellationToken.None;
        await _store.CompleteAsync(record.Id, status, attempts, null, ct);
        if (Stopping)
        {
            Interlocked.Increment(ref _finishedDuringStop);
            _logger.LogInformation("Delivery {NotificationId} to {Person} by {Channel} finished during the stop and is recorded {Status}", d.NotificationId, d.PersonId, kind, status);
        }

        var now = _time.GetUtcNow();
        NotificationMetrics.Deliveries.Add(1, new("channel", kind.ToString()), new("outcome", status.ToString()));
        NotificationMetrics.Latency.Record((now - record.CreatedAt).TotalSeconds, new KeyValuePair<string, object?>("channel", kind.ToString()));
        _health.AddOrUpdate(kind, _ => new ChannelHealth(kind.ToString(), now, null, null, 0), (_, h) => h with { LastSuccessAt = now, ConsecutiveFailures = 0 });
        if (kind != ChannelKind.Sandbox && await _store.ClearDiagnosticAsync(DiagnosticKey(kind), ct))
        {
            _logger.LogInformation("Channel {Channel} delivers again; diagnostic cleared", kind);
            await RefreshDiagnosticGaugeAsync(ct);
        }
    }

    private async Task FailedAsync(DeliveryRecord record, int attempts, Exception error, CancellationToken ct)
    {
        var d = record.Draft;
        var now = _time.GetUtcNow();
        _logger.LogError("Delivery {NotificationId} to {Person} by {Channel} failed after {Attempts} attempt(s): {Error}", d.NotificationId, d.PersonId, d.Channel, attempts, error.Message);
        await _store.CompleteAsync(record.Id, DeliveryStatus.Failed, attempts, error.Message, ct);
        NotificationMetrics.Deliveries.Add(1, new("channel", d.Channel.ToString()), new("outcome", nameof(DeliveryStatus.Failed)));
        NotificationMetrics.ChannelFailures.Add(1, new KeyValuePair<string, object?>("channel", d.Channel.ToString()));
        _health.AddOrUpdate(d.Channel, _ => new ChannelHealth(d.Channel.ToString(), null, now, error.Message, 1),
            (_, h) => h with { LastFailureAt = now, LastError = error.Message, ConsecutiveFailures = h.ConsecutiveFailures + 1 });

        var roster = _roster.Current;
        var drafts = new List<DeliveryDraft>();
        if (roster.People.TryGetValue(d.PersonId, out var person))
        {
            // The other channel: a notification already planned there is not planned twice (unique id and channel).
            foreach (var other in person.Reachable())
            {
                if (other != d.Channel)
                    drafts.Add(MessageComposer.For(d, person, other) with { Note = $"fallback from {d.Channel}: {error.Message}" });
            }
        }

        var (opened, diagnosticId) = await _store.RaiseDiagnosticAsync(DiagnosticKey(d.Channel),
            $"channel {d.Channel} failed for {d.PersonId} ({d.NotificationId}): {error.Message}", ct);
        if (opened)
        {
            await RefreshDiagnosticGaugeAsync(ct);
            drafts.AddRange(_composer.ForPeople(roster.SystemOfficers(now), NotificationKind.ChannelFailed, $"diagnostic/{diagnosticId}",
                zh => zh
                    ? ($"[诊断] 通知通道 {d.Channel} 故障", $"发给 {d.PersonId} 的通知经 {d.Channel} 发送失败（{error.Message}），已改用其他通道。请检查通道配置。")
                    : ($"[Diagnostic] notification channel {d.Channel} failing", $"A notification to {d.PersonId} by {d.Channel} failed ({error.Message}) and went by another channel. Check the channel."),
                simulated: false, avoid: d.Channel));
        }

        if (drafts.Count > 0)
        {
            await _store.InsertAsync(drafts, ct);
            Wake();
        }
    }

    private async Task RefreshDiagnosticGaugeAsync(CancellationToken ct)
    {
        var diagnostics = await _store.DiagnosticsAsync(1000, ct);
        NotificationMetrics.SetOpenDiagnostics(diagnostics.Count(x => x.ClearedAt is null));
    }

    public static string DiagnosticKey(ChannelKind channel) => "channel:" + channel.ToString().ToLowerInvariant();

    public override void Dispose()
    {
        base.Dispose();
        _stopping.Dispose();
        _abort.Dispose();
    }
}

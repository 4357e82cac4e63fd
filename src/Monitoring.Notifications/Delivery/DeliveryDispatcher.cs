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
/// A delivery interrupted by shutdown stays pending and is sent after the restart.
/// </summary>
internal sealed class DeliveryDispatcher : BackgroundService
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

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                while (await DispatchPendingAsync(stoppingToken) > 0)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                _logger.LogError(e, "Dispatching deliveries failed; trying again");
            }

            try
            {
                await _wake.WaitAsync(_options.SchedulerInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Sends one batch of pending deliveries concurrently (a slow webhook must not hold up the mail); returns how many.</summary>
    public async Task<int> DispatchPendingAsync(CancellationToken ct)
    {
        var pending = await _store.PendingAsync(64, ct);
        if (pending.Count == 0)
            return 0;
        await Task.WhenAll(pending.Select(d => DeliverAsync(d, ct)));
        return pending.Count;
    }

    private async Task DeliverAsync(DeliveryRecord record, CancellationToken ct)
    {
        var d = record.Draft;
        var kind = d.Channel;
        var attempts = 0;
        try
        {
            if (!_channels.TryGetValue(kind, out var channel))
                throw new PermanentDeliveryException($"channel {kind} is not available");
            await _retry.ExecuteAsync(async token =>
            {
                attempts++;
                await channel.SendAsync(d, token);
            }, ct);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Shutting down: it stays pending and goes out after the restart.
            return;
        }
        catch (Exception e)
        {
            await FailedAsync(record, attempts, e, ct);
            return;
        }

        var status = kind == ChannelKind.Sandbox ? DeliveryStatus.Sandboxed : DeliveryStatus.Sent;
        await _store.CompleteAsync(record.Id, status, attempts, null, ct);
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
}

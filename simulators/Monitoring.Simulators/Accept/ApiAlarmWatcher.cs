using System.Net.Http.Json;
using System.Text.Json;

namespace Monitoring.Simulators.Accept;

/// <summary>
/// Polls the service's <c>GET /api/alarms</c> (active alarms) for the embedded default, which has no
/// RabbitMQ. An alarm that raises and clears between two polls is missed; the poll interval is short and
/// the demo rules' off-delays are seconds of sensor time, so at moderate speeds none is.
/// </summary>
public sealed class ApiAlarmWatcher : IAlarmWatcher
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, ObservedAlarm> _alarms = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _poller;

    public ApiAlarmWatcher(Uri baseAddress, TimeProvider? time = null, TimeSpan? interval = null)
    {
        _http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(5) };
        _time = time ?? TimeProvider.System;
        _interval = interval ?? TimeSpan.FromMilliseconds(100);
        Source = $"{new Uri(baseAddress, "/api/alarms")}";
    }

    public string Source { get; }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await PollAsync(cancellationToken);
        }
        catch (HttpRequestException ex)
        {
            throw new Gateway.BrokerUnreachableException($"cannot reach the monitoring service at {_http.BaseAddress}: {ex.Message}", ex);
        }

        _poller = Task.Run(() => LoopAsync(_stop.Token), CancellationToken.None);
    }

    private async Task LoopAsync(CancellationToken cancellationToken)
    {
        using var timer = new PeriodicTimer(_interval, _time);
        while (await timer.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
        {
            try
            {
                await PollAsync(cancellationToken);
            }
            catch (HttpRequestException)
            {
                // A missed poll is retried on the next tick; the service may be restarting.
            }
            catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // Request timeout: retried on the next tick.
            }
        }
    }

    private async Task PollAsync(CancellationToken cancellationToken)
    {
        var alarms = await _http.GetFromJsonAsync<JsonElement>(new Uri("/api/alarms", UriKind.Relative), cancellationToken);
        if (alarms.ValueKind != JsonValueKind.Array)
            return;
        foreach (var item in alarms.EnumerateArray())
        {
            var alarm = ObservedAlarm.FromJson(item);
            lock (_lock)
                _alarms.TryAdd(alarm.AlarmId, alarm);
        }
    }

    public IReadOnlyList<ObservedAlarm> Snapshot()
    {
        lock (_lock)
            return [.. _alarms.Values];
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        if (_poller is not null)
        {
            try
            {
                await _poller;
            }
            catch (OperationCanceledException)
            {
                // Stopped on purpose.
            }
        }

        _stop.Dispose();
        _http.Dispose();
    }
}

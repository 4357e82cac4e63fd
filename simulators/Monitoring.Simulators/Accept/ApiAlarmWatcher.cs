using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;

namespace Monitoring.Simulators.Accept;

/// <summary>
/// Polls the service's <c>GET /api/alarms</c> (active alarms) for the embedded default, which has no
/// RabbitMQ. An alarm that raises and clears between two polls is missed; the poll interval is short and
/// the demo rules' off-delays are seconds of sensor time, so at moderate speeds none is. An alarm raised
/// again under the same id is a new entry when its raise time differs.
/// </summary>
public sealed class ApiAlarmWatcher : IAlarmWatcher
{
    private readonly HttpClient _http;
    private readonly TimeProvider _time;
    private readonly TimeSpan _interval;
    private readonly Dictionary<string, ObservedAlarm> _alarms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (long Sequence, bool Active)> _seen = new(StringComparer.Ordinal);
    private readonly Scenarios.SensorClock? _clock;
    private readonly double _speed;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private Task? _poller;

    /// <param name="clock">The running scenarios' sensor clock: places a re-raise (same alarm, higher sequence) on the timeline.</param>
    /// <param name="speed">The run's speed: a re-raise's time is uncertain by a poll interval of wall time at this speed.</param>
    public ApiAlarmWatcher(Uri baseAddress, TimeProvider? time = null, TimeSpan? interval = null, Scenarios.SensorClock? clock = null, double speed = 1)
    {
        _clock = clock;
        _speed = speed <= 0 ? 50 : Math.Max(speed, 1);
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
            catch (Exception ex) when (ex is HttpRequestException or JsonException)
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
            ObservedAlarm alarm;
            try
            {
                alarm = ObservedAlarm.FromJson(item);
            }
            catch (Exception ex) when (ex is FormatException or InvalidOperationException or KeyNotFoundException)
            {
                // An entry of a shape we do not know is not an alarm we can match; the others still count.
                continue;
            }

            var sequence = item.TryGetProperty("sequence", out var seq) && seq.ValueKind == JsonValueKind.Number ? seq.GetInt64() : 1;
            var active = item.TryGetProperty("conditionActive", out var act) && act.ValueKind == JsonValueKind.True;
            lock (_lock)
            {
                if (!_seen.TryGetValue(alarm.AlarmId, out var before))
                {
                    _alarms.TryAdd($"{alarm.AlarmId}#first", alarm);
                }
                else if (sequence > before.Sequence && (active || sequence - before.Sequence >= 2) && _clock?.Get(alarm.Enterprise, alarm.Gateway) is { } sensorNow)
                {
                    // ISA-18.2: a raise while returned-to-normal-unacknowledged re-activates the same alarm and the
                    // API keeps the first raise time; the bus has the true time, here it is the scenario's clock.
                    var uncertainty = TimeSpan.FromMilliseconds((_interval.TotalMilliseconds + 300) * _speed);
                    _alarms.TryAdd(
                        string.Create(CultureInfo.InvariantCulture, $"{alarm.AlarmId}#{sequence}"),
                        alarm with { OccurredAt = DateTimeOffset.FromUnixTimeMilliseconds(sensorNow), Uncertainty = uncertainty });
                }

                _seen[alarm.AlarmId] = (sequence, active);
            }
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

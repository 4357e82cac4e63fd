using MassTransit;
using Microsoft.Extensions.Options;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Pipeline;

namespace Monitoring.Ingestion.Bus;

/// <summary>
/// Publishes <see cref="ServiceHeartbeat"/> every <see cref="BusOptions.HeartbeatInterval"/>, straight to
/// the bus (not through the outbox: a heartbeat that cannot be sent is a missed heartbeat, and its
/// absence is what the notification service's watchdog watches for).
/// </summary>
internal sealed partial class HeartbeatPublisher(
    IBus bus,
    IOptions<BusOptions> options,
    GatewayRegistry gateways,
    AlarmTracker alarms,
    TimeProvider time,
    ILogger<HeartbeatPublisher> logger) : BackgroundService
{
    private readonly string _instance = $"{Environment.MachineName}/{Environment.ProcessId}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var interval = options.Value.HeartbeatInterval;
        if (interval <= TimeSpan.Zero)
            return;
        var startedAt = time.GetUtcNow();
        using var timer = new PeriodicTimer(interval, time);
        do
        {
            try
            {
                await bus.Publish(Create(startedAt, interval), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                IngestionMetrics.PublishFailures.Add(1);
                LogHeartbeatFailed(logger, ex.Message);
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private ServiceHeartbeat Create(DateTimeOffset startedAt, TimeSpan interval)
    {
        var now = time.GetUtcNow();
        var online = 0;
        foreach (var gateway in gateways.All())
        {
            if (!gateway.Silent && !string.Equals(gateway.Status, GatewayStates.Offline, StringComparison.Ordinal))
                online++;
        }

        return new ServiceHeartbeat
        {
            EventId = Guid.CreateVersion7(now),
            Service = "ingestion",
            Instance = _instance,
            SentAt = now,
            StartedAt = startedAt,
            IntervalSeconds = (int)Math.Ceiling(interval.TotalSeconds),
            GatewaysOnline = online,
            ActiveAlarms = alarms.All.Count,
        };
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Heartbeat not published (the bus is unreachable?): {Error}")]
    private static partial void LogHeartbeatFailed(ILogger logger, string error);
}

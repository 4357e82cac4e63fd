using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Alarms;

/// <summary>Deletes the alarms that closed longer ago than the retention, at start and then periodically.</summary>
internal sealed partial class AlarmHistoryPruner(AlarmJournal journal, IOptions<AlarmHistoryOptions> options, TimeProvider time, ILogger<AlarmHistoryPruner> logger)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.PruneEvery, time);
        do
        {
            try
            {
                var deleted = await journal.PruneHistoryAsync(time.GetUtcNow() - options.Value.Retention, stoppingToken);
                if (deleted > 0)
                    LogPruned(logger, deleted, options.Value.Retention);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // Pruning is housekeeping: a failure is logged and retried at the next period, never fatal.
                LogPruneFailed(logger, e);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Alarm history: deleted {Count} alarms closed more than {Retention} ago")]
    private static partial void LogPruned(ILogger logger, int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alarm history: pruning failed; retried at the next period")]
    private static partial void LogPruneFailed(ILogger logger, Exception e);
}

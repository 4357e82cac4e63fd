using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Hazards;

/// <summary>
/// Runs the major-hazard register: loads it once the alarms are restored (registered after the ingestion host, whose
/// start restores them), attaches the major-hazard alarms as their raises are committed, and checks the deadlines.
/// A failed commit (the journal's disk) is logged and retried: the raise stays queued, a deadline is checked again.
/// </summary>
internal sealed partial class HazardService(HazardRegister register, IOptions<HazardOptions> options, TimeProvider time, ILogger<HazardService> logger)
    : BackgroundService
{
    public override async Task StartAsync(CancellationToken cancellationToken)
    {
        await register.LoadAsync(cancellationToken);
        await base.StartAsync(cancellationToken);
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(AttachAsync(stoppingToken), CheckDeadlinesAsync(stoppingToken));

    private async Task AttachAsync(CancellationToken stoppingToken)
    {
        await foreach (var raised in register.Found.ReadAllAsync(stoppingToken))
        {
            while (true)
            {
                try
                {
                    await register.AttachAsync(raised, stoppingToken);
                    break;
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogFailed(logger, e);
                    await Task.Delay(options.Value.CheckEvery, time, stoppingToken);
                }
            }
        }
    }

    private async Task CheckDeadlinesAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.CheckEvery, time);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await register.CheckDeadlinesAsync(stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogFailed(logger, e);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Major-hazard register: a change could not be committed; retried")]
    private static partial void LogFailed(ILogger logger, Exception e);
}

using System.Diagnostics;
using Microsoft.Extensions.Options;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Sites;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Hosting;

/// <summary>
/// Rebuilds rule state after a restart or a kill -9 by running the last minutes of stored readings
/// through the rules before any new message is taken: an on-delay that was counting keeps counting from
/// when the condition became true, a window (rate of change, count in window, cause and effect) holds the
/// readings it held, a sensor's last value is known. The store is the record: every acknowledged
/// reading is in it, so no separate snapshot has to be kept in step with it.
/// The readings go through the same evaluator as live data (the owning worker's <see cref="ReadingEvaluator"/>,
/// origin <see cref="TransitionOrigin.Replay"/>), and the alarm journal stays the authority on alarms
/// (AlarmTracker.Apply): a transition not newer than the newest one journalled for its alarm key was already
/// published and is dropped (no clear from an earlier episode, no second raise of a continuing condition); a
/// newer one was lost in the crash (a delay matured by a timer, not yet journalled) and is applied, a raise
/// being held like any raise found in data behind the gateway's clock. Afterwards every condition's rule state
/// is set to what the journal says (<see cref="RuleStateReconciler"/>), so that a rule and its alarm agree.
/// </summary>
internal sealed partial class RuleStateReplay(
    ITimeSeriesReader reader,
    RuleSetHolder ruleSets,
    AlarmTracker alarms,
    AlarmJournal journal,
    GatewayRegistry gateways,
    IngestionPipeline pipeline,
    IOptions<PipelineOptions> options,
    IOptions<TelemetryOptions> telemetry,
    TimeProvider time,
    ILogger<RuleStateReplay> logger)
{
    /// <summary>
    /// At start, before any message: restores the journal's alarms, the newest transition of every alarm key and
    /// the gateways' clock estimates, replays the stored readings, and reconciles the rules with the alarms.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        alarms.Restore(await journal.LoadActiveAsync(cancellationToken));
        alarms.RestoreNewestTransitions(await journal.LoadNewestTransitionsAsync(cancellationToken));
        var restoredAtMs = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var clock in await journal.LoadGatewayClocksAsync(cancellationToken))
            gateways.Get(clock.Enterprise, clock.Gateway).Clock.Restore(clock.OffsetMs, restoredAtMs);

        var window = options.Value.ReplayOnStart;
        var entries = new List<JournalEntry>();
        if (window > TimeSpan.Zero)
            await ReplayAsync(window, entries, cancellationToken);

        RuleStateReconciler.Reconcile(ruleSets.Current, alarms);
        await journal.CommitAsync(entries, time.GetUtcNow().ToUnixTimeMilliseconds(), cancellationToken);
    }

    private async Task ReplayAsync(TimeSpan window, List<JournalEntry> entries, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        long readings = 0;
        var gatewaysReplayed = 0;
        foreach (var gatewayRules in ruleSets.Current.Gateways)
        {
            IReadOnlyList<StoredPointReading> stored;
            var gateway = gateways.Get(gatewayRules.Enterprise, gatewayRules.Gateway);
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.ReplayTimeout);
                var (from, to) = ReplayRange(gateway.Clock, nowMs, window);
                stored = await reader.ReadGatewayAsync(gatewayRules.Enterprise, gatewayRules.Gateway, from, to, timeout.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Starting matters more than a perfect warm start: the rules start from the journal's alarm state
                // (delays restart at the next reading; no alarm is lost or raised twice).
                LogReplayFailed(logger, gatewayRules.Enterprise, gatewayRules.Gateway, ex.Message);
                continue;
            }

            if (stored.Count == 0)
                continue;
            gatewaysReplayed++;
            var evaluator = pipeline.EvaluatorOf(gatewayRules.Enterprise, gatewayRules.Gateway);
            foreach (var (point, reading) in stored)
            {
                if (!gatewayRules.TryGetSensor(point, out var sensor))
                    continue;
                readings++;
                var (kind, number) = reading.Value is { } v ? (PointValueKind.Number, v)
                    : reading.State is { } b ? (PointValueKind.Boolean, b ? 1d : 0d)
                    : (PointValueKind.Null, double.NaN);
                // Arrival is "now" for no-data rules: the service was down, not the sensor. Silence that
                // continues after the start is detected from the start, as for a fresh start.
                evaluator.Evaluate(gatewayRules, sensor, gateway, reading.Timestamp.ToUnixTimeMilliseconds(), kind, number, (PointQuality)reading.Quality,
                    nowMs, nowMs, gateway.Simulated, TransitionOrigin.Replay, entries);
            }
        }

        LogReplayed(logger, readings, gatewaysReplayed, window, entries.Count(e => e.HasEvent), alarms.Held.Count, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// The last <paramref name="window"/> of the gateway's readings, in its own time base: a gateway whose clock runs
    /// ahead stored readings "in the future" of the server's clock, one running behind stored them "in the past", and a
    /// window on the server's clock alone would miss what the rules were counting at the stop (an on-delay would start
    /// again). Both clocks are covered when the offset is not known yet; nothing stored lies beyond MaxFutureSkew.
    /// </summary>
    private (DateTimeOffset From, DateTimeOffset To) ReplayRange(GatewayClock clock, long serverNowMs, TimeSpan window)
    {
        var gatewayNowMs = clock.GatewayNowMs(serverNowMs);
        var windowMs = (long)window.TotalMilliseconds;
        var futureMs = (long)telemetry.Value.MaxFutureSkew.TotalMilliseconds;
        return (DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(gatewayNowMs, serverNowMs) - windowMs),
            DateTimeOffset.FromUnixTimeMilliseconds(Math.Max(gatewayNowMs, serverNowMs) + futureMs));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule state replayed: {Readings} stored readings of {Gateways} gateways (last {Window}); {Events} alarm event(s) the crash had lost, {Held} raise(s) held until their gateway's data is current; {Milliseconds:F0} ms")]
    private static partial void LogReplayed(ILogger logger, long readings, int gateways, TimeSpan window, int events, int held, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule state of {Enterprise}/{Gateway} not replayed (its rules start from the alarm journal): {Error}")]
    private static partial void LogReplayFailed(ILogger logger, string enterprise, string gateway, string error);
}

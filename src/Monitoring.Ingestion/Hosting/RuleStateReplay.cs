using System.Diagnostics;
using Microsoft.Extensions.Options;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Evaluation;

namespace Monitoring.Ingestion.Hosting;

/// <summary>
/// Rebuilds rule state after a restart or a kill -9 by running the last minutes of stored readings
/// through the rules before any new message is taken: an on-delay that was counting keeps counting from
/// when the condition became true, a window (rate of change, count in window, cause and effect) holds the
/// readings it held, a sensor's last value is known. The store is the record: every acknowledged
/// reading is in it, so no separate snapshot has to be kept in step with it.
/// What the replay finds is reconciled with the alarm journal, which stays the authority on alarms:
/// <list type="bullet">
/// <item>a clear of an alarm the journal has active is applied now (the reading was stored, the crash came
/// before its alarm event was journalled);</item>
/// <item>a raise is never applied from the replay (an alarm raised, cleared and acknowledged before the
/// crash must not come back). When the rule is still active at the end of the replay and the journal
/// has no such alarm, the raise was lost in the same crash window: it is handed to the gateway's worker,
/// which applies it with the first live message of the gateway (which also says whether the traffic is
/// simulated) if the condition still holds then.</item>
/// </list>
/// </summary>
internal sealed partial class RuleStateReplay(
    ITimeSeriesReader reader,
    RuleSetHolder ruleSets,
    AlarmTracker alarms,
    AlarmJournal journal,
    GatewayRegistry gateways,
    IOptions<PipelineOptions> options,
    TimeProvider time,
    ILogger<RuleStateReplay> logger)
{
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var window = options.Value.ReplayOnStart;
        if (window <= TimeSpan.Zero)
            return;

        var started = Stopwatch.GetTimestamp();
        var now = time.GetUtcNow();
        var nowMs = now.ToUnixTimeMilliseconds();
        var transitions = new List<AlarmTransition>();
        var entries = new List<JournalEntry>();
        long readings = 0;
        var gatewaysReplayed = 0;
        var clears = 0;
        var pendingRaises = 0;
        foreach (var gatewayRules in ruleSets.Current.Gateways)
        {
            IReadOnlyList<StoredPointReading> stored;
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(options.Value.ReplayTimeout);
                stored = await reader.ReadGatewayAsync(gatewayRules.Enterprise, gatewayRules.Gateway, now - window, now, timeout.Token);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                // Starting matters more than a perfect warm start: the rules start fresh, as they did before
                // replay existed (delays restart at the next reading; no alarm is lost or raised twice).
                LogReplayFailed(logger, gatewayRules.Enterprise, gatewayRules.Gateway, ex.Message);
                continue;
            }

            if (stored.Count == 0)
                continue;
            gatewaysReplayed++;
            var raises = new Dictionary<string, AlarmTransition>(StringComparer.Ordinal);
            foreach (var (point, reading) in stored)
            {
                if (!gatewayRules.TryGetSensor(point, out var sensor))
                    continue;
                readings++;
                var timestampMs = reading.Timestamp.ToUnixTimeMilliseconds();
                // Arrival is "now" for no-data rules: the service was down, not the sensor. Silence that
                // continues after the start is detected from the start, as for a fresh start.
                if (reading.Value is null && reading.State is null)
                    sensor.EvaluateBadQuality(timestampMs, nowMs, transitions);
                else
                    sensor.Evaluate(timestampMs, reading.Value ?? (reading.State == true ? 1d : 0d), (PointQuality)reading.Quality, transitions, nowMs);

                foreach (var transition in transitions)
                {
                    var key = transition.Condition.Key;
                    if (transition.Kind == AlarmTransitionKind.Raised)
                    {
                        raises[key] = transition;
                        continue;
                    }

                    raises.Remove(key);
                    if (alarms.TryGetByKey(key, out var alarm) && alarm.ConditionActive)
                    {
                        alarms.Apply(transition, new TransitionContext([], alarm.Raised.Simulated, options.Value.HistoricalAfter), entries);
                        clears++;
                    }
                }

                transitions.Clear();
            }

            var lost = new List<AlarmTransition>();
            foreach (var (key, raise) in raises)
            {
                if (gatewayRules.IsRaised(raise.Condition) && !(alarms.TryGetByKey(key, out var alarm) && alarm.ConditionActive))
                    lost.Add(raise);
            }

            if (lost.Count > 0)
            {
                gateways.Get(gatewayRules.Enterprise, gatewayRules.Gateway).ReplayedRaises = lost;
                pendingRaises += lost.Count;
            }
        }

        await journal.CommitAsync(entries, nowMs, cancellationToken);
        LogReplayed(logger, readings, gatewaysReplayed, window, clears, pendingRaises, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Rule state replayed: {Readings} stored readings of {Gateways} gateways (last {Window}); {Clears} alarm(s) cleared, {Raises} raise(s) left for the first live message; {Milliseconds:F0} ms")]
    private static partial void LogReplayed(ILogger logger, long readings, int gateways, TimeSpan window, int clears, int raises, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rule state of {Enterprise}/{Gateway} not replayed (its rules start fresh): {Error}")]
    private static partial void LogReplayFailed(ILogger logger, string enterprise, string gateway, string error);
}

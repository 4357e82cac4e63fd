using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// The one path from a reading (or a timer) to alarm transitions: live messages, late data and the start-up
/// replay of stored readings all come through here, so they cannot disagree about what a reading means. It runs
/// the reading through the sensor's rules (the late-data twin for a reading older than the sensor's newest),
/// keeps the alarm context, says for every transition what found it and whether its data is current against
/// the gateway's own clock, and hands it to <see cref="AlarmTracker.Apply"/>, which decides what is published.
/// One per partition worker (single writer of its gateways' rule state); the replay uses the owning worker's
/// before the workers start. Allocates nothing per reading unless a transition happens.
/// </summary>
internal sealed class ReadingEvaluator(PipelineDependencies deps)
{
    private readonly List<AlarmTransition> _transitions = [];
    private readonly List<AlarmTransition> _lateTransitions = [];
    private readonly Dictionary<SensorRules, ContextRing> _contexts = new(ReferenceEqualityComparer.Instance);
    private readonly long _historicalAfterMs = (long)deps.Options.HistoricalAfter.TotalMilliseconds;
    private readonly long _reorderWindowMs = (long)deps.Options.ReorderWindow.TotalMilliseconds;
    private RuleSet? _contextsFor;

    /// <summary>
    /// Evaluates one reading of a configured point and applies what it changes.
    /// </summary>
    /// <param name="origin"><see cref="TransitionOrigin.Reading"/> for a live message, <see cref="TransitionOrigin.Replay"/> for a stored reading at start.</param>
    /// <param name="receivedAtMs">Server time the reading arrived (for the replay: now; the service was down, not the sensor).</param>
    /// <param name="serverNowMs">Server clock now, to judge the reading against the gateway's clock.</param>
    public void Evaluate(
        GatewayRules rules, SensorRules sensor, GatewayState gateway, long timestampMs, PointValueKind kind, double number, PointQuality quality,
        long receivedAtMs, long serverNowMs, bool simulated, TransitionOrigin origin, List<JournalEntry> journal)
    {
        ForgetOldContexts();
        if (kind == PointValueKind.Null)
        {
            // A bad point without a value: data is flowing, and the sensor is unhealthy.
            sensor.EvaluateBadQuality(timestampMs, receivedAtMs, _transitions);
            Count(origin, "bad_quality");
        }
        else
        {
            var outcome = sensor.Evaluate(timestampMs, number, quality, _transitions, receivedAtMs);
            switch (outcome)
            {
                case EvaluationOutcome.Evaluated:
                    ContextOf(sensor).Add(timestampMs, kind, number);
                    break;
                case EvaluationOutcome.Duplicate:
                    Count(origin, "duplicate");
                    break;
                case EvaluationOutcome.Late:
                    Count(origin, "late");
                    // The replay reads the store in time order: nothing it reads is late news.
                    if (origin == TransitionOrigin.Reading)
                        EvaluateLate(sensor, gateway, timestampMs, number, quality, receivedAtMs, simulated, journal);
                    break;
                case EvaluationOutcome.SkippedBadQuality:
                    Count(origin, "bad_quality");
                    break;
            }
        }

        if (_transitions.Count > 0)
            Apply(rules, gateway, origin, simulated, serverNowMs, journal);
    }

    /// <summary>Time-driven rules of one gateway (no data, deadlines, delays that mature without a reading, windows), and its static checks when asked.</summary>
    public void Tick(GatewayRules rules, GatewayState gateway, long nowMs, bool raiseStaticViolations, List<JournalEntry> journal)
    {
        if (raiseStaticViolations)
        {
            foreach (var violation in rules.StaticViolations)
                _transitions.Add(new AlarmTransition(violation, AlarmTransitionKind.Raised, nowMs, double.NaN));
        }

        // A gateway whose messages wait in the queue is not extrapolated past its latest evaluated reading.
        rules.Tick(nowMs, _transitions, readingsQueued: gateway.HasQueuedMessages);
        if (_transitions.Count > 0)
            Apply(rules, gateway, TransitionOrigin.Timer, gateway.Simulated, nowMs, journal);
    }

    /// <summary>
    /// A diagnostic the service decides itself (not a rule): e.g. GATEWAY_CLOCK_SKEW. Applied as a timer's
    /// transition, with no context readings.
    /// </summary>
    public void ApplyDiagnostic(GatewayState gateway, in AlarmTransition transition, List<JournalEntry> journal)
        => deps.Alarms.Apply(transition, new TransitionContext([], gateway.Simulated, TransitionOrigin.Timer), journal);

    /// <summary>
    /// A reading older than what the sensor's live rules have evaluated (a back-fill): stored as usual, and
    /// run through the late-data twin of the rules (<see cref="RuleSetHolder.LateData"/>), whose transitions
    /// are historical unless the reading is late by no more than the reorder window. Off the hot path.
    /// </summary>
    private void EvaluateLate(SensorRules live, GatewayState gateway, long timestampMs, double value, PointQuality quality, long receivedAtMs, bool simulated, List<JournalEntry> journal)
    {
        gateway.LastLateDataAtMs = receivedAtMs;
        gateway.LatestLateTimestampMs = Math.Max(gateway.LatestLateTimestampMs, timestampMs);
        var late = deps.RuleSets.LateData.FindGateway(gateway.Enterprise, gateway.Gateway);
        if (late is null || !late.TryGetSensor(live.Tag, out var sensor))
            return;
        sensor.Evaluate(timestampMs, value, quality, _lateTransitions, receivedAtMs);
        if (_lateTransitions.Count == 0)
            return;
        var withinWindow = live.LastEvaluatedMs is { } newest && newest - timestampMs <= _reorderWindowMs;
        var context = new TransitionContext([], simulated, TransitionOrigin.LateData, WithinReorderWindow: withinWindow);
        foreach (var transition in _lateTransitions)
            deps.Alarms.Apply(transition, context, journal);
        _lateTransitions.Clear();
    }

    /// <summary>Turns rule transitions into alarm events. Transitions are rare: allocating here (context, events) is fine.</summary>
    private void Apply(GatewayRules rules, GatewayState gateway, TransitionOrigin origin, bool simulated, long serverNowMs, List<JournalEntry> journal)
    {
        foreach (var transition in _transitions)
        {
            var readings = new List<ContextReading>();
            foreach (var tag in transition.Condition.Tags)
            {
                if (rules.TryGetSensor(tag, out var involved))
                    ContextOf(involved).CopyTo(readings);
            }

            // A timer decides now, in the gateway's time base (or the server's, for no data): always current.
            var current = origin == TransitionOrigin.Timer || gateway.Clock.IsCurrent(transition.OccurredAtMs, serverNowMs, _historicalAfterMs);
            deps.Alarms.Apply(transition, new TransitionContext(readings, simulated, origin, current), journal);
        }

        _transitions.Clear();
    }

    private static void Count(TransitionOrigin origin, string outcome)
    {
        if (origin == TransitionOrigin.Reading)
            IngestionMetrics.ReadingsNotEvaluated.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
    }

    private void ForgetOldContexts()
    {
        var ruleSet = deps.RuleSets.Current;
        if (!ReferenceEquals(ruleSet, _contextsFor))
        {
            // A reload brings new sensor objects; the old rings would only leak.
            _contexts.Clear();
            _contextsFor = ruleSet;
        }
    }

    private ContextRing ContextOf(SensorRules sensor)
    {
        if (!_contexts.TryGetValue(sensor, out var ring))
        {
            ring = new ContextRing(sensor.Tag, deps.Options.ContextReadings);
            _contexts[sensor] = ring;
        }

        return ring;
    }
}

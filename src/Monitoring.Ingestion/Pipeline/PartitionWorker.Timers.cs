using Monitoring.Ingestion.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>What time alone changes, once a second on the worker: rule timers, held raises, shelves, escalation, disposal deadlines, late episodes, silence.</summary>
internal sealed partial class PartitionWorker
{
    private long _lastTickMs;

    // Cached once: the timers run every second and must not allocate a delegate each time.
    private readonly Func<HeldRaise, bool> _heldTooLong;

    /// <summary>Timers run on the worker, between messages: at most once a second, and on an idle tick.</summary>
    private void RunTimersWhenDue()
    {
        var nowMs = _deps.Time.GetUtcNow().ToUnixTimeMilliseconds();
        if (nowMs - _lastTickMs < TimerPeriodMs)
            return;
        _lastTickMs = nowMs;
        DetectSilentGateways(nowMs);
        TickRules(nowMs);
        _deps.Alarms.ReleaseHeld(_heldTooLong, "hold_limit", _pendingJournal);
        _deps.Alarms.ExpireShelves(Index, _pendingJournal);
        _deps.Alarms.Escalate(Index, _pendingJournal);
        _deps.Alarms.CheckDisposalDeadlines(Index, _pendingJournal);
        EndSettledLateEpisodes(nowMs);
    }

    private bool HeldTooLong(HeldRaise held) =>
        held.Partition == Index && _deps.Time.GetUtcNow() - held.HeldAt >= _deps.Options.BacklogHoldLimit;

    public const int TimerPeriodMs = 1000;

    /// <summary>
    /// An episode found in late data whose end the back-fill did not contain: once no late data has come
    /// for <see cref="PipelineOptions.LateDataSettle"/> and the live rules do not hold the condition, it ended
    /// before the live data resumed; it is cleared (historical) at the latest sensor time the back-fill covered.
    /// </summary>
    private void EndSettledLateEpisodes(long nowMs)
    {
        foreach (var alarm in _deps.Alarms.OwnedBy(Index))
        {
            if (!alarm.LateEpisode || !alarm.ConditionActive)
                continue;
            var gateway = _deps.Gateways.Get(alarm.Raised.Enterprise, alarm.Raised.Gateway);
            if (nowMs - gateway.LastLateDataAtMs < _deps.Options.LateDataSettle.TotalMilliseconds)
                continue;
            var rules = _deps.RuleSets.Current;
            if (!rules.TryGetCondition(alarm.Key, out var condition))
                continue;
            var live = rules.FindGateway(condition.Enterprise, condition.Gateway);
            if (live is not null && live.IsRaised(condition))
                continue;
            var end = Math.Max(gateway.LatestLateTimestampMs, alarm.Raised.OccurredAt.ToUnixTimeMilliseconds());
            _deps.Alarms.Apply(new AlarmTransition(condition, AlarmTransitionKind.Cleared, end, double.NaN),
                new TransitionContext([], alarm.Raised.Simulated, TransitionOrigin.LateData), _pendingJournal);
        }
    }

    /// <summary>
    /// Time-driven rules of this partition's gateways (no data, deadlines, delays that mature without a
    /// reading), their clock-skew diagnostic, and, on the first run, the configuration's failed static checks.
    /// </summary>
    private void TickRules(long nowMs)
    {
        var ruleSet = _deps.RuleSets.Current;
        var raiseStatic = !ReferenceEquals(_ownedRulesOf, ruleSet);
        if (raiseStatic)
        {
            // Once per rule set (start, reload): which configured gateways are this partition's.
            _ownedRules = [.. ruleSet.Gateways
                .Select(rules => (Rules: rules, State: _deps.Gateways.Get(rules.Enterprise, rules.Gateway)))
                .Where(owned => owned.State.Partition == Index)];
            _ownedRulesOf = ruleSet;
        }

        foreach (var (gatewayRules, gateway) in _ownedRules)
        {
            Evaluator.Tick(gatewayRules, gateway, nowMs, raiseStatic, _pendingJournal);
            if (raiseStatic)
                CheckClockSkew(gateway, gatewayRules, nowMs);
        }
    }

    private RuleSet? _ownedRulesOf;
    private (GatewayRules Rules, GatewayState State)[] _ownedRules = [];
}

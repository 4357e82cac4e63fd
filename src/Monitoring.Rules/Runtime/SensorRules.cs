using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Runtime;

public enum EvaluationOutcome : byte
{
    /// <summary>The reading was newer than the last one evaluated and went through the rules.</summary>
    Evaluated,
    /// <summary>Same timestamp as the last evaluated reading: a redelivery or re-send; not evaluated twice.</summary>
    Duplicate,
    /// <summary>Older than the last evaluated reading: stored and flagged historical; rule state is not rewound.</summary>
    Late,
    /// <summary>Bad quality: stored, never drives a process-value rule.</summary>
    SkippedBadQuality,
}

/// <summary>
/// One configured point: the duplicate, late and bad-quality filter in front of every rule that reads it, the
/// point's own (limit) rules, and the gateway rules that read it. Not thread-safe: single writer.
/// </summary>
public sealed class SensorRules
{
    private readonly AlarmCondition[] _conditions;
    private readonly int _index;
    private readonly SignalTable _table;
    private readonly GatewayRule[] _dependents;
    private long _lastEvaluatedMs;
    private bool _evaluatedAny;
    private long _lastBadMs;
    private bool _badAny;

    /// <param name="own">The rules declared on the point.</param>
    /// <param name="dependents">Every rule that reads the point, the point's own first: evaluated in this order at each reading.</param>
    internal SensorRules(PointConfiguration point, int index, SignalTable table, GatewayRule[] own, GatewayRule[] dependents)
    {
        Point = point;
        _index = index;
        _table = table;
        _dependents = dependents;
        _conditions = [.. own.SelectMany(r => r.Conditions)];
    }

    internal GatewayRules? Owner { get; set; }

    public PointConfiguration Point { get; }
    public string Tag => Point.Tag;
    public string? Unit => Point.Unit;
    public string? Equipment => Point.Equipment;

    /// <summary>The alarm conditions of the point's own (limit) rules, in evaluation order. Gateway rules that read this point are in <see cref="GatewayRules.GatewayConditions"/>.</summary>
    public IReadOnlyList<AlarmCondition> Conditions => _conditions;

    /// <summary>Timestamp of the last reading that went through the rules, or null before the first.</summary>
    public long? LastEvaluatedMs => _evaluatedAny ? _lastEvaluatedMs : null;

    /// <summary>
    /// Evaluates one reading in event time, assuming it arrived at its own timestamp (no clock skew). Prefer the
    /// overload with the arrival time when no-data rules exist.
    /// </summary>
    public EvaluationOutcome Evaluate(long timestampMs, double value, PointQuality quality, List<AlarmTransition> transitions)
        => Evaluate(timestampMs, value, quality, transitions, timestampMs);

    /// <summary>
    /// Evaluates one reading in event time. Transitions are appended to <paramref name="transitions"/>
    /// (a list the caller reuses). Allocates nothing when no transition happens.
    /// Booleans are evaluated as 1 (true) and 0 (false).
    /// </summary>
    /// <param name="receivedAtMs">Server time the reading arrived: what no-data rules compare with the timer's clock.</param>
    /// <remarks>
    /// Any reading, also a duplicate, a late one or a bad one, counts as data arriving (it clears a no-data alarm).
    /// Duplicate and late are decided before quality, against the last evaluated reading. A bad reading (or a
    /// NaN) does not touch process-rule state: it neither advances the last evaluated timestamp nor breaks an on-
    /// or off-delay being counted; it feeds sensor-health rules (bad quality for longer than T). Uncertain
    /// readings are evaluated like good ones. The new value goes into the gateway's signal table, then every rule that
    /// reads this point is evaluated, the point's own rules first.
    /// </remarks>
    public EvaluationOutcome Evaluate(long timestampMs, double value, PointQuality quality, List<AlarmTransition> transitions, long receivedAtMs)
    {
        Arrived(receivedAtMs, transitions);
        if (OutOfOrder(timestampMs) is { } outcome)
        {
            return outcome;
        }

        if (quality == PointQuality.Bad || double.IsNaN(value))
        {
            Bad(timestampMs, receivedAtMs, transitions);
            return EvaluationOutcome.SkippedBadQuality;
        }

        _lastEvaluatedMs = timestampMs;
        _evaluatedAny = true;
        _table.Value[_index] = value;
        _table.ValueMs[_index] = timestampMs;
        _table.HasValue[_index] = true;
        _table.Bad[_index] = false;
        Owner?.Observe(timestampMs, receivedAtMs);
        foreach (var rule in _dependents)
        {
            rule.OnReading(_index, timestampMs, _table, transitions);
        }

        return EvaluationOutcome.Evaluated;
    }

    /// <summary>
    /// A bad-quality reading without a value (JSON null) arrived: data is flowing (clears no data) and the sensor is
    /// unhealthy (starts or continues a bad-quality run in event time). Process rules are untouched.
    /// </summary>
    public EvaluationOutcome EvaluateBadQuality(long timestampMs, long receivedAtMs, List<AlarmTransition> transitions)
    {
        Arrived(receivedAtMs, transitions);
        if (OutOfOrder(timestampMs) is { } outcome)
        {
            return outcome;
        }

        Bad(timestampMs, receivedAtMs, transitions);
        return EvaluationOutcome.SkippedBadQuality;
    }

    /// <summary>Duplicate or late against the last evaluated reading (decided before quality); null when newer.</summary>
    private EvaluationOutcome? OutOfOrder(long timestampMs)
    {
        if (!_evaluatedAny || timestampMs > _lastEvaluatedMs)
        {
            return null;
        }

        return timestampMs == _lastEvaluatedMs ? EvaluationOutcome.Duplicate : EvaluationOutcome.Late;
    }

    private void Arrived(long receivedAtMs, List<AlarmTransition> transitions)
    {
        _table.ReceivedAtMs[_index] = receivedAtMs;
        _table.Received[_index] = true;
        foreach (var rule in _dependents)
        {
            rule.OnArrival(_index, receivedAtMs, transitions);
        }
    }

    private void Bad(long timestampMs, long receivedAtMs, List<AlarmTransition> transitions)
    {
        // A repeated bad reading (same or older timestamp) must not restart or rewind a bad-quality run.
        if (_badAny && timestampMs <= _lastBadMs)
        {
            return;
        }

        _badAny = true;
        _lastBadMs = timestampMs;
        _table.Bad[_index] = true;
        Owner?.Observe(timestampMs, receivedAtMs);
        foreach (var rule in _dependents)
        {
            rule.OnBadQuality(_index, timestampMs, _table, transitions);
        }
    }

    /// <summary>Whether the condition (one of <see cref="Conditions"/>, or of a gateway rule reading this point) is currently raised.</summary>
    public bool IsActive(AlarmCondition condition)
    {
        foreach (var rule in _dependents)
        {
            if (rule.IsActive(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Marks a condition active without a transition, for an alarm that was active before a restart or reload;
    /// it then clears by the rule's usual clearing logic. Works for the point's own rules and for every gateway
    /// rule that reads this point (so calling it for each of a condition's tags is harmless).
    /// False when the condition is neither.
    /// </summary>
    public bool RestoreActive(AlarmCondition condition) => Restore(condition, true);

    /// <summary>As <see cref="RestoreActive"/>, to either state (see <see cref="GatewayRules.Restore"/>).</summary>
    public bool Restore(AlarmCondition condition, bool active)
    {
        foreach (var rule in _dependents)
        {
            if (rule.Restore(condition, active))
            {
                return true;
            }
        }

        return false;
    }
}

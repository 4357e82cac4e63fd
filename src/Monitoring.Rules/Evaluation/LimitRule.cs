namespace Monitoring.Rules.Evaluation;

/// <summary>
/// A compiled limit rule: up to four independent stages on one value.
/// <para>
/// Raising: a high stage is in alarm when value &gt;= setpoint, a low stage when value &lt;= setpoint. The
/// stage raises at the first reading whose timestamp is at least on-delay after the first reading of an
/// unbroken run of in-alarm readings (on-delay 0: at that first reading). Any reading out of alarm breaks
/// the run. The transition's time is the timestamp of the reading at which the decision was made, because
/// that is the first moment the data proves the condition held for the whole on-delay.
/// </para>
/// <para>
/// Clearing: the value must be beyond the deadband (high: value &lt; setpoint - deadband; low: value &gt;
/// setpoint + deadband) from a first such reading until a reading at least off-delay later. A reading
/// back in alarm restarts the count. A reading inside the deadband is neutral: it keeps the alarm active
/// but neither starts nor cancels the off-delay count, so a value hovering at the deadband edge still
/// clears.
/// </para>
/// </summary>
internal sealed class LimitRule : CompiledRule
{
    private readonly Stage[] _stages;
    private readonly AlarmCondition[] _conditions;
    private readonly double _deadband;
    private readonly long _onDelayMs;
    private readonly long _offDelayMs;
    private double _lastValue;

    public LimitRule(IReadOnlyList<(AlarmCondition Condition, double Setpoint, bool High)> stages, double deadband, long onDelayMs, long offDelayMs)
    {
        _stages = new Stage[stages.Count];
        _conditions = new AlarmCondition[stages.Count];
        for (var i = 0; i < stages.Count; i++)
        {
            _stages[i] = new Stage(stages[i].Condition, stages[i].Setpoint, stages[i].High);
            _conditions[i] = stages[i].Condition;
        }

        _deadband = deadband;
        _onDelayMs = onDelayMs;
        _offDelayMs = offDelayMs;
    }

    public override IReadOnlyList<AlarmCondition> Conditions => _conditions;

    public override bool HasDelays => _onDelayMs > 0 || _offDelayMs > 0;

    /// <summary>
    /// Sample and hold: the last reading's state is assumed to persist, so a delay being counted matures at
    /// start + delay even if no reading arrives then; the transition is dated then and carries the last value.
    /// </summary>
    public override void Mature(long nowMs, List<AlarmTransition> transitions)
    {
        for (var i = 0; i < _stages.Length; i++)
        {
            ref var stage = ref _stages[i];
            if (!stage.Pending)
            {
                continue;
            }

            var delay = stage.Active ? _offDelayMs : _onDelayMs;
            if (nowMs - stage.PendingSinceMs < delay)
            {
                continue;
            }

            stage.Pending = false;
            stage.Active = !stage.Active;
            transitions.Add(new AlarmTransition(stage.Condition, stage.Active ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared, stage.PendingSinceMs + delay, _lastValue));
        }
    }

    public override void Evaluate(long timestampMs, double value, List<AlarmTransition> transitions)
    {
        _lastValue = value;
        for (var i = 0; i < _stages.Length; i++)
        {
            ref var stage = ref _stages[i];
            var inAlarm = stage.High ? value >= stage.Setpoint : value <= stage.Setpoint;
            if (!stage.Active)
            {
                if (!inAlarm)
                {
                    stage.Pending = false;
                    continue;
                }

                if (!stage.Pending)
                {
                    stage.Pending = true;
                    stage.PendingSinceMs = timestampMs;
                }

                if (timestampMs - stage.PendingSinceMs >= _onDelayMs)
                {
                    stage.Active = true;
                    stage.Pending = false;
                    transitions.Add(new AlarmTransition(stage.Condition, AlarmTransitionKind.Raised, timestampMs, value));
                }

                continue;
            }

            if (inAlarm)
            {
                stage.Pending = false;
                continue;
            }

            var beyondDeadband = stage.High ? value < stage.Setpoint - _deadband : value > stage.Setpoint + _deadband;
            if (!beyondDeadband)
            {
                continue;
            }

            if (!stage.Pending)
            {
                stage.Pending = true;
                stage.PendingSinceMs = timestampMs;
            }

            if (timestampMs - stage.PendingSinceMs >= _offDelayMs)
            {
                stage.Active = false;
                stage.Pending = false;
                transitions.Add(new AlarmTransition(stage.Condition, AlarmTransitionKind.Cleared, timestampMs, value));
            }
        }
    }

    public override bool IsActive(AlarmCondition condition)
    {
        foreach (var stage in _stages)
        {
            if (ReferenceEquals(stage.Condition, condition))
            {
                return stage.Active;
            }
        }

        return false;
    }

    public override bool Restore(AlarmCondition condition, bool active)
    {
        for (var i = 0; i < _stages.Length; i++)
        {
            ref var stage = ref _stages[i];
            if (ReferenceEquals(stage.Condition, condition))
            {
                stage.Active = active;
                stage.Pending = false;
                return true;
            }
        }

        return false;
    }

    // A mutable struct in an array, updated through ref: the state of all stages sits in one allocation.
    private struct Stage(AlarmCondition condition, double setpoint, bool high)
    {
        public readonly AlarmCondition Condition = condition;
        public readonly double Setpoint = setpoint;
        public readonly bool High = high;
        public bool Active;
        /// <summary>Inactive: counting the on-delay. Active: counting the off-delay.</summary>
        public bool Pending;
        public long PendingSinceMs;
    }
}

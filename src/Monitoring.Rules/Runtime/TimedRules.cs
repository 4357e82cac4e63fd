namespace Monitoring.Rules.Runtime;

/// <summary>
/// Cause → expected effect within a deadline (actuation verification): once the cause signal reaches its
/// threshold, every effect signal must reach its own within <c>within</c> (event time), or the condition
/// raises, dated at the deadline. It clears when every effect is confirmed or the cause returns to normal.
/// An effect already confirmed when the cause rises counts (the valve was already closed). The cause is the
/// signal at or above <c>causeAbove</c> or at or below <c>causeBelow</c>; with <c>latch</c> a momentary cause
/// (a spark pulse) stays pending until the effects are confirmed.
/// </summary>
internal sealed class CauseEffectRule(AlarmCondition condition, int[] signals, int effectCount, ModeGate? gate, long withinMs, double causeAbove, double causeBelow, double effectAbove, bool latch)
    : GatewayRule([new ConditionState(condition)], signals, gate)
{
    private readonly int _cause = signals[0];
    private bool _causeActive;
    private long _causeSinceMs;

    public override void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
        => Evaluate(timestampMs, table, transitions);

    public override void Tick(long? eventNowMs, long serverNowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (eventNowMs is { } now)
        {
            Evaluate(now, table, transitions);
        }
    }

    /// <summary>A bad gate signal can no longer close the gate: the rule is armed again at once (fail safe).</summary>
    public override void OnBadQuality(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (GateChanged(table))
        {
            Evaluate(timestampMs, table, transitions);
        }
    }

    private void Evaluate(long nowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        ref var state = ref States[0];
        if (!table.HasValue[_cause])
        {
            // The cause is unknown (just started or restarted): no deadline can start, and a restored alarm stays.
            return;
        }

        var causeNow = table.HasValue[_cause] && (table.Value[_cause] >= causeAbove || table.Value[_cause] <= causeBelow);
        if (causeNow && !_causeActive)
        {
            _causeSinceMs = table.ValueMs[_cause];
        }

        var confirmed = true;
        for (var i = 1; i <= effectCount; i++)
        {
            var s = Signals[i];
            if (!table.HasValue[s] || table.Bad[s] || !(table.Value[s] >= effectAbove))
            {
                confirmed = false;
                break;
            }
        }

        // A latched cause ends only when the effects are confirmed.
        var cause = causeNow || (latch && _causeActive && !confirmed);
        _causeActive = cause;

        var causeValue = table.HasValue[_cause] ? table.Value[_cause] : 0;
        LastArmed = IsArmed(table);
        if (!LastArmed)
        {
            var overdue = cause && !confirmed && nowMs - _causeSinceMs >= withinMs;
            CountSuppressed(overdue);
            state.Disarm(overdue, nowMs, causeValue, transitions);
            return;
        }

        state.SuppressedByMode = false;
        if (state.Active)
        {
            if (!cause || confirmed)
            {
                state.Active = false;
                transitions.Add(new AlarmTransition(state.Condition, AlarmTransitionKind.Cleared, nowMs, causeValue));
            }

            return;
        }

        if (cause && !confirmed && nowMs - _causeSinceMs >= withinMs)
        {
            state.Active = true;
            transitions.Add(new AlarmTransition(state.Condition, AlarmTransitionKind.Raised, _causeSinceMs + withinMs, causeValue));
        }
    }
}

/// <summary>
/// No data: nothing (of any quality) arrived from the point for <c>timeout</c> of server time. Gateway clocks
/// may be skewed, so this compares the server clock at the timer with the server time the last reading
/// arrived, never event timestamps. Before the first reading, the first timer tick starts the count.
/// Raised on a tick, dated when the data became overdue; cleared at the next arrival.
/// </summary>
internal sealed class NoDataRule(AlarmCondition condition, int[] signals, long timeoutMs, SignalTable table)
    : GatewayRule([new ConditionState(condition)], signals, null)
{
    private readonly int _signal = signals[0];
    private long? _firstTickMs;

    public override void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
    }

    public override void OnArrival(int signal, long receivedAtMs, List<AlarmTransition> transitions)
    {
        ref var state = ref States[0];
        if (state.Active)
        {
            state.Active = false;
            transitions.Add(new AlarmTransition(state.Condition, AlarmTransitionKind.Cleared, receivedAtMs, table.HasValue[_signal] ? table.Value[_signal] : double.NaN));
        }
    }

    public override void Tick(long? eventNowMs, long serverNowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        _firstTickMs ??= serverNowMs;
        ref var state = ref States[0];
        if (state.Active)
        {
            return;
        }

        var since = table.Received[_signal] ? table.ReceivedAtMs[_signal] : _firstTickMs.Value;
        if (serverNowMs - since >= timeoutMs)
        {
            state.Active = true;
            transitions.Add(new AlarmTransition(state.Condition, AlarmTransitionKind.Raised, since + timeoutMs, table.HasValue[_signal] ? table.Value[_signal] : double.NaN));
        }
    }
}

/// <summary>
/// Sensor health, separate from the process: bad quality for longer than <c>badFor</c> (BAD_QUALITY), the value
/// outside the instrument's range (OUT_OF_RANGE), no change beyond a tolerance for <c>flatFor</c> (FLATLINE).
/// Bad-quality and flat-line durations are in event time and mature on readings and on the timer.
/// </summary>
internal sealed class SensorHealthRule : GatewayRule
{
    private readonly int _signal;
    private readonly int _bad = -1;
    private readonly int _range = -1;
    private readonly int _flat = -1;
    private readonly long _badForMs;
    private readonly double _rangeLow;
    private readonly double _rangeHigh;
    private readonly long _flatForMs;
    private readonly double _flatTolerance;
    private bool _badRun;
    private long _badSinceMs;
    private bool _haveReference;
    private double _reference;
    private long _lastChangeMs;

    public SensorHealthRule(
        AlarmCondition? bad, AlarmCondition? range, AlarmCondition? flat, int[] signals, ModeGate? gate,
        long badForMs, double rangeLow, double rangeHigh, long flatForMs, double flatTolerance)
        : base(BuildStates(bad, range, flat), signals, gate)
    {
        _signal = signals[0];
        var i = 0;
        if (bad is not null)
        {
            _bad = i++;
        }

        if (range is not null)
        {
            _range = i++;
        }

        if (flat is not null)
        {
            _flat = i;
        }

        _badForMs = badForMs;
        _rangeLow = rangeLow;
        _rangeHigh = rangeHigh;
        _flatForMs = flatForMs;
        _flatTolerance = flatTolerance;
    }

    private static ConditionState[] BuildStates(AlarmCondition? bad, AlarmCondition? range, AlarmCondition? flat)
    {
        var states = new List<ConditionState>(3);
        foreach (var condition in new[] { bad, range, flat })
        {
            if (condition is not null)
            {
                states.Add(new ConditionState(condition));
            }
        }

        return [.. states];
    }

    public override void OnBadQuality(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (signal != _signal || _bad < 0)
        {
            return;
        }

        if (!_badRun)
        {
            _badRun = true;
            _badSinceMs = timestampMs;
        }

        MatureBad(timestampMs, table, transitions);
    }

    public override void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (signal != _signal)
        {
            // A gate signal changed: re-check the gated flat-line below with the held value.
            if (_flat >= 0 && _haveReference)
            {
                MatureFlat(timestampMs, table, transitions);
            }

            return;
        }

        var value = table.Value[_signal];
        if (_bad >= 0)
        {
            _badRun = false;
            ref var bad = ref States[_bad];
            if (bad.Active)
            {
                bad.Active = false;
                transitions.Add(new AlarmTransition(bad.Condition, AlarmTransitionKind.Cleared, timestampMs, value));
            }
        }

        if (_range >= 0)
        {
            var outside = value < _rangeLow || value > _rangeHigh;
            States[_range].Step(outside, !outside, timestampMs, value, 0, 0, transitions);
        }

        if (_flat >= 0)
        {
            if (!_haveReference || Math.Abs(value - _reference) > _flatTolerance)
            {
                _haveReference = true;
                _reference = value;
                _lastChangeMs = timestampMs;
            }

            MatureFlat(timestampMs, table, transitions);
        }
    }

    public override void Tick(long? eventNowMs, long serverNowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (eventNowMs is not { } now)
        {
            return;
        }

        if (_bad >= 0 && _badRun)
        {
            MatureBad(now, table, transitions);
        }

        if (_flat >= 0 && _haveReference)
        {
            MatureFlat(now, table, transitions);
        }
    }

    private void MatureBad(long nowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        ref var bad = ref States[_bad];
        if (!bad.Active && nowMs - _badSinceMs >= _badForMs)
        {
            bad.Active = true;
            transitions.Add(new AlarmTransition(bad.Condition, AlarmTransitionKind.Raised, _badSinceMs + _badForMs, double.NaN));
        }
    }

    private void MatureFlat(long nowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        ref var flat = ref States[_flat];
        var stuck = nowMs - _lastChangeMs >= _flatForMs;
        if (!IsArmed(table))
        {
            CountSuppressed(stuck);
            flat.Disarm(stuck, nowMs, _reference, transitions);

            // Time stopped counts as no time: a flat line is judged only while the process runs.
            _lastChangeMs = nowMs;
            return;
        }

        flat.SuppressedByMode = false;
        if (flat.Active)
        {
            if (!stuck)
            {
                flat.Active = false;
                transitions.Add(new AlarmTransition(flat.Condition, AlarmTransitionKind.Cleared, nowMs, _reference));
            }

            return;
        }

        if (stuck)
        {
            flat.Active = true;
            transitions.Add(new AlarmTransition(flat.Condition, AlarmTransitionKind.Raised, _lastChangeMs + _flatForMs, _reference));
        }
    }
}

namespace Monitoring.Rules.Runtime;

/// <summary>One threshold of a staged rule: high stages are in alarm at derived &gt;= setpoint, low stages at &lt;= setpoint.</summary>
internal readonly record struct StageSpec(AlarmCondition Condition, double Setpoint, bool High);

/// <summary>
/// A rule that derives one number from the signal table (a difference, a vote count, a fall within a window,
/// ...) and compares it with up to four stages, with deadband and on/off-delays exactly like a limit rule.
/// </summary>
internal abstract class StagedRule : GatewayRule
{
    private readonly Threshold[] _thresholds;
    private readonly long _onDelayMs;
    private readonly long _offDelayMs;
    /// <summary>The value of the last evaluation: what a delay maturing on the timer carries (sample and hold).</summary>
    private double _lastValue;

    protected StagedRule(StageSpec[] stages, int[] signals, ModeGate? gate, double deadband, long onDelayMs, long offDelayMs)
        : base(ToStates(stages), signals, gate)
    {
        _thresholds = new Threshold[stages.Length];
        for (var i = 0; i < stages.Length; i++)
        {
            var (_, setpoint, high) = stages[i];
            _thresholds[i] = new Threshold(setpoint, high, high ? setpoint - deadband : setpoint + deadband);
        }

        _onDelayMs = onDelayMs;
        _offDelayMs = offDelayMs;
    }

    /// <summary>A stage's setpoint and the value beyond its deadband (high: below it, low: above it) from which it may clear.</summary>
    private readonly record struct Threshold(double Setpoint, bool High, double ClearBeyond);

    private static ConditionState[] ToStates(StageSpec[] stages)
    {
        var states = new ConditionState[stages.Length];
        for (var i = 0; i < stages.Length; i++)
        {
            states[i] = new ConditionState(stages[i].Condition);
        }

        return states;
    }

    /// <summary>Rules whose derived number changes with time alone (windows) recompute on the timer.</summary>
    protected virtual bool TimeDependent => false;

    public override bool HasTimers => TimeDependent || _onDelayMs > 0 || _offDelayMs > 0 || Gate is { StaleAfterMs: > 0 };

    /// <summary>The derived number at <paramref name="nowMs"/>; false while it cannot be computed (a signal missing, a baseline being learnt).</summary>
    protected abstract bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived);

    /// <summary>The value carried by a transition (by default the derived number itself).</summary>
    protected virtual double Reported(double derived, SignalTable table) => derived;

    public override void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
        => Evaluate(timestampMs, table, fromReading: true, transitions);

    /// <summary>A bad gate signal can no longer close the gate: a rule it had disarmed is armed again at once (fail safe).</summary>
    public override void OnBadQuality(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (GateChanged(table))
        {
            Evaluate(timestampMs, table, fromReading: false, transitions);
        }
    }

    public override void Tick(long? eventNowMs, long serverNowMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (eventNowMs is not { } now)
        {
            return;
        }

        // A gate signal that went stale (the rest of the gateway kept reporting) re-arms the rule without a reading of its own.
        if (TimeDependent || GateChanged(table))
        {
            Evaluate(now, table, fromReading: false, transitions);
        }

        if (DelaysHeld(table))
        {
            return;
        }

        for (var i = 0; i < States.Length; i++)
        {
            States[i].Mature(now, _onDelayMs, _offDelayMs, _lastValue, transitions);
        }
    }

    /// <summary>
    /// Whether a delay being counted must not mature on the timer now. A bad reading neither advances nor breaks a
    /// delay (docs/rules.md), so a delay does not mature through one either: sample and hold holds a good value only.
    /// </summary>
    protected virtual bool DelaysHeld(SignalTable table) => false;

    private void Evaluate(long nowMs, SignalTable table, bool fromReading, List<AlarmTransition> transitions)
    {
        if (TryCompute(nowMs, table, fromReading, out var derived))
        {
            Apply(nowMs, derived, Reported(derived, table), table, transitions);
        }
    }

    /// <summary>Steps every stage on the derived number (<paramref name="value"/> is what a transition carries).</summary>
    protected void Apply(long nowMs, double derived, double value, SignalTable table, List<AlarmTransition> transitions)
    {
        var armed = IsArmed(table);
        LastArmed = armed;
        _lastValue = value;
        var states = States;
        var thresholds = _thresholds;
        for (var i = 0; i < thresholds.Length; i++)
        {
            ref var state = ref states[i];
            var threshold = thresholds[i];
            var inAlarm = threshold.High ? derived >= threshold.Setpoint : derived <= threshold.Setpoint;
            if (!armed)
            {
                CountSuppressed(inAlarm);
                state.Disarm(inAlarm, nowMs, value, transitions);
                continue;
            }

            var clearOk = threshold.High ? derived < threshold.ClearBeyond : derived > threshold.ClearBeyond;
            state.Step(inAlarm, clearOk, nowMs, value, _onDelayMs, _offDelayMs, transitions);
        }
    }
}

/// <summary>
/// Stages on one signal's value, or on its mismatch with an expected state: every limit, declared on a point or on the
/// gateway (with or without a mode gate), and every state rule.
/// </summary>
internal sealed class ValueRule(StageSpec[] stages, int[] signals, ModeGate? gate, double deadband, long onDelayMs, long offDelayMs, double? expected)
    : StagedRule(stages, signals, gate, deadband, onDelayMs, offDelayMs)
{
    private readonly int _signal = signals[0];

    /// <summary>The per-reading path of every limit: computed here rather than through the two virtual hooks.</summary>
    public override void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
        if (table.HasValue[_signal])
        {
            var value = table.Value[_signal];
            Apply(timestampMs, expected is { } e ? Math.Abs(value - e) : value, value, table, transitions);
        }
    }

    protected override bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived)
    {
        derived = 0;
        if (!table.HasValue[_signal])
        {
            return false;
        }

        var value = table.Value[_signal];
        derived = expected is { } e ? Math.Abs(value - e) : value;
        return true;
    }

    protected override double Reported(double derived, SignalTable table) => table.Value[_signal];

    protected override bool DelaysHeld(SignalTable table) => table.Bad[_signal];
}

/// <summary>a − b (or 100·(a − b)/a), or a / b, from the latest values of two signals of the gateway.</summary>
internal sealed class TwoSignalRule(StageSpec[] stages, int[] signals, ModeGate? gate, double deadband, long onDelayMs, long offDelayMs, bool ratio, bool percentOfA)
    : StagedRule(stages, signals, gate, deadband, onDelayMs, offDelayMs)
{
    private readonly int _a = signals[0];
    private readonly int _b = signals[1];

    protected override bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived)
    {
        derived = 0;
        if (!table.HasValue[_a] || !table.HasValue[_b])
        {
            return false;
        }

        double a = table.Value[_a], b = table.Value[_b];
        if (ratio)
        {
            if (b == 0)
            {
                return false;
            }

            derived = a / b;
            return true;
        }

        if (percentOfA)
        {
            if (a == 0)
            {
                return false;
            }

            derived = 100 * (a - b) / Math.Abs(a);
            return true;
        }

        derived = a - b;
        return true;
    }
}

/// <summary>
/// The value as a percentage of a reference: a configured design or recipe value, or a baseline learnt as the
/// mean of the readings during <c>learnFor</c> after the reset signal rises (a bag change). While learning the
/// rule is quiet; with no configured reference it is quiet until the first baseline is learnt.
/// </summary>
internal sealed class DeviationRule(StageSpec[] stages, int[] signals, ModeGate? gate, double deadband, long onDelayMs, long offDelayMs, double? reference, int resetSignal, long learnForMs)
    : StagedRule(stages, signals, gate, deadband, onDelayMs, offDelayMs)
{
    private readonly int _signal = signals[0];
    private double? _reference = reference;
    private bool _learning;
    private long _learnStartMs;
    private double _sum;
    private long _count;
    private bool _resetHigh;

    protected override bool TimeDependent => false;

    public double? Reference => _reference;

    public bool Learning => _learning;

    protected override bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived)
    {
        derived = 0;
        if (resetSignal >= 0 && table.HasValue[resetSignal])
        {
            var high = table.Value[resetSignal] >= 0.5;
            if (high && !_resetHigh)
            {
                _learning = true;
                _learnStartMs = nowMs;
                _sum = 0;
                _count = 0;
            }

            _resetHigh = high;
        }

        if (!table.HasValue[_signal])
        {
            return false;
        }

        var value = table.Value[_signal];
        if (_learning)
        {
            if (nowMs - _learnStartMs < learnForMs)
            {
                if (fromReading && table.ValueMs[_signal] == nowMs)
                {
                    _sum += value;
                    _count++;
                }

                return false;
            }

            _learning = false;
            if (_count > 0)
            {
                _reference = _sum / _count;
            }
        }

        if (_reference is not { } r || r == 0)
        {
            return false;
        }

        derived = 100 * value / Math.Abs(r);
        return true;
    }

    protected override double Reported(double derived, SignalTable table) => table.Value[_signal];

    protected override bool DelaysHeld(SignalTable table) => table.Bad[_signal];
}

/// <summary>How many inputs are at or above their setpoint (k-out-of-n voting). Missing or bad inputs do not vote.</summary>
internal sealed class VotingRule(StageSpec[] stages, int[] signals, int inputCount, ModeGate? gate, double deadband, long onDelayMs, long offDelayMs, double setpoint)
    : StagedRule(stages, signals, gate, deadband, onDelayMs, offDelayMs)
{
    protected override bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived)
    {
        derived = 0;

        // Until every input has reported (e.g. just after a restart) a missing vote proves nothing either way.
        for (var i = 0; i < inputCount; i++)
        {
            if (!table.HasValue[Signals[i]] && !table.Bad[Signals[i]])
            {
                return false;
            }
        }

        var votes = 0;
        for (var i = 0; i < inputCount; i++)
        {
            var s = Signals[i];
            if (table.HasValue[s] && !table.Bad[s] && table.Value[s] >= setpoint)
            {
                votes++;
            }
        }

        derived = votes;
        return true;
    }
}

/// <summary>Recent samples of one signal in event time, in a ring allocated at compile time (oldest dropped when full).</summary>
internal sealed class SampleWindow(int capacity)
{
    private readonly long[] _times = new long[capacity];
    private readonly double[] _values = new double[capacity];
    private int _start;

    public int Count { get; private set; }

    public void Add(long timeMs, double value)
    {
        if (Count == _times.Length)
        {
            _start = (_start + 1) % _times.Length;
            Count--;
        }

        var at = (_start + Count) % _times.Length;
        _times[at] = timeMs;
        _values[at] = value;
        Count++;
    }

    /// <summary>Drops samples older than <paramref name="oldestMs"/>, keeping at least <paramref name="keep"/> newest.</summary>
    public void Evict(long oldestMs, int keep)
    {
        while (Count > keep && _times[_start] < oldestMs)
        {
            _start = (_start + 1) % _times.Length;
            Count--;
        }
    }

    public double ValueAt(int i) => _values[(_start + i) % _values.Length];

    public void Clear()
    {
        _start = 0;
        Count = 0;
    }
}

/// <summary>
/// Fall (or rise) within a sliding window of event time: from the highest (lowest) value in the window to the
/// latest one, as a percentage of that extreme, or in units per second over the window.
/// </summary>
internal sealed class RateOfChangeRule(StageSpec[] stages, int[] signals, ModeGate? gate, long onDelayMs, long offDelayMs, long windowMs, bool rise, bool percent, int capacity)
    : StagedRule(stages, signals, gate, 0, onDelayMs, offDelayMs)
{
    private readonly int _signal = signals[0];
    private readonly SampleWindow _window = new(capacity);
    private bool _started;
    private long _firstSampleMs;

    protected override bool TimeDependent => true;

    protected override bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived)
    {
        derived = 0;
        if (!table.HasValue[_signal])
        {
            return false;
        }

        var latest = table.Value[_signal];
        if (fromReading && table.ValueMs[_signal] == nowMs)
        {
            _window.Add(nowMs, latest);
            if (!_started)
            {
                _started = true;
                _firstSampleMs = nowMs;
            }
        }

        // Less history than one window (just started or restarted) cannot show a change, nor its absence.
        if (!_started || nowMs - _firstSampleMs < windowMs)
        {
            // A change already visible in the partial history is still a change.
            if (_window.Count < 2)
            {
                return false;
            }
        }

        _window.Evict(nowMs - windowMs, keep: 1);
        var extreme = latest;
        for (var i = 0; i < _window.Count; i++)
        {
            var v = _window.ValueAt(i);
            extreme = rise ? Math.Min(extreme, v) : Math.Max(extreme, v);
        }

        var change = rise ? latest - extreme : extreme - latest;
        if (percent)
        {
            derived = extreme == 0 ? 0 : 100 * change / Math.Abs(extreme);
        }
        else
        {
            derived = change * 1000d / windowMs;
        }

        return true;
    }
}

/// <summary>
/// Events within a sliding window of event time: each reading's value is the number of events it reports
/// (a spark bit reads 1), or, for a cumulative counter, its increase since the previous reading.
/// </summary>
internal sealed class CountInWindowRule(StageSpec[] stages, int[] signals, ModeGate? gate, long offDelayMs, long windowMs, bool cumulative, int capacity)
    : StagedRule(stages, signals, gate, 0, 0, offDelayMs)
{
    private readonly int _signal = signals[0];
    private readonly SampleWindow _window = new(capacity);
    private double _previous = double.NaN;

    protected override bool TimeDependent => true;

    protected override bool TryCompute(long nowMs, SignalTable table, bool fromReading, out double derived)
    {
        if (fromReading && table.HasValue[_signal] && table.ValueMs[_signal] == nowMs)
        {
            var value = table.Value[_signal];
            var events = cumulative ? (double.IsNaN(_previous) ? 0 : Math.Max(0, value - _previous)) : Math.Max(0, value);
            _previous = value;
            if (events > 0)
            {
                _window.Add(nowMs, events);
            }
        }

        // Strictly inside the window: an event exactly one window old has left it.
        _window.Evict(nowMs - windowMs + 1, keep: 0);
        derived = 0;
        for (var i = 0; i < _window.Count; i++)
        {
            derived += _window.ValueAt(i);
        }

        return true;
    }
}

namespace Monitoring.Rules.Evaluation;

/// <summary>
/// The latest reading of every configured point of one gateway, by index. Multi-signal rules read it; only
/// the partition worker that owns the gateway writes it, so no locks. Arrays, not objects: no allocation.
/// </summary>
internal sealed class SignalTable(int count)
{
    /// <summary>Latest good or uncertain value (sample and hold).</summary>
    public readonly double[] Value = new double[count];
    /// <summary>Event time of <see cref="Value"/>.</summary>
    public readonly long[] ValueMs = new long[count];
    public readonly bool[] HasValue = new bool[count];
    /// <summary>Whether the latest reading (by event time) was bad quality.</summary>
    public readonly bool[] Bad = new bool[count];
    /// <summary>Server time the latest reading of any quality arrived; 0 before the first.</summary>
    public readonly long[] ReceivedAtMs = new long[count];
    public readonly bool[] Received = new bool[count];

    /// <summary>Whether any point of the gateway has had a reading (of any quality) evaluated.</summary>
    public bool AnyReading;
    /// <summary>Event time of the gateway's first reading: "never seen" is counted from it.</summary>
    public long FirstEventMs;
    /// <summary>
    /// Event time of the gateway's newest reading, of any point: what a gate signal's age is measured against.
    /// Not the timer's estimate of the gateway clock: while the whole gateway is silent nothing goes stale (no
    /// data and gateway silence report that), only a signal that stops while the rest of the gateway reports.
    /// </summary>
    public long LatestEventMs;
}

/// <summary>
/// Raise/clear state of one alarm condition with on- and off-delays, shared by every rule type: the same
/// semantics as a limit stage (docs/rules.md), plus maturing on a timer and mode suppression.
/// </summary>
internal struct ConditionState(AlarmCondition condition)
{
    public readonly AlarmCondition Condition = condition;
    public bool Active;
    /// <summary>Inactive: counting the on-delay. Active: counting the off-delay.</summary>
    public bool Pending;
    public long PendingSinceMs;
    public bool SuppressedByMode;
    public double LastValue;

    /// <param name="inAlarm">The condition holds at <paramref name="timestampMs"/>.</param>
    /// <param name="clearOk">Beyond the deadband: may count towards clearing (ignored when in alarm).</param>
    public void Step(bool inAlarm, bool clearOk, long timestampMs, double value, long onDelayMs, long offDelayMs, List<AlarmTransition> transitions)
    {
        SuppressedByMode = false;
        LastValue = value;
        if (!Active)
        {
            if (!inAlarm)
            {
                Pending = false;
                return;
            }

            if (!Pending)
            {
                Pending = true;
                PendingSinceMs = timestampMs;
            }

            if (timestampMs - PendingSinceMs >= onDelayMs)
            {
                Active = true;
                Pending = false;
                transitions.Add(new AlarmTransition(Condition, AlarmTransitionKind.Raised, timestampMs, value));
            }

            return;
        }

        if (inAlarm)
        {
            Pending = false;
            return;
        }

        if (!clearOk)
        {
            return;
        }

        if (!Pending)
        {
            Pending = true;
            PendingSinceMs = timestampMs;
        }

        if (timestampMs - PendingSinceMs >= offDelayMs)
        {
            Active = false;
            Pending = false;
            transitions.Add(new AlarmTransition(Condition, AlarmTransitionKind.Cleared, timestampMs, value));
        }
    }

    /// <summary>
    /// A delay that matures without a new reading (sample and hold: the last state is assumed to persist).
    /// The transition is dated when the delay ran out, not when the timer noticed.
    /// </summary>
    public void Mature(long nowMs, long onDelayMs, long offDelayMs, List<AlarmTransition> transitions)
    {
        if (!Pending)
        {
            return;
        }

        var delay = Active ? offDelayMs : onDelayMs;
        if (nowMs - PendingSinceMs < delay)
        {
            return;
        }

        Pending = false;
        Active = !Active;
        transitions.Add(new AlarmTransition(Condition, Active ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared, PendingSinceMs + delay, LastValue));
    }

    /// <summary>
    /// The rule's mode gate is closed: nothing is counted, an active alarm is cleared by design, and the clear says
    /// so (<see cref="ClearCause.ModeGate"/>): it is not a return to normal.
    /// </summary>
    public void Disarm(bool wouldBeInAlarm, long timestampMs, double value, List<AlarmTransition> transitions)
    {
        Pending = false;
        SuppressedByMode = wouldBeInAlarm;
        LastValue = value;
        if (Active)
        {
            Active = false;
            transitions.Add(new AlarmTransition(Condition, AlarmTransitionKind.Cleared, timestampMs, value, ClearCause.ModeGate));
        }
    }

    /// <summary>Sets the state the alarm journal knows (restart, reload), with no delay being counted.</summary>
    public void Restore(bool active)
    {
        Active = active;
        Pending = false;
    }
}

/// <summary>
/// Mode gating, fail safe: the gate closes (the rule is disarmed) only on positive evidence, when a gate signal is
/// available and below its threshold. A gate signal is available while its latest reading (by event time) is good
/// or uncertain and its value is not stale: younger than <see cref="StaleAfterMs"/> against the gateway's newest
/// reading. A signal never received, bad, or stale cannot close the gate: the rule stays armed (and the gate
/// signal's MODE_SIGNAL_UNAVAILABLE diagnostic, <see cref="ModeSignalRule"/>, says why).
/// </summary>
internal sealed class ModeGate(int[] signals, double[] thresholds, long staleAfterMs)
{
    /// <summary>Used when a rule does not set <c>gateStaleAfter</c>; also how long a gate signal may be never seen before it is reported.</summary>
    public const long DefaultStaleAfterMs = 60_000;

    public int[] Signals { get; } = signals;

    /// <summary>Age (event time) at which a gate signal's value is stale; 0: never stale.</summary>
    public long StaleAfterMs { get; } = staleAfterMs;

    public bool IsArmed(SignalTable table)
    {
        var all = Signals;
        for (var i = 0; i < all.Length; i++)
        {
            var s = all[i];
            if (IsAvailable(table, s, StaleAfterMs) && !(table.Value[s] >= thresholds[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Good or uncertain latest reading, and a value younger than <paramref name="staleAfterMs"/> (0: never stale) against the gateway's newest reading.</summary>
    public static bool IsAvailable(SignalTable table, int signal, long staleAfterMs)
        => table.HasValue[signal] && !table.Bad[signal] && !IsStale(table, signal, staleAfterMs);

    public static bool IsStale(SignalTable table, int signal, long staleAfterMs)
        => staleAfterMs > 0 && table.LatestEventMs - table.ValueMs[signal] >= staleAfterMs;
}

/// <summary>
/// A compiled rule over one or more signals of one gateway (every rule type except the point-level limit).
/// Called after the signal table holds the new reading. Implementations must not allocate unless they
/// append a transition.
/// </summary>
internal abstract class GatewayRule
{
    protected GatewayRule(ConditionState[] states, int[] signals, ModeGate? gate)
    {
        States = states;
        Signals = signals;
        Gate = gate;
        var conditions = new AlarmCondition[states.Length];
        for (var i = 0; i < states.Length; i++)
        {
            conditions[i] = states[i].Condition;
        }

        Conditions = conditions;
    }

    protected ConditionState[] States { get; }
    public AlarmCondition[] Conditions { get; }
    /// <summary>Signals the rule depends on (a reading of any of them evaluates it), including the gate's.</summary>
    public int[] Signals { get; }
    public ModeGate? Gate { get; }
    /// <summary>Whether <see cref="Tick"/> can change anything (windows, deadlines, delays, staleness).</summary>
    public virtual bool HasTimers => true;
    /// <summary>How often a condition would have been true but the mode gate was closed.</summary>
    public long SuppressedCount { get; protected set; }
    /// <summary>Whether the gate was open at the rule's last evaluation: a change without a reading of the rule's own signals (a gate signal turning bad or stale) re-evaluates it.</summary>
    protected bool LastArmed { get; set; } = true;

    /// <summary>A good or uncertain reading of <paramref name="signal"/> has been stored in the table.</summary>
    public abstract void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions);

    /// <summary>A bad-quality reading (with or without a value) of <paramref name="signal"/> arrived.</summary>
    public virtual void OnBadQuality(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
    }

    /// <summary>Any reading of <paramref name="signal"/> arrived at server time <paramref name="receivedAtMs"/> (also duplicates and late ones).</summary>
    public virtual void OnArrival(int signal, long receivedAtMs, List<AlarmTransition> transitions)
    {
    }

    /// <param name="eventNowMs">The gateway's clock estimated from its latest reading plus server time elapsed since it arrived; null before any reading.</param>
    /// <param name="serverNowMs">The server clock.</param>
    public virtual void Tick(long? eventNowMs, long serverNowMs, SignalTable table, List<AlarmTransition> transitions)
    {
    }

    public bool IsActive(AlarmCondition condition)
    {
        foreach (var state in States)
        {
            if (ReferenceEquals(state.Condition, condition))
            {
                return state.Active;
            }
        }

        return false;
    }

    public bool IsSuppressedByMode(AlarmCondition condition)
    {
        foreach (var state in States)
        {
            if (ReferenceEquals(state.Condition, condition))
            {
                return state.SuppressedByMode;
            }
        }

        return false;
    }

    /// <summary>Sets the condition's raised state without a transition (restart, reload). False when not one of this rule's.</summary>
    public virtual bool Restore(AlarmCondition condition, bool active)
    {
        for (var i = 0; i < States.Length; i++)
        {
            if (ReferenceEquals(States[i].Condition, condition))
            {
                States[i].Restore(active);
                return true;
            }
        }

        return false;
    }

    protected bool IsArmed(SignalTable table) => Gate is null || Gate.IsArmed(table);

    /// <summary>The gate opened or closed since the last evaluation although no signal of the rule was evaluated (a gate signal turned bad or stale).</summary>
    protected bool GateChanged(SignalTable table) => Gate is not null && Gate.IsArmed(table) != LastArmed;

    protected void CountSuppressed(bool wouldBeInAlarm)
    {
        if (wouldBeInAlarm)
        {
            SuppressedCount++;
        }
    }
}

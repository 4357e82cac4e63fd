namespace Monitoring.Rules.Runtime;

/// <summary>
/// A compiled rule over one or more signals of one gateway: every rule type, declared on a point or on the gateway.
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

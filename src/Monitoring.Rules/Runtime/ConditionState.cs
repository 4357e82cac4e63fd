using System.Runtime.CompilerServices;

namespace Monitoring.Rules.Runtime;

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

    /// <param name="inAlarm">The condition holds at <paramref name="timestampMs"/>.</param>
    /// <param name="clearOk">Beyond the deadband: may count towards clearing (ignored when in alarm).</param>
    [MethodImpl(MethodImplOptions.AggressiveInlining)] // the per-reading path of every staged rule
    public void Step(bool inAlarm, bool clearOk, long timestampMs, double value, long onDelayMs, long offDelayMs, List<AlarmTransition> transitions)
    {
        SuppressedByMode = false;

        // Inactive: a reading in alarm counts towards raising, any other resets the count. Active: a reading in alarm
        // resets the count, one beyond the deadband counts towards clearing, one inside the deadband does neither.
        if (Active ? inAlarm : !inAlarm)
        {
            Pending = false;
            return;
        }

        if (Active && !clearOk)
        {
            return;
        }

        if (!Pending)
        {
            Pending = true;
            PendingSinceMs = timestampMs;
        }

        if (timestampMs - PendingSinceMs >= (Active ? offDelayMs : onDelayMs))
        {
            Active = !Active;
            Pending = false;
            transitions.Add(new AlarmTransition(Condition, Active ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared, timestampMs, value));
        }
    }

    /// <summary>
    /// A delay that matures without a new reading (sample and hold: the last state is assumed to persist).
    /// The transition is dated when the delay ran out, not when the timer noticed, and carries the value the rule last
    /// stepped on (<paramref name="lastValue"/>).
    /// </summary>
    public void Mature(long nowMs, long onDelayMs, long offDelayMs, double lastValue, List<AlarmTransition> transitions)
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
        transitions.Add(new AlarmTransition(Condition, Active ? AlarmTransitionKind.Raised : AlarmTransitionKind.Cleared, PendingSinceMs + delay, lastValue));
    }

    /// <summary>
    /// The rule's mode gate is closed: nothing is counted, an active alarm is cleared by design, and the clear says
    /// so (<see cref="ClearCause.ModeGate"/>): it is not a return to normal.
    /// </summary>
    public void Disarm(bool wouldBeInAlarm, long timestampMs, double value, List<AlarmTransition> transitions)
    {
        Pending = false;
        SuppressedByMode = wouldBeInAlarm;
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

namespace Monitoring.Rules.Evaluation;

/// <summary>
/// One configured rule of one sensor, compiled: its alarm conditions and its evaluation state.
/// Each rule type (the YAML <c>type:</c>) has one subclass. The owning <see cref="SensorRules"/> has already
/// filtered duplicates, late and bad readings, so a rule sees only good or uncertain readings in strictly
/// increasing event time. Implementations must not allocate unless they append a transition.
/// </summary>
internal abstract class CompiledRule
{
    public abstract IReadOnlyList<AlarmCondition> Conditions { get; }

    public abstract void Evaluate(long timestampMs, double value, List<AlarmTransition> transitions);

    public abstract bool IsActive(AlarmCondition condition);

    /// <summary>Whether <see cref="Mature"/> can ever do anything (the rule has an on- or off-delay).</summary>
    public virtual bool HasDelays => false;

    /// <summary>Lets a delay being counted mature at <paramref name="nowMs"/> (event time) without a new reading.</summary>
    public virtual void Mature(long nowMs, List<AlarmTransition> transitions)
    {
    }

    /// <summary>Sets the condition's raised state without a transition (an alarm restored after a restart). False when not ours.</summary>
    public abstract bool Restore(AlarmCondition condition, bool active);
}

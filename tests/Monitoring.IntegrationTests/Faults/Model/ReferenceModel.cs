namespace Monitoring.IntegrationTests.Faults.Model;

/// <summary>What the model says an alarm does at one reading.</summary>
internal enum ExpectedKind
{
    Raised,
    Cleared,
}

/// <summary>One expected transition: its kind and the index of the reading (in sensor-time order) at which it is decided.</summary>
internal readonly record struct ExpectedTransition(ExpectedKind Kind, int Reading);

/// <summary>Where the rule stood after a reading: for telling whether a kill came mid on-delay or mid off-delay.</summary>
internal enum ModelPhase
{
    Normal,
    OnDelay,
    Active,
    OffDelay,
}

/// <summary>
/// The independent reference model of the one rule the model-based fault test uses: a high limit with deadband,
/// on-delay and off-delay, evaluated on a point's readings in sensor-time order (docs/rules.md, "Per stage"), written
/// again here from the documented words and sharing no code with Monitoring.Rules, so a change to the service's rules
/// cannot change what the test expects. Pure: readings in, transitions out.
/// </summary>
internal sealed class ReferenceModel(double limit, double deadband, long onDelayMs, long offDelayMs)
{
    public double Limit { get; } = limit;
    public double Deadband { get; } = deadband;
    public long OnDelayMs { get; } = onDelayMs;
    public long OffDelayMs { get; } = offDelayMs;

    /// <summary>In alarm: value at or above the limit.</summary>
    public bool InAlarm(double value) => value >= Limit;

    /// <summary>Beyond the deadband, back on the normal side: value below limit minus deadband.</summary>
    public bool Normal(double value) => value < Limit - Deadband;

    /// <summary>
    /// The transitions of readings <paramref name="values"/> taken at <paramref name="stepMs"/> apart, in order, and
    /// the phase after each reading.
    /// </summary>
    public (List<ExpectedTransition> Transitions, ModelPhase[] Phases) Run(IReadOnlyList<double> values, long stepMs)
    {
        var transitions = new List<ExpectedTransition>();
        var phases = new ModelPhase[values.Count];
        var active = false;
        long? onStart = null;
        long? offStart = null;
        for (var i = 0; i < values.Count; i++)
        {
            var ts = i * stepMs;
            var value = values[i];
            if (!active)
            {
                if (InAlarm(value))
                {
                    onStart ??= ts;
                    if (ts - onStart >= OnDelayMs)
                    {
                        transitions.Add(new ExpectedTransition(ExpectedKind.Raised, i));
                        active = true;
                        onStart = null;
                    }
                }
                else
                {
                    // Any reading out of alarm (the deadband included) resets the on-delay count.
                    onStart = null;
                }
            }
            else if (Normal(value))
            {
                offStart ??= ts;
                if (ts - offStart >= OffDelayMs)
                {
                    transitions.Add(new ExpectedTransition(ExpectedKind.Cleared, i));
                    active = false;
                    offStart = null;
                }
            }
            else if (InAlarm(value))
            {
                offStart = null;
            }

            // Inside the deadband while active: nothing starts, nothing is cancelled.
            phases[i] = (active, onStart, offStart) switch
            {
                (false, null, _) => ModelPhase.Normal,
                (false, _, _) => ModelPhase.OnDelay,
                (true, _, null) => ModelPhase.Active,
                _ => ModelPhase.OffDelay,
            };
        }

        return (transitions, phases);
    }
}

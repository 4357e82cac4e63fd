namespace Monitoring.Simulators.Plants;

/// <summary>
/// Runs a plant's signals through time. Every signal has its own random stream derived from the seed and
/// its tag, so a run is reproducible and adding a signal does not change the others. Scenario events act
/// through overrides (ramp, set, restore) laid over the model's own value.
/// </summary>
public sealed class PlantModel
{
    private readonly Dictionary<string, SignalState> _states = new(StringComparer.Ordinal);
    private readonly List<SignalState> _ordered = [];

    public PlantModel(PlantDefinition definition, int seed, PlantPhase phase = PlantPhase.Steady)
    {
        Definition = definition;
        Phase = phase;
        foreach (var spec in definition.Signals)
        {
            var state = new SignalState(spec, new Random(unchecked(seed ^ StableHash(spec.Tag))))
            {
                Base = spec.Kind == SignalKind.Integrator ? spec.Initial : spec.NominalIn(phase),
            };
            _states.Add(spec.Tag, state);
            _ordered.Add(state);
        }

        foreach (var state in _ordered)
            state.Value = Compute(state, 0);
    }

    public PlantDefinition Definition { get; }

    public PlantPhase Phase { get; set; }

    /// <summary>Simulated seconds since the start.</summary>
    public double Time { get; private set; }

    public IReadOnlyList<SignalSpec> Signals => Definition.Signals;

    public double Value(string tag) => _states[tag].Value;

    public bool IsBad(string tag) => _states[tag].BadUntil > Time;

    /// <summary>Moves the model forward by <paramref name="dtSeconds"/> and recomputes every signal.</summary>
    public void Step(double dtSeconds)
    {
        Time += dtSeconds;
        foreach (var state in _ordered)
        {
            var spec = state.Spec;
            switch (spec.Kind)
            {
                case SignalKind.Integrator:
                    state.Base += spec.NominalIn(Phase) * dtSeconds;
                    break;
                case SignalKind.Analog:
                    var target = spec.NominalIn(Phase);
                    state.Base += (target - state.Base) * (1 - Math.Exp(-dtSeconds / Math.Max(spec.TimeConstantSeconds, 1e-3)));
                    if (spec.Drift > 0)
                    {
                        // Random walk pulled back towards zero, so the drift wanders but stays within its bound.
                        state.Drift += (Gaussian(state.Random) * spec.Drift * 0.1 * Math.Sqrt(dtSeconds)) - (state.Drift * 0.02 * dtSeconds);
                        state.Drift = Math.Clamp(state.Drift, -spec.Drift, spec.Drift);
                    }

                    break;
                default:
                    state.Base = spec.NominalIn(Phase);
                    break;
            }

            state.Value = Compute(state, Time);
        }
    }

    private double Compute(SignalState state, double time)
    {
        var spec = state.Spec;
        var model = spec.Kind switch
        {
            SignalKind.Analog => state.Base + state.Drift,
            SignalKind.Derived => spec.Derive!(tag => _states[tag].Value),
            SignalKind.Phase => (int)Phase + 1,
            _ => state.Base,
        };
        var value = state.Override is { } o ? o.Apply(model, time) : model;
        if (state.Override is { Finished: true, Kind: OverrideKind.Restore })
            state.Override = null;

        // Noise rides on an overridden value too: a falling pressure still flickers.
        if (spec.Kind == SignalKind.Analog && spec.Noise > 0)
            value += Gaussian(state.Random) * spec.Noise;
        value = Math.Clamp(value, spec.Min, spec.Max);
        return spec.Kind == SignalKind.Boolean ? (value >= 0.5 ? 1 : 0) : Math.Round(value, spec.Decimals, MidpointRounding.AwayFromZero);
    }

    /// <summary>Moves the signal linearly from its current value to <paramref name="target"/> over <paramref name="seconds"/>, then holds it.</summary>
    /// <remarks>The change starts at <paramref name="startTime"/> (default: now), which may lie between two samples.</remarks>
    public void Ramp(string tag, double target, double seconds, double? startTime = null)
    {
        var state = _states[tag];
        state.Override = new Override(OverrideKind.Ramp, state.Value, target, startTime ?? Time, seconds);
    }

    /// <summary>Moves the signal by <paramref name="percent"/> % of its current value.</summary>
    public void RampRelative(string tag, double percent, double seconds, double? startTime = null)
    {
        var current = _states[tag].Value;
        Ramp(tag, current * (1 + (percent / 100)), seconds, startTime);
    }

    /// <summary>Sets the signal at once and holds it.</summary>
    public void Set(string tag, double value, double? startTime = null) => Ramp(tag, value, 0, startTime);

    /// <summary>Hands the signal back to the model, blending over <paramref name="seconds"/>.</summary>
    public void Restore(string tag, double seconds, double? startTime = null)
    {
        var state = _states[tag];
        if (state.Override is null)
            return;
        state.Override = new Override(OverrideKind.Restore, state.Value, double.NaN, startTime ?? Time, seconds);
    }

    public void RestoreAll()
    {
        foreach (var state in _ordered)
        {
            state.Override = null;
            state.BadUntil = double.NegativeInfinity;
        }
    }

    /// <summary>The sensor reports bad quality for <paramref name="seconds"/>.</summary>
    public void MarkBad(string tag, double seconds, double? startTime = null) => _states[tag].BadUntil = (startTime ?? Time) + seconds;

    private static double Gaussian(Random random)
    {
        // Box-Muller; 1 - NextDouble() keeps the logarithm away from zero.
#pragma warning disable CA5394 // Simulation noise, not security: a seeded, reproducible stream is the point.
        var u1 = 1.0 - random.NextDouble();
        var u2 = random.NextDouble();
#pragma warning restore CA5394
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    /// <summary>FNV-1a: string.GetHashCode is randomised per process and would break reproducibility.</summary>
    private static int StableHash(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash ^= c;
            hash *= 16777619u;
        }

        return unchecked((int)hash);
    }

    private sealed class SignalState(SignalSpec spec, Random random)
    {
        public SignalSpec Spec { get; } = spec;
        public Random Random { get; } = random;
        public double Base { get; set; }
        public double Drift { get; set; }
        public double Value { get; set; }
        public Override? Override { get; set; }
        public double BadUntil { get; set; } = double.NegativeInfinity;
    }

    private enum OverrideKind
    {
        Ramp,
        Restore,
    }

    private sealed class Override(OverrideKind kind, double from, double to, double start, double seconds)
    {
        public OverrideKind Kind { get; } = kind;
        public bool Finished { get; private set; }

        public double Apply(double model, double time)
        {
            var progress = seconds <= 0 ? 1 : Math.Clamp((time - start) / seconds, 0, 1);
            Finished = progress >= 1;
            var target = Kind == OverrideKind.Restore ? model : to;
            return from + ((target - from) * progress);
        }
    }
}

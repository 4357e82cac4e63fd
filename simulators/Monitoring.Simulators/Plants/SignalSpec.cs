namespace Monitoring.Simulators.Plants;

/// <summary>Operating phase of a plant: start-up, steady production, shutdown.</summary>
public enum PlantPhase
{
    Startup,
    Steady,
    Shutdown,
}

public enum SignalKind
{
    /// <summary>A measured value: first-order approach to the phase's nominal value, bounded drift and noise.</summary>
    Analog,

    /// <summary>An on/off state (valve limit switch, interlock healthy, pump ready): the phase's value, no noise.</summary>
    Boolean,

    /// <summary>A value that grows at the phase's rate per second (cast length).</summary>
    Integrator,

    /// <summary>Computed from other signals of the plant (lance cooling water inlet minus outlet flow).</summary>
    Derived,

    /// <summary>The plant's phase as a number: 1 start-up, 2 steady, 3 shutdown.</summary>
    Phase,
}

/// <summary>One point of a plant model: its tag, gateway and how its value behaves in each phase.</summary>
public sealed class SignalSpec
{
    public required string Tag { get; init; }

    public required string Gateway { get; init; }

    public string? Unit { get; init; }

    public SignalKind Kind { get; init; } = SignalKind.Analog;

    /// <summary>Nominal value (Boolean: 1 or 0; Integrator: rate per second) in start-up, steady and shutdown.</summary>
    public required (double Startup, double Steady, double Shutdown) Nominal { get; init; }

    /// <summary>Standard deviation of the white measurement noise.</summary>
    public double Noise { get; init; }

    /// <summary>Largest excursion of the slow random walk around the nominal value.</summary>
    public double Drift { get; init; }

    /// <summary>Time constant of the approach to a new phase's nominal value.</summary>
    public double TimeConstantSeconds { get; init; } = 5;

    /// <summary>Initial value of an integrator.</summary>
    public double Initial { get; init; }

    public double Min { get; init; } = double.NegativeInfinity;

    public double Max { get; init; } = double.PositiveInfinity;

    public int Decimals { get; init; } = 3;

    /// <summary>For <see cref="SignalKind.Derived"/>: the value from the current values of the other signals.</summary>
    public Func<Func<string, double>, double>? Derive { get; init; }

    public string? Description { get; init; }

    public double NominalIn(PlantPhase phase) => phase switch
    {
        PlantPhase.Startup => Nominal.Startup,
        PlantPhase.Shutdown => Nominal.Shutdown,
        _ => Nominal.Steady,
    };
}

/// <summary>A plant: enterprise code, industry and its signals, matching a demo site file.</summary>
public sealed class PlantDefinition
{
    public required string Key { get; init; }

    public required string Enterprise { get; init; }

    public required string Industry { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<SignalSpec> Signals { get; init; }

    public IEnumerable<string> Gateways => Signals.Select(s => s.Gateway).Distinct(StringComparer.Ordinal);

    public SignalSpec? Find(string tag) => Signals.FirstOrDefault(s => string.Equals(s.Tag, tag, StringComparison.Ordinal));
}

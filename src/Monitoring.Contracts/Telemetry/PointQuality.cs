namespace Monitoring.Contracts.Telemetry;

/// <summary>Quality of a point (docs/contract.md 1, <c>points[].q</c>).</summary>
public enum PointQuality : byte
{
    Good = 0,
    Uncertain = 1,
    /// <summary>Stored, never drives a process-value rule; drives sensor-health rules.</summary>
    Bad = 2,
}

/// <summary>What a point's <c>v</c> holds.</summary>
public enum PointValueKind : byte
{
    Number = 0,
    Boolean = 1,
    /// <summary>No value; only valid with <see cref="PointQuality.Bad"/>.</summary>
    Null = 2,
}

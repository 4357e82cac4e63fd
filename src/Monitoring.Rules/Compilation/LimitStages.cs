using System.Globalization;

namespace Monitoring.Rules.Compilation;

/// <summary>The four stages of a limit (GB/T 50493: H and L first level, HH and LL second), and how their conditions are worded.</summary>
internal static class LimitStages
{
    public static bool IsHigh(string stage) => stage is "H" or "HH";

    public static int Level(string stage) => stage is "HH" or "LL" ? 2 : 1;

    public static (string Zh, string En) Words(string stage) => stage switch
    {
        "HH" => ("高高报警", "high-high"),
        "H" => ("高报警", "high"),
        "L" => ("低报警", "low"),
        _ => ("低低报警", "low-low"),
    };

    /// <summary>"≥ 80 °C", "≤ 0.14 MPa", or without a unit "≥ 80".</summary>
    public static string Bound(string stage, double limit, string? unit)
        => string.Create(CultureInfo.InvariantCulture, $"{(IsHigh(stage) ? "≥" : "≤")} {limit} {unit}").TrimEnd();
}

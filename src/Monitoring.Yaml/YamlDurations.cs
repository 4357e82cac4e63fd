using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.Yaml;

/// <summary>The one duration syntax of every configuration file: a number with ms, s, m or h, or 0.</summary>
public static partial class YamlDurations
{
    public const string Hint = "a number with ms, s, m or h, e.g. 500ms, 2s, 1m";

    [GeneratedRegex(@"^(-?)([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)$")]
    private static partial Regex DurationPattern();

    /// <summary>Parses "500ms", "2s", "1.5m", "1h" or "0". Negative values parse, so validation can say they are negative.</summary>
    public static bool TryParse(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        if (text == "0")
            return true;

        var match = DurationPattern().Match(text);
        if (!match.Success
            || !double.TryParse(match.Groups[2].ValueSpan, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            return false;
        }

        var milliseconds = match.Groups[3].ValueSpan switch
        {
            "ms" => amount,
            "s" => amount * 1_000,
            "m" => amount * 60_000,
            _ => amount * 3_600_000,
        };
        if (milliseconds > TimeSpan.MaxValue.TotalMilliseconds / 2)
            return false;

        duration = TimeSpan.FromMilliseconds(match.Groups[1].ValueSpan.IsEmpty ? milliseconds : -milliseconds);
        return true;
    }
}

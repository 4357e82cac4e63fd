using System.Globalization;

using Monitoring.Yaml;

namespace Monitoring.Simulators.Scenarios;

/// <summary>Times in scenario files: clock offsets (<c>01:30</c>, <c>00:31.5</c>) and durations (<c>500ms</c>, <c>2s</c>, <c>1.5m</c>).</summary>
public static class ScenarioTime
{
    /// <summary>A duration in the configuration files' one syntax (<see cref="YamlDurations"/>), never negative.</summary>
    public static bool TryParseDuration(string text, out TimeSpan value)
        => YamlDurations.TryParse(text.Trim(), out value) && value >= TimeSpan.Zero;

    /// <summary>A point on the timeline: <c>mm:ss</c>, <c>mm:ss.f</c>, <c>h:mm:ss</c>, or a duration.</summary>
    public static bool TryParseOffset(string text, out TimeSpan value)
    {
        value = default;
        text = text.Trim();
        var parts = text.Split(':');
        if (parts.Length == 1)
            return TryParseDuration(text, out value);
        if (parts.Length > 3)
            return false;
        double total = 0;
        for (var i = 0; i < parts.Length; i++)
        {
            var last = i == parts.Length - 1;
            var style = last ? NumberStyles.AllowDecimalPoint : NumberStyles.None;
            if (!double.TryParse(parts[i], style, CultureInfo.InvariantCulture, out var part) || (i > 0 && part >= 60))
                return false;
            total = (total * 60) + part;
        }

        value = TimeSpan.FromSeconds(total);
        return true;
    }

    public static string Format(TimeSpan time)
    {
        var minutes = (int)time.TotalMinutes;
        var seconds = time.TotalSeconds - (minutes * 60);
        return string.Create(CultureInfo.InvariantCulture, $"{minutes:00}:{seconds:00.###}");
    }
}

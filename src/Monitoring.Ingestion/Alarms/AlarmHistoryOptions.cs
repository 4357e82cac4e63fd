using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// Configuration section <c>Monitoring:Alarms:History</c>: how long a closed alarm, its event trail and its final
/// state are kept. Records of safety alarms are expected to be kept for at least three years, so that is the default.
/// </summary>
internal sealed class AlarmHistoryOptions
{
    public const string Section = "Monitoring:Alarms:History";

    /// <summary>A closed alarm is deleted this long after it closed; an open alarm never is.</summary>
    [Range(typeof(TimeSpan), "1.00:00:00", "36500.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(3 * 365 + 1);

    /// <summary>How often the history is pruned (at start, then at this period).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan PruneEvery { get; set; } = TimeSpan.FromHours(6);
}

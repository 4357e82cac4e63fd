using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Hazards;

/// <summary>
/// Configuration section <c>Monitoring:Hazards</c>: the major-hazard register (docs/disposal.md, "Major-hazard
/// register"). A major-hazard rule's alarm opens a record; its rectification is planned within <see cref="PlanWithin"/>,
/// done by the plan's own deadline (at most <see cref="MaxRectifyDays"/> ahead), verified within <see cref="VerifyWithin"/>.
/// Defaults, not legal values: a site sets what its supervising authority asks.
/// </summary>
internal sealed class HazardOptions
{
    public const string Section = "Monitoring:Hazards";

    /// <summary>Off: no alarm opens a record (the records already kept stay, and can still be worked to their close-out).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>From the opening (or re-opening) of a record to its rectification plan.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan PlanWithin { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The furthest a plan may set its rectification deadline.</summary>
    [Range(1, 3650)]
    public int MaxRectifyDays { get; set; } = 180;

    /// <summary>From the rectification report to its verification by the supervising officer.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00")]
    public TimeSpan VerifyWithin { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How often deadlines are checked; an overdue event is at most this late.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan CheckEvery { get; set; } = TimeSpan.FromSeconds(10);
}

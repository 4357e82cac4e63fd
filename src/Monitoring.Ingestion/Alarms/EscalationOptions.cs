using System.ComponentModel.DataAnnotations;
using Monitoring.Contracts;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// Configuration section <c>Monitoring:Alarms:Escalation</c>: how long an alarm may stay
/// unacknowledged before <see cref="AlarmEscalated"/> is published. Level n fires at the raise plus
/// n times the priority's <see cref="PriorityEscalation.EscalateAfter"/>, up to <see cref="MaxLevel"/>;
/// the notification service turns level n into a notification to the n-th next person of the duty
/// chain (deputy, park or township, county). Defaults follow domain/README.md section 5 (level-2 and
/// red alarms: acknowledge within 5 minutes, escalate at 15); they are defaults, not legal values.
/// </summary>
internal sealed class EscalationOptions
{
    public const string Section = "Monitoring:Alarms:Escalation";

    /// <summary>Off: no <see cref="AlarmEscalated"/> at all (a site whose supervision platform escalates itself).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>The duty chain beyond the officer on duty: deputy, park or township, county.</summary>
    [Range(1, 10)]
    public int MaxLevel { get; set; } = 3;

    public PriorityEscalation Critical { get; set; } = new() { AcknowledgeWithin = TimeSpan.FromMinutes(5), EscalateAfter = TimeSpan.FromMinutes(15) };
    public PriorityEscalation High { get; set; } = new() { AcknowledgeWithin = TimeSpan.FromMinutes(5), EscalateAfter = TimeSpan.FromMinutes(15) };
    public PriorityEscalation Medium { get; set; } = new() { AcknowledgeWithin = TimeSpan.FromMinutes(30), EscalateAfter = TimeSpan.FromMinutes(30) };
    public PriorityEscalation Low { get; set; } = new() { AcknowledgeWithin = TimeSpan.FromMinutes(60), EscalateAfter = TimeSpan.FromMinutes(60) };

    /// <summary>
    /// Time from the raise to escalation level 1. A level-2 alarm or a major hazard is never given
    /// longer than a critical one, whatever priority the rule was configured with.
    /// </summary>
    public TimeSpan EscalateAfter(string priority, int level, bool majorHazard)
    {
        var byPriority = For(priority).EscalateAfter;
        return level >= 2 || majorHazard ? Min(byPriority, Critical.EscalateAfter) : byPriority;
    }

    /// <summary>The response time the duty console counts down to (shown, not enforced).</summary>
    public TimeSpan AcknowledgeWithin(string priority, int level, bool majorHazard)
    {
        var byPriority = For(priority).AcknowledgeWithin;
        return level >= 2 || majorHazard ? Min(byPriority, Critical.AcknowledgeWithin) : byPriority;
    }

    private PriorityEscalation For(string priority) => priority switch
    {
        AlarmPriorities.Critical => Critical,
        AlarmPriorities.High => High,
        AlarmPriorities.Medium => Medium,
        _ => Low,
    };

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

internal sealed class PriorityEscalation
{
    public TimeSpan AcknowledgeWithin { get; set; }
    public TimeSpan EscalateAfter { get; set; }
}

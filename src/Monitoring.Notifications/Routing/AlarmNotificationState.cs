namespace Monitoring.Notifications.Routing;

/// <summary>What the notification service knows of one alarm: enough to route, remind and stop. Stored as JSON, one row per alarm.</summary>
internal sealed record AlarmNotificationState
{
    public required Guid AlarmId { get; init; }

    /// <summary>Highest sequence applied. An event at or below it is late and changes nothing.</summary>
    public required long LastSequence { get; init; }

    /// <summary>The alarm as its latest applied event described it.</summary>
    public required AlarmSnapshot Alarm { get; init; }

    public required DateTimeOffset RaisedAt { get; init; }
    public bool Active { get; init; } = true;

    /// <summary>Why the alarm last cleared (<see cref="Monitoring.Contracts.ClearCauses"/>); null while active. A clear by the mode gate is not a return to normal, and messages say so.</summary>
    public string? ClearCause { get; init; }
    public bool Acknowledged { get; init; }
    public string? AcknowledgedBy { get; init; }

    /// <summary>Shelved or out of service: reminders pause.</summary>
    public bool Suppressed { get; init; }

    /// <summary>Acknowledged and cleared, or reset: nothing more goes out.</summary>
    public bool Closed { get; init; }

    public int EscalationLevel { get; init; }

    /// <summary>Person ids notified about this alarm so far, in order; reminders go to them.</summary>
    public IReadOnlyList<string> Recipients { get; init; } = [];

    public DateTimeOffset? NextReminderAt { get; init; }
    public int RemindersSent { get; init; }
}

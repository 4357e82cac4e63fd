using System.Diagnostics.CodeAnalysis;
using Monitoring.Contracts;

namespace Monitoring.Notifications.Routing;

/// <summary>
/// What the notification service keeps of an alarm event (in its state store): the contract's common facts of any
/// alarm event (<see cref="AlarmEvent"/>, declared once there), plus what is particular to its type. Every alarm
/// event describes the alarm as it stands, so any one of them is enough to notify about it. The context readings
/// are not kept (a message does not quote them). States stored by an earlier version, before a field of the
/// contract existed, still read (<see cref="Storage.NotificationStore"/>): such a field reads as its default.
/// </summary>
internal sealed record AlarmSnapshot : AlarmEvent
{
    /// <summary>For the serializer and for tests that build a snapshot field by field.</summary>
    public AlarmSnapshot()
    {
    }

    [SetsRequiredMembers]
    private AlarmSnapshot(AlarmEvent e)
        : base(e)
    {
        EventType = e.GetType().Name;
        Context = [];
    }

    public required string EventType { get; init; }

    /// <summary><see cref="AlarmEscalated.EscalationLevel"/>; 0 for other types.</summary>
    public int EscalationLevel { get; init; }

    /// <summary>Who acted, for operator events (acknowledged by, shelved by, ...).</summary>
    public string? Actor { get; init; }

    /// <summary><see cref="AlarmCleared.Cause"/> (<see cref="ClearCauses"/>); null for other types.</summary>
    public string? ClearCause { get; init; }

    /// <summary><see cref="AlarmDisposalOverdue.Step"/> (<see cref="DisposalSteps"/>); null for other types.</summary>
    public string? OverdueStep { get; init; }

    /// <summary>The snapshot of any alarm event: its common facts and what its type adds.</summary>
    public static AlarmSnapshot From(AlarmEvent e) => new(e)
    {
        EscalationLevel = (e as AlarmEscalated)?.EscalationLevel ?? 0,
        Actor = e switch
        {
            AlarmAcknowledged x => x.AcknowledgedBy,
            AlarmShelved x => x.ShelvedBy,
            AlarmUnshelved x => x.UnshelvedBy,
            AlarmOutOfService x => x.RemovedBy,
            AlarmReturnedToService x => x.ReturnedBy,
            AlarmReset x => x.ResetBy,
            _ => null,
        },
        ClearCause = (e as AlarmCleared)?.Cause,
        OverdueStep = (e as AlarmDisposalOverdue)?.Step,
    };
}

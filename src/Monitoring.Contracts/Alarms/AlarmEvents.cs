using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using MassTransit;

namespace Monitoring.Contracts;

// Alarm lifecycle events (docs/contract.md section 3). MassTransit names each exchange after the type's
// namespace and name, so these records must stay in namespace Monitoring.Contracts. Their common fields
// are declared once, in AlarmEvent, which MassTransit is told to leave out of the publish topology (no
// exchange of its own) and which the outbox publisher leaves out of the envelope's messageType list: on
// the wire each event is still its own flat type, as the contract says.
// Priority, industry and the like are strings on the wire, not enums, so that a consumer written in
// another language sees the documented words whatever serializer settings MassTransit uses.

/// <summary>
/// The facts every alarm event carries (docs/contract.md section 3, "Fields common to alarm events"),
/// declared once. Not a message of its own: it has no exchange and is not named in the envelope
/// (<c>ExcludeFromImplementedTypes</c> also keeps MassTransit from building scoped filters for it).
/// Serialized before each event's own fields, in this order (without <c>JsonPropertyOrder</c> the
/// serializer writes a derived type's own fields first, which would change the wire).
/// </summary>
[ExcludeFromTopology]
[ExcludeFromImplementedTypes]
public abstract record AlarmEvent
{
    [JsonPropertyOrder(-1)]
    public required Guid AlarmId { get; init; }
    [JsonPropertyOrder(-1)]
    public required Guid EventId { get; init; }
    [JsonPropertyOrder(-1)]
    public required long Sequence { get; init; }
    [JsonPropertyOrder(-1)]
    public required string RuleId { get; init; }
    [JsonPropertyOrder(-1)]
    public required int RuleVersion { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Enterprise { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Gateway { get; init; }
    [JsonPropertyOrder(-1)]
    public required IReadOnlyList<string> Tags { get; init; }
    [JsonPropertyOrder(-1)]
    public string? Equipment { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Industry { get; init; }
    [JsonPropertyOrder(-1)]
    public required string Priority { get; init; }
    [JsonPropertyOrder(-1)]
    public required int Level { get; init; }
    [JsonPropertyOrder(-1)]
    public required bool MajorHazard { get; init; }
    [JsonPropertyOrder(-1)]
    public string? Clause { get; init; }
    [JsonPropertyOrder(-1)]
    public double? Value { get; init; }
    [JsonPropertyOrder(-1)]
    public double? Limit { get; init; }
    [JsonPropertyOrder(-1)]
    public string? Unit { get; init; }
    [JsonPropertyOrder(-1)]
    public required LocalizedText Condition { get; init; }
    [JsonPropertyOrder(-1)]
    public required DateTimeOffset OccurredAt { get; init; }
    [JsonPropertyOrder(-1)]
    public required DateTimeOffset DetectedAt { get; init; }
    [JsonPropertyOrder(-1)]
    public required bool Historical { get; init; }
    [JsonPropertyOrder(-1)]
    public required IReadOnlyList<ContextReading> Context { get; init; }
    [JsonPropertyOrder(-1)]
    public required bool Simulated { get; init; }
}

/// <summary>A rule's condition became true (after its on-delay).</summary>
public sealed record AlarmRaised : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmRaised()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmRaised(AlarmEvent facts)
        : base(facts)
    {
    }

}

/// <summary>
/// The alarm's condition is no longer raised: it returned to normal (after its off-delay and deadband), or the
/// rule's mode gate closed (<see cref="Cause"/>).
/// </summary>
public sealed record AlarmCleared : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmCleared()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmCleared(AlarmEvent facts, string cause)
        : base(facts)
    {
        Cause = cause;
    }

    /// <summary>
    /// Why it cleared (contract v1.1, <see cref="ClearCauses"/>): <c>normal</c>, or <c>mode-gate</c> when the rule was
    /// disarmed by its mode gate (e.g. casting ended): not a return to normal. Not required, so an event written
    /// before v1.1 (without the field) reads as <c>normal</c>, which is what it meant.
    /// </summary>
    public string Cause { get; init; } = ClearCauses.Normal;
}

/// <summary>A duty officer acknowledged the alarm. The common fields describe the alarm as it stands.</summary>
public sealed record AlarmAcknowledged : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmAcknowledged()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmAcknowledged(AlarmEvent facts, string acknowledgedBy, string? comment, DateTimeOffset acknowledgedAt)
        : base(facts)
    {
        AcknowledgedBy = acknowledgedBy;
        Comment = comment;
        AcknowledgedAt = acknowledgedAt;
    }

    /// <summary>User id of the duty officer.</summary>
    public required string AcknowledgedBy { get; init; }
    public string? Comment { get; init; }
    /// <summary>Server time of the acknowledgement.</summary>
    public required DateTimeOffset AcknowledgedAt { get; init; }
}

/// <summary>An operator shelved the alarm (suppressed its notifications) until a time, with a reason.</summary>
public sealed record AlarmShelved : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmShelved()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmShelved(AlarmEvent facts, string shelvedBy, string reason, DateTimeOffset shelvedUntil)
        : base(facts)
    {
        ShelvedBy = shelvedBy;
        Reason = reason;
        ShelvedUntil = shelvedUntil;
    }

    public required string ShelvedBy { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset ShelvedUntil { get; init; }
}

/// <summary>The shelf of an alarm ended: it expired or an operator removed it.</summary>
public sealed record AlarmUnshelved : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmUnshelved()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmUnshelved(AlarmEvent facts, string? unshelvedBy, string reason)
        : base(facts)
    {
        UnshelvedBy = unshelvedBy;
        Reason = reason;
    }

    /// <summary>User id of the operator; null when the shelf expired.</summary>
    public string? UnshelvedBy { get; init; }
    /// <summary><c>expired</c> or <c>manual</c> (see <see cref="UnshelveReasons"/>).</summary>
    public required string Reason { get; init; }
}

/// <summary>An operator removed the alarm from service (a faulty sensor, maintenance) for a time, with a reason.</summary>
public sealed record AlarmOutOfService : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmOutOfService()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmOutOfService(AlarmEvent facts, string removedBy, string reason, DateTimeOffset outOfServiceUntil)
        : base(facts)
    {
        RemovedBy = removedBy;
        Reason = reason;
        OutOfServiceUntil = outOfServiceUntil;
    }

    /// <summary>User id of the operator.</summary>
    public required string RemovedBy { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset OutOfServiceUntil { get; init; }
}

/// <summary>The alarm is back in service: an operator returned it, or its out-of-service time expired.</summary>
public sealed record AlarmReturnedToService : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmReturnedToService()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmReturnedToService(AlarmEvent facts, string? returnedBy, string reason)
        : base(facts)
    {
        ReturnedBy = returnedBy;
        Reason = reason;
    }

    /// <summary>User id of the operator, or null when the out-of-service time expired.</summary>
    public string? ReturnedBy { get; init; }
    /// <summary><c>manual</c> or <c>expired</c> (see <see cref="UnshelveReasons"/>).</summary>
    public required string Reason { get; init; }
}

/// <summary>An operator reset a latched alarm after its condition had returned to normal.</summary>
public sealed record AlarmReset : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmReset()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmReset(AlarmEvent facts, string resetBy, string? comment)
        : base(facts)
    {
        ResetBy = resetBy;
        Comment = comment;
    }

    /// <summary>User id of the operator; null when the shelf expired.</summary>
    public required string ResetBy { get; init; }
    public string? Comment { get; init; }
}

/// <summary>The alarm stayed unacknowledged past its response time and was escalated.</summary>
public sealed record AlarmEscalated : AlarmEvent
{
    /// <summary>For the serializer.</summary>
    public AlarmEscalated()
    {
    }

    /// <summary>This event about the alarm <paramref name="facts"/> describes: its fields of <see cref="AlarmEvent"/> are copied.</summary>
    [SetsRequiredMembers]
    public AlarmEscalated(AlarmEvent facts, int escalationLevel, long unacknowledgedForSeconds)
        : base(facts)
    {
        EscalationLevel = escalationLevel;
        UnacknowledgedForSeconds = unacknowledgedForSeconds;
    }

    /// <summary>1 for the first escalation, +1 for each later one.</summary>
    public required int EscalationLevel { get; init; }
    /// <summary>Whole seconds between the raise and the escalation (a number, for non-.NET consumers).</summary>
    public required long UnacknowledgedForSeconds { get; init; }
}

/// <summary>A gateway went online/offline, or its data stopped (no message within its timeout).</summary>
public sealed record GatewayStatusChanged
{
    public required Guid EventId { get; init; }
    public required string Enterprise { get; init; }
    public required string Gateway { get; init; }
    /// <summary><c>online</c>, <c>offline</c> or <c>silent</c> (see <see cref="GatewayStates"/>).</summary>
    public required string State { get; init; }
    public required DateTimeOffset OccurredAt { get; init; }
    public DateTimeOffset? LastSeenAt { get; init; }
    public required bool Simulated { get; init; }
}

/// <summary>Human-readable text in Chinese and English.</summary>
public sealed record LocalizedText(string Zh, string En);

/// <summary>One recent reading of a tag involved in an alarm. <c>V</c> is a number, a boolean or null.</summary>
public sealed record ContextReading(string Tag, long Ts, object? V);

/// <summary>The words used on the wire for <c>priority</c>.</summary>
public static class AlarmPriorities
{
    public const string Critical = "critical";
    public const string High = "high";
    public const string Medium = "medium";
    public const string Low = "low";

    public static bool IsKnown(string value) => value is Critical or High or Medium or Low;
}

/// <summary>The words used on the wire for <c>industry</c>. More may be added.</summary>
public static class Industries
{
    public const string Steel = "steel";
    public const string AluminiumCasting = "aluminium-casting";
    public const string Dust = "dust";
}

/// <summary>The words used on the wire for <see cref="AlarmUnshelved.Reason"/>.</summary>
public static class UnshelveReasons
{
    public const string Expired = "expired";
    public const string Manual = "manual";
    /// <summary>A one-shot shelf ends when the alarm returns to normal.</summary>
    public const string ReturnedToNormal = "returned-to-normal";
}

/// <summary>The words used on the wire for <see cref="AlarmCleared.Cause"/> (contract v1.1). More may be added.</summary>
public static class ClearCauses
{
    /// <summary>The condition returned to normal.</summary>
    public const string Normal = "normal";
    /// <summary>The rule's mode gate closed (an available mode signal below its threshold): disarmed by design, not a return to normal.</summary>
    public const string ModeGate = "mode-gate";
}

/// <summary>The words used on the wire for <see cref="GatewayStatusChanged.State"/>.</summary>
public static class GatewayStates
{
    public const string Online = "online";
    public const string Offline = "offline";
    public const string Silent = "silent";
}

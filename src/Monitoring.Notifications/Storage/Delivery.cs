using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;

namespace Monitoring.Notifications.Storage;

public enum DeliveryStatus
{
    /// <summary>Waiting to be sent (or retried).</summary>
    Pending,
    /// <summary>Held for the person's next digest.</summary>
    Held,
    /// <summary>Folded into a digest, which is its own delivery.</summary>
    Digested,
    Sent,
    /// <summary>Recorded by the sandbox channel; no person was contacted.</summary>
    Sandboxed,
    Failed,
}

/// <summary>
/// One message to one person on one channel, fully composed when it is planned, so a roster reload
/// or a restart between planning and sending changes nothing about what is sent.
/// <see cref="NotificationId"/> is deterministic (event, reminder number, person), and with the channel
/// it is unique in the store: planning the same notification twice stores it once.
/// </summary>
public sealed record DeliveryDraft
{
    public required string NotificationId { get; init; }
    public required NotificationKind Kind { get; init; }
    public Guid? AlarmId { get; init; }
    public Guid? EventId { get; init; }
    public required string PersonId { get; init; }
    public required ChannelKind Channel { get; init; }
    /// <summary>Webhook URL or mail address; null for the sandbox.</summary>
    public string? Address { get; init; }
    public WebhookFormat Format { get; init; }
    public required string Title { get; init; }
    public required string Text { get; init; }
    public required string Markdown { get; init; }
    public string? AckUrl { get; init; }
    public bool Simulated { get; init; }
    public DeliveryStatus Status { get; init; } = DeliveryStatus.Pending;
    /// <summary>Why this delivery exists besides the plan: e.g. the channel it falls back from.</summary>
    public string? Note { get; init; }
}

/// <summary>A stored delivery with its outcome.</summary>
public sealed record DeliveryRecord
{
    public required long Id { get; init; }
    public required DeliveryDraft Draft { get; init; }
    public required DeliveryStatus Status { get; init; }
    public required int Attempts { get; init; }
    public string? Error { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}

/// <summary>A problem of the notification path itself, visible on /api/diagnostics until it clears.</summary>
public sealed record DiagnosticRecord(long Id, string Key, string Message, DateTimeOffset RaisedAt, DateTimeOffset? ClearedAt);

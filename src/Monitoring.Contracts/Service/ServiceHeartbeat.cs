namespace Monitoring.Contracts;

/// <summary>
/// Published by the ingestion service every <see cref="IntervalSeconds"/> while it runs, so that a
/// consumer can tell "no alarms" from "no service": the notification service raises its own alarm
/// when neither an event nor a heartbeat arrives for a while (silence is never green). Additive to
/// docs/contract.md; exchange <c>Monitoring.Contracts:ServiceHeartbeat</c>. Not journalled: a heartbeat
/// that cannot be published is simply missed, which is exactly what the watchdog must notice.
/// </summary>
public sealed record ServiceHeartbeat
{
    /// <summary>Unique per heartbeat (no two are the same event).</summary>
    public required Guid EventId { get; init; }
    /// <summary><c>ingestion</c>.</summary>
    public required string Service { get; init; }
    /// <summary>The process (host name and process id): two instances are told apart.</summary>
    public required string Instance { get; init; }
    public required DateTimeOffset SentAt { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    /// <summary>The next heartbeat is due this many seconds after <see cref="SentAt"/>.</summary>
    public required int IntervalSeconds { get; init; }
    /// <summary>Gateways online at <see cref="SentAt"/> (neither offline nor silent).</summary>
    public required int GatewaysOnline { get; init; }
    /// <summary>Alarms that need attention at <see cref="SentAt"/>.</summary>
    public required int ActiveAlarms { get; init; }
}

using System.ComponentModel.DataAnnotations;
using Monitoring.ServiceDefaults;

namespace Monitoring.Ingestion.Bus;

/// <summary>Configuration section <c>Monitoring:Bus</c>: the connection both services share, and the publisher's settings.</summary>
internal sealed class BusOptions : BusConnectionOptions
{
    /// <summary>Events taken from the outbox per publish round.</summary>
    [Range(1, 10_000)]
    public int PublishBatch { get; set; } = 256;

    /// <summary>
    /// How often <see cref="Monitoring.Contracts.ServiceHeartbeat"/> is published (0 = never). The
    /// notification service's watchdog alarms when neither an event nor a heartbeat arrives for a while.
    /// </summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A publish that has not completed within this time is abandoned and retried.</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Bus;

public enum BusKind
{
    /// <summary>MassTransit's in-memory transport (the default profile).</summary>
    InMemory,
    RabbitMq,
}

/// <summary>Configuration section <c>Monitoring:Bus</c>.</summary>
internal sealed class BusOptions
{
    public const string Section = "Monitoring:Bus";

    public BusKind Kind { get; set; } = BusKind.InMemory;

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 5672;

    [Required]
    public string VirtualHost { get; set; } = "/";

    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

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

using System.ComponentModel.DataAnnotations;
using MassTransit;

namespace Monitoring.ServiceDefaults;

public enum BusKind
{
    /// <summary>MassTransit's in-memory transport (the default profile).</summary>
    InMemory,
    RabbitMq,
}

/// <summary>
/// Section <c>Monitoring:Bus</c>, the keys both services read (one environment configures both): which transport,
/// and for RabbitMQ where and as whom. Each service's own bus options add what only it uses.
/// </summary>
public class BusConnectionOptions
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
}

public static class BusConnectionExtensions
{
    /// <summary>Connects a RabbitMQ bus to the broker the options name.</summary>
    public static void Host(this IRabbitMqBusFactoryConfigurator cfg, BusConnectionOptions bus)
        => cfg.Host(bus.Host, (ushort)bus.Port, bus.VirtualHost, h =>
        {
            h.Username(bus.Username);
            h.Password(bus.Password);
        });
}

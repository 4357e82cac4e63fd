using System.ComponentModel.DataAnnotations;
using MailKit.Security;
using Monitoring.ServiceDefaults;

namespace Monitoring.Notifications.Hosting;

/// <summary>Configuration section <c>Monitoring:Notifications</c>. Defaults are stated here.</summary>
internal sealed class NotificationOptions
{
    public const string Section = "Monitoring:Notifications";

    /// <summary>The duty roster (YAML), relative to the content root. Reloaded on change and by <c>POST /api/roster/reload</c>.</summary>
    [Required]
    public string RosterFile { get; set; } = "roster/roster.yaml";

    /// <summary>How often the roster file's timestamp is checked for a change.</summary>
    public TimeSpan RosterCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Every delivery goes to the sandbox channel (demos, staging). Simulated traffic always does.</summary>
    public bool SandboxOnly { get; set; }

    /// <summary>Re-notify the people already notified while an alarm stays unacknowledged. Zero: never.</summary>
    public TimeSpan RemindUnacknowledgedEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Remind the person who acknowledged an alarm while its condition is still active. Zero: never.</summary>
    public TimeSpan RemindAcknowledgedActiveEvery { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// Priorities whose raises may be grouped into a digest (never critical, level 2 or major hazards,
    /// whatever is listed here). Empty: nothing is grouped.
    /// </summary>
    public List<string> DigestPriorities { get; set; } = ["low"];

    /// <summary>A digest goes out this long after its first item.</summary>
    public TimeSpan DigestWindow { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Base address of the ingestion service for acknowledge links, e.g. <c>https://monitoring.example.cn</c>. Without it (or a key) no link is sent.</summary>
    public string? AckLinkBaseUrl { get; set; }

    /// <summary>How long an acknowledge link stays valid.</summary>
    public TimeSpan AckLinkLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often due reminders, digests and retries are looked for.</summary>
    public TimeSpan SchedulerInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Key for <c>POST /api/roster/reload</c> (header <c>X-Api-Key</c>). Without one, only callers on this machine may reload.</summary>
    public string? AdminKey { get; set; }

    /// <summary>
    /// On a graceful stop, how long sends already on the wire may take to finish and be recorded (no new
    /// one starts). A send still running then is cut off and sent again after the restart. The host's
    /// ShutdownTimeout is raised to at least this plus <see cref="StopMargin"/>.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true)]
    public TimeSpan StopGrace { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>What the rest of the host's stop (bus, web server) may take after the stop grace.</summary>
    public static readonly TimeSpan StopMargin = TimeSpan.FromSeconds(5);

    public WatchdogOptions Watchdog { get; set; } = new();

    public DeliveryOptions Delivery { get; set; } = new();

    public SmtpOptions Smtp { get; set; } = new();
}

internal sealed class WatchdogOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>No event and no heartbeat from ingestion for this long is an alarm (default: four heartbeats of 15 s).</summary>
    public TimeSpan SilenceAfter { get; set; } = TimeSpan.FromSeconds(60);
}

internal sealed class DeliveryOptions
{
    /// <summary>Attempts per channel before it counts as failed and the other channel is tried.</summary>
    [Range(1, 20)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>First retry delay; doubles per attempt.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>One HTTP POST or SMTP session, per attempt.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

internal sealed class SmtpOptions
{
    /// <summary>SMTP server; without one the e-mail channel is unavailable (deliveries fall back to the webhook).</summary>
    public string? Host { get; set; }

    [Range(1, 65535)]
    public int Port { get; set; } = 25;

    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;

    public string? Username { get; set; }
    public string? Password { get; set; }

    [Required]
    public string From { get; set; } = "monitoring@localhost";

    public string FromName { get; set; } = "安全监测 Safety monitoring";
}

/// <summary>Section <c>Monitoring:Bus</c>: the connection both services share (one environment configures both), and this service's queues.</summary>
internal sealed class BusOptions : BusConnectionOptions
{
    /// <summary>Queue name prefix: the service's durable queues are <c>{prefix}alarms</c>, <c>{prefix}gateways</c>, <c>{prefix}heartbeats</c>.</summary>
    [Required]
    public string QueuePrefix { get; set; } = "notifications-";
}

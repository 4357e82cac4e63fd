using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Mqtt;

public enum BrokerMode
{
    /// <summary>An MQTTnet broker inside this process on <see cref="MqttOptions.Host"/>:<see cref="MqttOptions.Port"/> (the default profile).</summary>
    Embedded,
    /// <summary>An external broker (Mosquitto, EMQX).</summary>
    External,
}

/// <summary>Configuration section <c>Monitoring:Mqtt</c>.</summary>
internal sealed class MqttOptions
{
    public const string Section = "Monitoring:Mqtt";

    public BrokerMode Broker { get; set; } = BrokerMode.Embedded;

    [Required]
    public string Host { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 1883;

    /// <summary>Topic root (docs/contract.md 1). May contain slashes.</summary>
    [Required]
    public string TopicRoot { get; set; } = "mon/v1";

    /// <summary>Client id of the service; with several connections, "-{n}" is appended.</summary>
    [Required]
    public string ClientId { get; set; } = "monitoring-ingestion";

    /// <summary>
    /// The service's own MQTT credentials (keep the password out of the repository: environment variable
    /// <c>Monitoring__Mqtt__Password</c> or a secret store). With the embedded broker and gateway
    /// authentication on, an unset user gets a random one-off password at start.
    /// </summary>
    public string? Username { get; set; }
    public string? Password { get; set; }

    /// <summary>Connect over TLS (the broker's TLS port in <see cref="Port"/>).</summary>
    public bool UseTls { get; set; }

    /// <summary>PEM CA that signed the broker's certificate; empty: the machine's trust store.</summary>
    public string? CaFile { get; set; }

    /// <summary>Client certificate for brokers that require one: PEM with <see cref="ClientKeyFile"/>, or PFX with <see cref="ClientCertificatePassword"/>.</summary>
    public string? ClientCertificateFile { get; set; }
    public string? ClientKeyFile { get; set; }
    public string? ClientCertificatePassword { get; set; }

    /// <summary>TLS server name to verify, when it differs from <see cref="Host"/>.</summary>
    public string? TlsServerName { get; set; }

    /// <summary>
    /// MQTT 5 Receive Maximum: messages the broker may have in flight to us unacknowledged. Must cover
    /// rate x (flush interval + write p99) twice over, or the broker throttles us (Mosquitto 2.0.11 was seen to
    /// stall with small windows: docs/reliability.md, "Broker settings that matter"). 65535 is the protocol maximum.
    /// </summary>
    [Range(100, 65535)]
    public int ReceiveMaximum { get; set; } = 65535;

    /// <summary>
    /// Socket receive and send buffer of each connection (SO_RCVBUF/SO_SNDBUF; Linux caps it at
    /// net.core.rmem_max and doubles it). MQTTnet always sets these, to 8 KiB by default, which also turns
    /// off the kernel's buffer autotuning: on loopback (64 KiB segments) a 16 KiB buffer drops whole
    /// segments once the broker sends a burst, the broker then resends only after TCP's retransmission
    /// back-off, and delivery to the service fell to about 18 messages/s for good (the soak stall in
    /// docs/performance.md). Keep it well above the largest segment and a burst of messages.
    /// </summary>
    [Range(65536, 64 * 1024 * 1024)]
    public int SocketBufferBytes { get; set; } = 4 * 1024 * 1024;

    /// <summary>How long the broker keeps our session (and queues QoS 1 messages) while we are away.</summary>
    public TimeSpan SessionExpiry { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Connections sharing the intake. Above 1 they subscribe to <c>$share/{SharedGroup}/...</c>; the
    /// partition worker that owns a gateway stays its single writer whatever connection a message came on.
    /// </summary>
    [Range(1, 64)]
    public int Connections { get; set; } = 1;

    [Required]
    public string SharedGroup { get; set; } = "monitoring";

    public TimeSpan ReconnectMinDelay { get; set; } = TimeSpan.FromMilliseconds(200);
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Embedded broker only: messages queued per client before the oldest are dropped (and counted).</summary>
    [Range(1000, int.MaxValue)]
    public int EmbeddedMaxPendingMessagesPerClient { get; set; } = 1_000_000;
}

namespace Monitoring.Simulators.Gateway;

/// <summary>
/// Where a simulated gateway's messages go: an MQTT connection in real runs, a list in unit tests.
/// The gateway owns buffering and back-fill; the sink only knows whether the link is up.
/// </summary>
public interface IMessageSink : IAsyncDisposable
{
    bool IsConnected { get; }

    /// <summary>Connects with the given last will (published retained by the broker if the link breaks).</summary>
    Task ConnectAsync(string willTopic, byte[] willPayload, CancellationToken cancellationToken);

    /// <summary>Drops the link; with <paramref name="sendWill"/> the broker publishes the last will, as after a cable cut.</summary>
    Task DisconnectAsync(bool sendWill, CancellationToken cancellationToken);

    Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken);
}

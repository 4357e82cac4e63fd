using System.Text;
using System.Text.Json;
using Monitoring.Simulators.Gateway;

namespace Monitoring.Simulators.Tests;

/// <summary>Records what a gateway would have put on the wire; the link can be cut and restored.</summary>
internal sealed class FakeSink : IMessageSink
{
    public List<(string Topic, string Payload, bool Retain)> Published { get; } = [];

    public (string Topic, string Payload)? Will { get; private set; }

    public int WillsSent { get; private set; }

    public bool IsConnected { get; private set; }

    public Task ConnectAsync(string willTopic, byte[] willPayload, CancellationToken cancellationToken)
    {
        Will = (willTopic, Encoding.UTF8.GetString(willPayload));
        IsConnected = true;
        return Task.CompletedTask;
    }

    public Task DisconnectAsync(bool sendWill, CancellationToken cancellationToken)
    {
        if (sendWill && IsConnected)
            WillsSent++;
        IsConnected = false;
        return Task.CompletedTask;
    }

    public Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        if (!IsConnected)
            throw new InvalidOperationException("not connected");
        Published.Add((topic, Encoding.UTF8.GetString(payload.Span), retain));
        return Task.CompletedTask;
    }

    public IEnumerable<JsonElement> Telemetry() =>
        Published.Where(p => p.Topic.EndsWith("/telemetry", StringComparison.Ordinal)).Select(p => JsonDocument.Parse(p.Payload).RootElement.Clone());

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

using System.Net;
using Microsoft.Extensions.Options;
using Monitoring.Ingestion.Observability;
using MQTTnet.Server;

namespace Monitoring.Ingestion.Mqtt;

/// <summary>
/// The MQTTnet broker of the default profile, listening on <see cref="MqttOptions.Host"/>:<see cref="MqttOptions.Port"/>.
/// Sessions are kept in memory: they survive the service's reconnects but not a restart of the process
/// (use Mosquitto or EMQX where that matters; docs/reliability.md).
/// </summary>
internal sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, TimeProvider time, ILogger<EmbeddedBroker> logger) : IAsyncDisposable
{
    private MqttServer? _server;
    private ITimer? _statsTimer;

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync()
    {
        var o = options.Value;
        var serverOptions = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(o.Host))
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(o.EmbeddedMaxPendingMessagesPerClient)
            .Build();
        _server = new MqttServerFactory().CreateMqttServer(serverOptions);
        IngestionMetrics.SetBrokerDroppedMessages(0);
        IngestionMetrics.SetBrokerQueuedMessages(0);
        _server.QueuedApplicationMessageOverwrittenAsync += _ =>
        {
            IngestionMetrics.AddBrokerDroppedMessages(1);
            return Task.CompletedTask;
        };
        _server.ValidatingConnectionAsync += e =>
        {
            // MQTT 5 clients may leave the id to the server (mosquitto_pub -V mqttv5 does).
            if (string.IsNullOrEmpty(e.ClientId))
                e.AssignedClientIdentifier = "auto-" + Guid.NewGuid().ToString("N");
            return Task.CompletedTask;
        };
        await _server.StartAsync();
        _statsTimer = time.CreateTimer(static state => _ = ((EmbeddedBroker)state!).SampleQueuesAsync(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        LogStarted(logger, o.Host, o.Port);
    }

    private async Task SampleQueuesAsync()
    {
        if (_server is not { IsStarted: true } server)
            return;
        try
        {
            long pending = 0;
            foreach (var session in await server.GetSessionsAsync())
                pending += session.PendingApplicationMessagesCount;
            IngestionMetrics.SetBrokerQueuedMessages(pending);
        }
        catch (Exception ex) when (ex is ObjectDisposedException or InvalidOperationException)
        {
            // Stopping.
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        if (_statsTimer is not null)
            await _statsTimer.DisposeAsync();
        if (_server is not null)
        {
            await _server.StopAsync(new MqttServerStopOptions());
            _server.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Host}:{Port}")]
    private static partial void LogStarted(ILogger logger, string host, int port);
}

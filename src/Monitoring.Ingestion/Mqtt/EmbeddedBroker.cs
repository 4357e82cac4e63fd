using System.Net;
using Microsoft.Extensions.Options;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Security;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Monitoring.Ingestion.Mqtt;

/// <summary>
/// The MQTTnet broker of the default profile, listening on <see cref="MqttOptions.Host"/>:<see cref="MqttOptions.Port"/>.
/// Sessions are kept in memory: they survive the service's reconnects but not a restart of the process
/// (use Mosquitto or EMQX where that matters; docs/reliability.md).
/// </summary>
/// Authentication, topic ACL and limits: <see cref="BrokerAccessControl"/> (docs/security.md).
internal sealed partial class EmbeddedBroker(IOptions<MqttOptions> options, BrokerAccessControl access, TimeProvider time, ILogger<EmbeddedBroker> logger) : IAsyncDisposable
{
    private MqttServer? _server;
    private ITimer? _statsTimer;
    private IDisposable? _serverCertificates;

    public bool IsRunning => _server?.IsStarted == true;

    public async Task StartAsync()
    {
        var o = options.Value;
        var builder = new MqttServerFactory().CreateServerOptionsBuilder()
            .WithDefaultEndpoint()
            .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(o.Host))
            .WithDefaultEndpointPort(o.Port)
            .WithPersistentSessions()
            .WithMaxPendingMessagesPerClient(o.EmbeddedMaxPendingMessagesPerClient);
        var tls = BrokerTls.Configure(builder, access.Broker, IPAddress.Parse(o.Host));
        _serverCertificates = tls;
        _server = new MqttServerFactory().CreateMqttServer(builder.Build());
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
            var clientId = e.ClientId;
            if (string.IsNullOrEmpty(clientId))
                e.AssignedClientIdentifier = clientId = "auto-" + Guid.NewGuid().ToString("N");
            var principal = access.Authenticate(clientId, e.UserName, e.Password, e.ClientCertificate, out var refusal);
            if (principal is null)
            {
                e.ReasonCode = refusal;
                LogConnectionRefused(logger, clientId, e.UserName, refusal.ToString());
            }
            else
            {
                e.SessionItems[BrokerPrincipal.SessionKey] = principal;
            }

            return Task.CompletedTask;
        };
        _server.InterceptingPublishAsync += OnInterceptingPublish;
        _server.InterceptingSubscriptionAsync += e =>
        {
            if (!access.AuthorizeSubscription(e.SessionItems[BrokerPrincipal.SessionKey] as BrokerPrincipal, e.TopicFilter.Topic))
            {
                e.ProcessSubscription = false;
                e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
                SecurityMetrics.SubscriptionsRefused.Add(1);
            }

            return Task.CompletedTask;
        };
        await _server.StartAsync();
        if (!access.AuthenticationEnabled)
            LogOpenBroker(logger);
        else
            LogAuthenticating(logger, access.GatewayCount);
        if (tls is not null)
            LogTlsListening(logger, o.Host, access.Broker.TlsPort, access.Broker.ClientCertificates.ToString());
        _statsTimer = time.CreateTimer(static state => _ = ((EmbeddedBroker)state!).SampleQueuesAsync(), this, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        LogStarted(logger, o.Host, o.Port);
    }

    private Task OnInterceptingPublish(InterceptingPublishEventArgs e)
    {
        // Messages the broker injects itself carry no client id.
        if (string.IsNullOrEmpty(e.ClientId))
            return Task.CompletedTask;
        var principal = e.SessionItems[BrokerPrincipal.SessionKey] as BrokerPrincipal;
        var message = e.ApplicationMessage;
        var verdict = access.AuthorizePublish(principal, message.Topic, message.Payload.Length);
        if (verdict == PublishVerdict.Allowed)
            return Task.CompletedTask;

        e.ProcessPublish = false;
        switch (verdict)
        {
            case PublishVerdict.Acl:
                e.Response.ReasonCode = MqttPubAckReasonCode.NotAuthorized;
                SecurityMetrics.PublishRefused("acl");
                LogPublishRefused(logger, e.ClientId, e.UserName, message.Topic);
                break;
            case PublishVerdict.RateLimit:
                e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
                SecurityMetrics.PublishRefused("rate_limit");
                break;
            default:
                e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
                e.Response.ReasonString = "payload too large";
                SecurityMetrics.PublishRefused("payload_too_large");
                break;
        }

        return Task.CompletedTask;
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

        _serverCertificates?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker listening on {Host}:{Port}")]
    private static partial void LogStarted(ILogger logger, string host, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Embedded MQTT broker is OPEN: no gateway credentials configured (Monitoring:Security:Gateways or GatewayPasswordFile), so any client may publish for any gateway. Development default only; see docs/security.md")]
    private static partial void LogOpenBroker(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker authenticates gateways ({Count} accounts) and enforces the topic ACL")]
    private static partial void LogAuthenticating(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Embedded MQTT broker TLS endpoint on {Host}:{Port} (client certificates: {Mode})")]
    private static partial void LogTlsListening(ILogger logger, string host, int port, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT connection refused: client {ClientId}, user {User}: {Reason}")]
    private static partial void LogConnectionRefused(ILogger logger, string clientId, string? user, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT publish refused by the topic ACL: client {ClientId}, user {User}, topic {Topic}")]
    private static partial void LogPublishRefused(ILogger logger, string clientId, string? user, string topic);
}

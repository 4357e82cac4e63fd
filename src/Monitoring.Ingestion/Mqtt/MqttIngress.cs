using System.Buffers;
using System.Buffers.Text;
using Microsoft.Extensions.Options;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Pipeline;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using Polly;
using Polly.Retry;

namespace Monitoring.Ingestion.Mqtt;

/// <summary>
/// The service's MQTT connections. Each subscribes to the telemetry and status topics at QoS 1 with
/// a persistent session (clean start off, long session expiry) and MQTT 5 Receive Maximum high, and
/// turns auto-acknowledge off: the PUBACK is sent by the partition worker once the readings are
/// durable. The receive callback only copies the payload and hands it to a bounded queue.
/// Reconnects with exponential back-off and jitter; re-subscribes on every connect, since a broker
/// that lost our session (Mosquitto killed before its autosave) reports SessionPresent = false.
/// </summary>
internal sealed partial class MqttIngress : IAsyncDisposable
{
    private const string BrokerStoreCountTopic = "$SYS/broker/store/messages/count";
    private const string BrokerDroppedTopic = "$SYS/broker/publish/messages/dropped";

    private readonly MqttOptions _options;
    private readonly IngestionPipeline _pipeline;
    private readonly TimeProvider _time;
    private readonly ILogger<MqttIngress> _logger;
    private readonly List<Connection> _connections = [];
    private readonly CancellationTokenSource _stopping = new();
    private volatile bool _accepting = true;

    public MqttIngress(IOptions<MqttOptions> options, IngestionPipeline pipeline, TimeProvider time, ILogger<MqttIngress> logger)
    {
        _options = options.Value;
        _pipeline = pipeline;
        _time = time;
        _logger = logger;
    }

    public bool IsConnected => _connections.Count > 0 && _connections.TrueForAll(c => c.Client.IsConnected);

    /// <summary>Connects every connection once (so a wrong address fails the start clearly), then keeps them connected.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _options.Connections; i++)
        {
            var clientId = _options.Connections == 1 ? _options.ClientId : $"{_options.ClientId}-{i}";
            var connection = new Connection(this, clientId, subscribeToBrokerStats: i == 0);
            _connections.Add(connection);
        }

        foreach (var connection in _connections)
            await connection.ConnectAsync(cancellationToken);

        foreach (var connection in _connections)
            connection.Supervise(_stopping.Token);
    }

    /// <summary>Stops handing messages to the pipeline; anything still arriving is left unacknowledged for redelivery.</summary>
    public void StopAccepting() => _accepting = false;

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
            return;
        _accepting = false;
        await _stopping.CancelAsync();
        foreach (var connection in _connections)
            await connection.DisposeAsync();
        _stopping.Dispose();
    }

    /// <summary>How one connection connects: MQTT 5, persistent session, the Receive Maximum and socket buffers of <paramref name="o"/>.</summary>
    internal static MqttClientOptions ClientOptions(MqttOptions o, string clientId)
    {
        var builder = new MqttClientFactory().CreateClientOptionsBuilder()
            .WithTcpServer(o.Host, o.Port)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)o.SessionExpiry.TotalSeconds)
            .WithReceiveMaximum((ushort)o.ReceiveMaximum)
            .WithKeepAlivePeriod(o.KeepAlive)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithMonitoringTls(o);
        if (!string.IsNullOrEmpty(o.Username))
            builder = builder.WithCredentials(o.Username, o.Password);
        var options = builder.Build();
        // MQTTnet sets SO_RCVBUF/SO_SNDBUF itself (8 KiB by default): see MqttOptions.SocketBufferBytes.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = o.SocketBufferBytes;
        return options;
    }

    private string[] TopicFilters()
    {
        var telemetry = TelemetryTopic.TelemetryFilter(_options.TopicRoot);
        var status = TelemetryTopic.StatusFilter(_options.TopicRoot);
        if (_options.Connections > 1)
        {
            telemetry = $"$share/{_options.SharedGroup}/{telemetry}";
            status = $"$share/{_options.SharedGroup}/{status}";
        }

        return [telemetry, status];
    }

    private async Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        // Must be set before the handler returns; the partition worker acknowledges later.
        e.AutoAcknowledge = false;
        var message = e.ApplicationMessage;
        var topic = message.Topic;

        if (topic.StartsWith("$SYS/", StringComparison.Ordinal))
        {
            OnBrokerStatistic(topic, message.Payload);
            await e.AcknowledgeAsync(CancellationToken.None);
            return;
        }

        if (!_accepting)
            return;

        var acknowledger = message.QualityOfServiceLevel == MqttQualityOfServiceLevel.AtMostOnce ? null : new Acknowledger(e);
        var admission = await _pipeline.AdmitAsync(topic, message.Payload, acknowledger, _time.GetUtcNow().ToUnixTimeMilliseconds(), _stopping.Token);
        if (admission == Admission.Rejected)
            await e.AcknowledgeAsync(CancellationToken.None);
    }

    private static void OnBrokerStatistic(string topic, ReadOnlySequence<byte> payload)
    {
        Span<byte> digits = stackalloc byte[32];
        if (payload.Length > digits.Length)
            return;
        payload.CopyTo(digits);
        if (!Utf8Parser.TryParse(digits[..(int)payload.Length], out long value, out _))
            return;
        if (topic == BrokerStoreCountTopic)
        {
            IngestionMetrics.SetBrokerQueuedMessages(value);
            // Mosquitto publishes the dropped count only when it changes (retained): a broker that reports
            // its store and never reported a drop has dropped nothing.
            IngestionMetrics.SetBrokerDroppedMessagesIfUnknown(0);
        }
        else if (topic == BrokerDroppedTopic)
            IngestionMetrics.SetBrokerDroppedMessages(value);
    }

    private sealed class Acknowledger(MqttApplicationMessageReceivedEventArgs args) : IMessageAcknowledger
    {
        public Task AcknowledgeAsync(CancellationToken cancellationToken) => args.AcknowledgeAsync(cancellationToken);
    }

    /// <summary>One client connection with its own reconnect loop.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly MqttIngress _owner;
        private readonly MqttClientOptions _clientOptions;
        private readonly bool _subscribeToBrokerStats;
        private readonly ResiliencePipeline _reconnect;
        private TaskCompletionSource _disconnected = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private Task? _supervisor;

        public Connection(MqttIngress owner, string clientId, bool subscribeToBrokerStats)
        {
            _owner = owner;
            _subscribeToBrokerStats = subscribeToBrokerStats;
            var o = owner._options;
            _clientOptions = ClientOptions(o, clientId);

            Client = new MqttClientFactory().CreateMqttClient();
            Client.ApplicationMessageReceivedAsync += owner.OnMessageAsync;
            Client.DisconnectedAsync += e =>
            {
                if (e.ClientWasConnected && !owner._stopping.IsCancellationRequested)
                    LogDisconnected(owner._logger, clientId, e.Reason.ToString(), e.Exception?.Message);
                _disconnected.TrySetResult();
                return Task.CompletedTask;
            };

            _reconnect = new ResiliencePipelineBuilder { TimeProvider = owner._time }
                .AddRetry(new RetryStrategyOptions
                {
                    ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException),
                    MaxRetryAttempts = int.MaxValue,
                    BackoffType = DelayBackoffType.Exponential,
                    UseJitter = true,
                    Delay = o.ReconnectMinDelay,
                    MaxDelay = o.ReconnectMaxDelay,
                    OnRetry = args =>
                    {
                        IngestionMetrics.MqttReconnects.Add(1, new KeyValuePair<string, object?>("result", "failed"));
                        LogReconnectFailed(owner._logger, clientId, args.AttemptNumber + 1, args.Outcome.Exception?.Message);
                        return ValueTask.CompletedTask;
                    },
                })
                .Build();
        }

        public IMqttClient Client { get; }

        public async Task ConnectAsync(CancellationToken cancellationToken)
        {
            _disconnected = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var result = await Client.ConnectAsync(_clientOptions, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new InvalidOperationException($"MQTT broker {_owner._options.Host}:{_owner._options.Port} refused the connection: {result.ResultCode} {result.ReasonString}");

            // Always subscribe: cheap when the session was kept, essential when it was not.
            var subscribe = new MqttClientFactory().CreateSubscribeOptionsBuilder();
            foreach (var filter in _owner.TopicFilters())
                subscribe = subscribe.WithTopicFilter(filter, MqttQualityOfServiceLevel.AtLeastOnce);
            if (_subscribeToBrokerStats)
            {
                subscribe = subscribe.WithTopicFilter(BrokerStoreCountTopic, MqttQualityOfServiceLevel.AtMostOnce)
                    .WithTopicFilter(BrokerDroppedTopic, MqttQualityOfServiceLevel.AtMostOnce);
            }

            await Client.SubscribeAsync(subscribe.Build(), cancellationToken);
            LogConnected(_owner._logger, _clientOptions.ClientId, result.IsSessionPresent);
        }

        public void Supervise(CancellationToken stopping) => _supervisor = Task.Run(() => SuperviseAsync(stopping), CancellationToken.None);

        private async Task SuperviseAsync(CancellationToken stopping)
        {
            while (!stopping.IsCancellationRequested)
            {
                try
                {
                    await _disconnected.Task.WaitAsync(stopping);
                    await _reconnect.ExecuteAsync(static async (self, ct) => await self.ConnectAsync(ct), this, stopping);
                    IngestionMetrics.MqttReconnects.Add(1, new KeyValuePair<string, object?>("result", "connected"));
                }
                catch (OperationCanceledException) when (stopping.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (Client.IsConnected)
            {
                try
                {
                    await Client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), CancellationToken.None);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // Already gone.
                }
            }

            if (_supervisor is not null)
                await _supervisor;
            Client.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "MQTT {ClientId} connected (session present: {SessionPresent})")]
    private static partial void LogConnected(ILogger logger, string clientId, bool sessionPresent);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT {ClientId} disconnected: {Reason} {Error}")]
    private static partial void LogDisconnected(ILogger logger, string clientId, string reason, string? error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MQTT {ClientId} reconnect attempt {Attempt} failed: {Error}")]
    private static partial void LogReconnectFailed(ILogger logger, string clientId, int attempt, string? error);
}

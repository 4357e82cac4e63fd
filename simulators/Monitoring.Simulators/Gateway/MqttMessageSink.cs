using System.Globalization;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.Simulators.Gateway;

/// <summary>An MQTT 5 connection for one gateway, client id <c>{enterprise}.{gateway}</c> as the contract requires.</summary>
public sealed class MqttMessageSink : IMessageSink
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly BrokerEndpoint _broker;
    private readonly string _clientId;

    public MqttMessageSink(BrokerEndpoint broker, string clientId)
    {
        _broker = broker;
        _clientId = clientId;
    }

    public bool IsConnected => _client.IsConnected;

    public async Task ConnectAsync(string willTopic, byte[] willPayload, CancellationToken cancellationToken)
    {
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(_broker.Host, _broker.Port)
            .WithClientId(_clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .WithWillTopic(willTopic)
            .WithWillPayload(willPayload)
            .WithWillRetain(true)
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
        if (_broker.Username is not null)
            builder = builder.WithCredentials(_broker.Username, _broker.Password);
        await ConnectOrExplainAsync(_client, builder.Build(), _broker, cancellationToken);
    }

    /// <summary>Connects, turning the transport's many failure types into one message that names the broker.</summary>
    public static async Task ConnectOrExplainAsync(IMqttClient client, MqttClientOptions options, BrokerEndpoint broker, CancellationToken cancellationToken)
    {
        try
        {
            var result = await client.ConnectAsync(options, cancellationToken);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
                throw new BrokerUnreachableException(string.Create(CultureInfo.InvariantCulture, $"the MQTT broker at {broker} refused the connection: {result.ResultCode} {result.ReasonString}"));
        }
        catch (Exception ex) when (ex is not BrokerUnreachableException and not OperationCanceledException || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            throw new BrokerUnreachableException($"cannot reach the MQTT broker at {broker}: {Innermost(ex).Message}", ex);
        }
    }

    private static Exception Innermost(Exception ex)
    {
        while (ex.InnerException is not null)
            ex = ex.InnerException;
        return ex;
    }

    public async Task DisconnectAsync(bool sendWill, CancellationToken cancellationToken)
    {
        if (!_client.IsConnected)
            return;
        var options = new MqttClientDisconnectOptionsBuilder()
            .WithReason(sendWill ? MqttClientDisconnectOptionsReason.DisconnectWithWillMessage : MqttClientDisconnectOptionsReason.NormalDisconnection)
            .Build();
        await _client.DisconnectAsync(options, cancellationToken);
    }

    public async Task PublishAsync(string topic, ReadOnlyMemory<byte> payload, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload.ToArray())
            .WithRetainFlag(retain)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
            throw new InvalidOperationException($"the broker refused a message on {topic}: {result.ReasonCode} {result.ReasonString}");
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            try
            {
                await _client.DisconnectAsync();
            }
            catch (MQTTnet.Exceptions.MqttCommunicationException)
            {
                // The link is gone already; nothing to close.
            }
        }

        _client.Dispose();
    }
}

/// <summary>Host, port and optional credentials of an MQTT broker.</summary>
public sealed record BrokerEndpoint(string Host, int Port, string? Username = null, string? Password = null)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Host}:{Port}");
}

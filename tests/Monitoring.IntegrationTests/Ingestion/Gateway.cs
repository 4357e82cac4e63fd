using System.Globalization;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>A test gateway: publishes contract payloads at QoS 1 over MQTT 5.</summary>
internal sealed class Gateway : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _topicRoot;

    private Gateway(IMqttClient client, string topicRoot, string enterprise, string gateway)
    {
        _client = client;
        _topicRoot = topicRoot;
        Enterprise = enterprise;
        Id = gateway;
    }

    public string Enterprise { get; }
    public string Id { get; }

    public static async Task<Gateway> ConnectAsync(string host, int port, string topicRoot, string enterprise, string gateway)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId($"{enterprise}.{gateway}.{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .Build();
        await client.ConnectAsync(options);
        return new Gateway(client, topicRoot, enterprise, gateway);
    }

    public string TelemetryTopic => $"{_topicRoot}/{Enterprise}/{Id}/telemetry";

    public Task PublishAsync(string json) => PublishRawAsync(TelemetryTopic, Encoding.UTF8.GetBytes(json));

    public async Task PublishRawAsync(string topic, byte[] payload)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build();
        var result = await _client.PublishAsync(message);
        if (!result.IsSuccess)
            throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
    }

    public static string Batch(long seq, long ts, params (string Tag, string Value)[] points)
    {
        var body = string.Join(",", points.Select(p => $"{{\"tag\":\"{p.Tag}\",\"v\":{p.Value}}}"));
        return string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"ts\":{ts},\"points\":[{body}]}}");
    }

    public async ValueTask DisposeAsync()
    {
        await _client.DisconnectAsync();
        _client.Dispose();
    }
}

using System.Buffers;
using Monitoring.Simulators.Gateway;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.Simulators.Recording;

/// <summary>Subscribes to <c>{root}/#</c> and writes every message to a recording file with its arrival time.</summary>
public sealed class Recorder : IAsyncDisposable
{
    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly StreamWriter _writer;
    private readonly string _topicRoot;
    private readonly TimeProvider _time;
    private readonly long _started;
    private readonly Lock _lock = new();

    private Recorder(string path, string topicRoot, TimeProvider time)
    {
        _writer = new StreamWriter(path, append: false) { AutoFlush = false };
        _topicRoot = topicRoot;
        _time = time;
        _started = time.GetTimestamp();
        _writer.WriteLine(RecordingFormat.Header(topicRoot, time.GetUtcNow().ToUnixTimeMilliseconds()));
    }

    public long Messages { get; private set; }

    public static async Task<Recorder> StartAsync(BrokerEndpoint broker, string topicRoot, string path, TimeProvider? time, CancellationToken cancellationToken)
    {
        var recorder = new Recorder(path, topicRoot, time ?? TimeProvider.System);
        recorder._client.ApplicationMessageReceivedAsync += recorder.OnMessageAsync;
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.Port)
            .WithClientId($"monitoring-sim-recorder-{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true);
        if (broker.Username is not null)
            builder = builder.WithCredentials(broker.Username, broker.Password);
        var options = builder.Build();
        // MQTTnet's default 8 KiB socket buffers stall delivery on loopback under a burst: a recording must not fall behind.
        ((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 4 * 1024 * 1024;
        await MqttMessageSink.ConnectOrExplainAsync(recorder._client, options, broker, cancellationToken);
        await recorder._client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder()
                .WithTopicFilter(f => f.WithTopic($"{topicRoot}/#").WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).WithRetainAsPublished(true))
                .Build(),
            cancellationToken);
        return recorder;
    }

    private Task OnMessageAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        var topic = e.ApplicationMessage.Topic;
        var relative = topic.StartsWith(_topicRoot + "/", StringComparison.Ordinal) ? topic[(_topicRoot.Length + 1)..] : topic;
        var payload = e.ApplicationMessage.Payload;
        var bytes = payload.IsSingleSegment ? payload.FirstSpan : payload.ToArray();
        var line = RecordingFormat.Line((long)_time.GetElapsedTime(_started).TotalMilliseconds, relative, e.ApplicationMessage.Retain, bytes);
        lock (_lock)
        {
            _writer.WriteLine(line);
            Messages++;
        }

        return Task.CompletedTask;
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
            await _client.DisconnectAsync();
        _client.Dispose();
        lock (_lock)
            _writer.Flush();
        await _writer.DisposeAsync();
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

// The load test's naive reference: what a competent person writes in an afternoon. Subscribe (QoS 1,
// the client acknowledges as soon as the handler returns), parse each message with JsonDocument,
// append line protocol, POST batches to InfluxDB. No rules, no durability, no acknowledgement after
// the write, no retry: a failed write is lost and counted. Its throughput is the bar the service must
// reach while doing everything this skips.
//
//   Monitoring.BareForwarder --mqtt 127.0.0.1:1883 --influx http://127.0.0.1:8086/ --db fwd
//                            --topic mon/v1/+/+/telemetry [--batch 5000] [--flush-ms 100] [--writers 2]
var settings = ForwarderSettings.Parse(args);
using var stop = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    stop.Cancel();
};
AppDomain.CurrentDomain.ProcessExit += (_, _) => stop.Cancel();

using var http = new HttpClient { BaseAddress = settings.Influx, Timeout = TimeSpan.FromSeconds(30) };
using (var create = new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{settings.Database}\"")]))
using (var created = await http.PostAsync(new Uri("query", UriKind.Relative), create))
    created.EnsureSuccessStatusCode();

var batches = Channel.CreateUnbounded<string>(new UnboundedChannelOptions { SingleWriter = false });
var batcher = new Batcher(settings.BatchSize, batches.Writer);
var stats = new Stats();
var writeUri = new Uri($"write?db={Uri.EscapeDataString(settings.Database)}&precision=ms", UriKind.Relative);

var writers = new Task[settings.Writers];
for (var i = 0; i < writers.Length; i++)
{
    writers[i] = Task.Run(async () =>
    {
        await foreach (var body in batches.Reader.ReadAllAsync(CancellationToken.None))
        {
            try
            {
                using var content = new StringContent(body, Encoding.UTF8, "text/plain");
                using var response = await http.PostAsync(writeUri, content, CancellationToken.None);
                if (!response.IsSuccessStatusCode)
                    Interlocked.Increment(ref stats.FailedWrites);
            }
            catch (HttpRequestException)
            {
                Interlocked.Increment(ref stats.FailedWrites);
            }
        }
    });
}

var factory = new MqttClientFactory();
using var client = factory.CreateMqttClient();
client.ApplicationMessageReceivedAsync += e =>
{
    // Topic: {root...}/{enterprise}/{gateway}/telemetry.
    var topic = e.ApplicationMessage.Topic.Split('/');
    var enterprise = topic[^3];
    var gateway = topic[^2];
    try
    {
        using var document = JsonDocument.Parse(e.ApplicationMessage.Payload);
        var root = document.RootElement;
        var batchTs = root.TryGetProperty("ts", out var ts) ? ts.GetInt64() : 0;
        var lines = new StringBuilder(64 * 64);
        var count = 0;
        foreach (var point in root.GetProperty("points").EnumerateArray())
        {
            var tag = point.GetProperty("tag").GetString();
            var pointTs = point.TryGetProperty("ts", out var own) ? own.GetInt64() : batchTs;
            var v = point.GetProperty("v");
            var field = v.ValueKind switch
            {
                JsonValueKind.Number => "value=" + v.GetDouble().ToString("R", CultureInfo.InvariantCulture),
                JsonValueKind.True => "state=true",
                JsonValueKind.False => "state=false",
                _ => "quality=2i",
            };
            lines.Append(CultureInfo.InvariantCulture, $"telemetry,ent={enterprise},gw={gateway},point={tag} {field} {pointTs}\n");
            count++;
        }

        batcher.Add(lines, count);
        Interlocked.Increment(ref stats.Messages);
    }
    catch (JsonException)
    {
        Interlocked.Increment(ref stats.Rejected);
    }

    return Task.CompletedTask;
};

var options = new MqttClientOptionsBuilder()
    .WithTcpServer(settings.MqttHost, settings.MqttPort)
    .WithClientId(settings.ClientId)
    .WithProtocolVersion(MqttProtocolVersion.V500)
    .WithCleanStart(true)
    .WithReceiveMaximum(65535)
    .Build();
// Not an optimisation, a fix: MQTTnet's default 8 KiB socket buffers stall delivery from Mosquitto on
// loopback once a burst comes (docs/performance.md, Soak); the service and the pass-through set the same.
((MqttClientTcpOptions)options.ChannelOptions).BufferSize = 4 * 1024 * 1024;
await client.ConnectAsync(options, stop.Token);
await client.SubscribeAsync(
    factory.CreateSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(settings.Topic).WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)).Build(),
    stop.Token);
// The driver waits for this line before it offers load.
Console.WriteLine("forwarder ready");

using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(settings.FlushMs));
try
{
    while (await timer.WaitForNextTickAsync(stop.Token))
        batcher.Flush();
}
catch (OperationCanceledException)
{
    // Stopping: what is buffered still goes out below.
}

batcher.Flush();
batches.Writer.Complete();
await Task.WhenAll(writers);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"forwarder stopped: {stats.Messages} messages, {stats.Rejected} rejected, {stats.FailedWrites} failed writes"));

/// <summary>Collects lines until the batch size; a timer flushes the rest.</summary>
internal sealed class Batcher(int batchSize, ChannelWriter<string> output)
{
    private readonly Lock _lock = new();
    private StringBuilder _lines = new();
    private int _count;

    public void Add(StringBuilder lines, int count)
    {
        lock (_lock)
        {
            _lines.Append(lines);
            _count += count;
            if (_count >= batchSize)
                FlushLocked();
        }
    }

    public void Flush()
    {
        lock (_lock)
            FlushLocked();
    }

    private void FlushLocked()
    {
        if (_count == 0)
            return;
        output.TryWrite(_lines.ToString());
        _lines = new StringBuilder(_lines.Capacity);
        _count = 0;
    }
}

internal sealed class Stats
{
    public long Messages;
    public long Rejected;
    public long FailedWrites;
}

internal sealed record ForwarderSettings(string MqttHost, int MqttPort, Uri Influx, string Database, string Topic, string ClientId, int BatchSize, int FlushMs, int Writers)
{
    public static ForwarderSettings Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        string Get(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;
        var mqtt = Get("mqtt", "127.0.0.1:1883").Split(':');
        var influx = Get("influx", "http://127.0.0.1:8086/");
        return new ForwarderSettings(
            mqtt[0],
            int.Parse(mqtt[1], CultureInfo.InvariantCulture),
            new Uri(influx.EndsWith('/') ? influx : influx + "/"),
            Get("db", "forwarder"),
            Get("topic", "mon/v1/+/+/telemetry"),
            Get("client-id", "bare-forwarder"),
            int.Parse(Get("batch", "5000"), CultureInfo.InvariantCulture),
            int.Parse(Get("flush-ms", "100"), CultureInfo.InvariantCulture),
            int.Parse(Get("writers", "2"), CultureInfo.InvariantCulture));
    }
}

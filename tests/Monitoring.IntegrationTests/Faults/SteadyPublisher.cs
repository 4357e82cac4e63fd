using System.Diagnostics;
using System.Text;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// A gateway that rides through broker outages: one QoS 1 message per tick, message <c>k</c> built by
/// the caller, and a message is retried (same payload, same timestamps) until the broker acknowledges
/// it, reconnecting as needed. So "acknowledged" counts distinct messages, each exactly once, and a
/// message the broker took without its PUBACK arriving is only ever stored once (same series and time).
/// </summary>
internal sealed class SteadyPublisher : IAsyncDisposable
{
    private static readonly TimeSpan GiveUpAfterStop = TimeSpan.FromSeconds(30);

    private readonly IMqttClient _client = new MqttClientFactory().CreateMqttClient();
    private readonly MqttClientOptions _options;
    private readonly string _topic;
    private readonly Func<long, string> _message;
    private readonly TimeSpan _tick;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _acknowledged;
    private long _failedAttempts;

    private SteadyPublisher(string host, int port, string topic, Func<long, string> message, int readingsPerMessage, TimeSpan tick)
    {
        _options = new MqttClientOptionsBuilder()
            .WithTcpServer(host, port)
            .WithClientId($"steady.{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true)
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
        _topic = topic;
        _message = message;
        ReadingsPerMessage = readingsPerMessage;
        _tick = tick;
    }

    public int ReadingsPerMessage { get; }

    /// <summary>Messages the broker acknowledged (PUBACK); message indexes 0 .. this - 1.</summary>
    public long MessagesAcknowledged => Interlocked.Read(ref _acknowledged);

    public long ReadingsAcknowledged => MessagesAcknowledged * ReadingsPerMessage;

    /// <summary>Publish or connect attempts that failed (the broker was away); each was retried.</summary>
    public long FailedAttempts => Interlocked.Read(ref _failedAttempts);

    public static async Task<SteadyPublisher> StartAsync(string host, int port, string topic, Func<long, string> message, int readingsPerMessage, TimeSpan tick)
    {
        var publisher = new SteadyPublisher(host, port, topic, message, readingsPerMessage, tick);
        await publisher._client.ConnectAsync(publisher._options);
        publisher._loop = Task.Run(publisher.RunAsync);
        return publisher;
    }

    /// <summary>
    /// Stops publishing new messages; a message that failed is retried until acknowledged first (for at
    /// most 30 s, so restore the broker before stopping). Returns the messages acknowledged.
    /// </summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return MessagesAcknowledged;
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_tick);
        long k = 0;
        byte[]? retry = null;
        long stoppedAt = 0;
        while (await timer.WaitForNextTickAsync(CancellationToken.None))
        {
            if (_stop.IsCancellationRequested)
            {
                // A message that failed is finished before stopping: the broker may hold it, so it must be counted.
                stoppedAt = stoppedAt == 0 ? Stopwatch.GetTimestamp() : stoppedAt;
                if (retry is null || Stopwatch.GetElapsedTime(stoppedAt) > GiveUpAfterStop)
                    return;
            }

            var payload = retry ?? Encoding.UTF8.GetBytes(_message(k));
            try
            {
                if (!_client.IsConnected)
                    await _client.ConnectAsync(_options, CancellationToken.None);

                // No cancellation token: a publish abandoned half-way might be stored without being counted.
                var result = await _client.PublishAsync(
                    new MqttApplicationMessageBuilder()
                        .WithTopic(_topic)
                        .WithPayload(payload)
                        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build(),
                    CancellationToken.None);
                if (!result.IsSuccess)
                    throw new InvalidOperationException($"publish refused: {result.ReasonCode}");
                Interlocked.Increment(ref _acknowledged);
                k++;
                retry = null;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // The broker is away: the next tick retries the same message.
                Interlocked.Increment(ref _failedAttempts);
                retry = payload;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        if (_client.IsConnected)
            await _client.DisconnectAsync();
        _client.Dispose();
        _stop.Dispose();
    }
}

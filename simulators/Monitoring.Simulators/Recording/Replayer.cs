using System.Text;
using Monitoring.Simulators.Gateway;

namespace Monitoring.Simulators.Recording;

public sealed class ReplayOptions
{
    public required BrokerEndpoint Broker { get; init; }

    /// <summary>Root to publish under; the recording's own root when null.</summary>
    public string? TopicRoot { get; init; }

    /// <summary>1 keeps the recorded pacing, 10 is ten times faster, 0 as fast as possible.</summary>
    public double Speed { get; init; } = 1;

    /// <summary>
    /// Shift every timestamp so the recording starts now, or just after its own last timestamp if that is later
    /// (a replay against the service that saw the original must not be older than what it already evaluated).
    /// </summary>
    public bool RewriteTimestamps { get; init; }

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Func<string, IMessageSink>? SinkFactory { get; init; }

    public Action<long, long>? Progress { get; init; }
}

public sealed record ReplayResult(long Messages, long DeltaMs);

/// <summary>Publishes a recording again, one MQTT connection per gateway (client id <c>{enterprise}.{gateway}</c>).</summary>
public static class Replayer
{
    public static async Task<ReplayResult> ReplayAsync(RecordedFile recording, ReplayOptions options, CancellationToken cancellationToken)
    {
        var root = options.TopicRoot ?? recording.TopicRoot;
        long delta = 0;
        if (options.RewriteTimestamps && RecordingFormat.TimestampRange(recording.Messages) is { } range)
        {
            var now = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            delta = Math.Max(now - range.Min, range.Max - range.Min + 1000);
        }

        var sinks = new Dictionary<string, IMessageSink>(StringComparer.Ordinal);
        var wallStart = options.Time.GetTimestamp();
        long published = 0;
        var lastProgress = TimeSpan.Zero;
        try
        {
            foreach (var message in recording.Messages)
            {
                if (options.Speed > 0)
                {
                    var due = TimeSpan.FromMilliseconds(message.OffsetMs / options.Speed);
                    var elapsed = options.Time.GetElapsedTime(wallStart);
                    if (due > elapsed)
                        await Task.Delay(due - elapsed, options.Time, cancellationToken);
                }

                var parts = message.Topic.Split('/');
                var clientKey = parts.Length >= 2 ? $"{parts[0]}.{parts[1]}" : "monitoring-sim-replay";
                if (!sinks.TryGetValue(clientKey, out var sink))
                {
                    sink = options.SinkFactory?.Invoke(clientKey) ?? new MqttMessageSink(options.Broker, clientKey);
                    sinks[clientKey] = sink;
                    var statusTopic = parts.Length >= 2 ? $"{root}/{parts[0]}/{parts[1]}/status" : $"{root}/status";
                    await sink.ConnectAsync(statusTopic, SimulatedGateway.StatusPayload("offline", null, "monitoring-sim/replay"), cancellationToken);
                }

                var payload = RecordingFormat.ShiftTimestamps(message.Payload, delta);
                await sink.PublishAsync($"{root}/{message.Topic}", Encoding.UTF8.GetBytes(payload), message.Retain, cancellationToken);
                published++;
                var wall = options.Time.GetElapsedTime(wallStart);
                if (options.Progress is not null && wall - lastProgress >= TimeSpan.FromSeconds(1))
                {
                    lastProgress = wall;
                    options.Progress(published, recording.Messages.Count);
                }
            }
        }
        finally
        {
            foreach (var sink in sinks.Values)
            {
                await sink.DisconnectAsync(sendWill: false, CancellationToken.None);
                await sink.DisposeAsync();
            }
        }

        return new ReplayResult(published, delta);
    }
}

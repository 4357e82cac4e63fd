using System.Globalization;
using Monitoring.IntegrationTests.Ingestion;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// Background load for a fault test: one gateway publishing a message of <c>pointsPerMessage</c>
/// readings every tick at QoS 1, each message a new timestamp so every reading is a distinct point.
/// Counts what the broker acknowledged (PUBACK): that is what "published" means in the figures.
/// </summary>
internal sealed class LoadPublisher : IAsyncDisposable
{
    private readonly Gateway _gateway;
    private readonly int _pointsPerMessage;
    private readonly TimeSpan _tick;
    private readonly long _firstTs;
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;
    private long _messages;

    private LoadPublisher(Gateway gateway, int pointsPerMessage, TimeSpan tick, long firstTs)
    {
        _gateway = gateway;
        _pointsPerMessage = pointsPerMessage;
        _tick = tick;
        _firstTs = firstTs;
    }

    public long MessagesPublished => Interlocked.Read(ref _messages);

    public long ReadingsPublished => MessagesPublished * _pointsPerMessage;

    /// <summary>Starts publishing; about <paramref name="pointsPerMessage"/> / <paramref name="tick"/> readings a second.</summary>
    public static LoadPublisher Start(Gateway gateway, int pointsPerMessage, TimeSpan tick, long firstTs)
    {
        var publisher = new LoadPublisher(gateway, pointsPerMessage, tick, firstTs);
        publisher._loop = Task.Run(publisher.RunAsync);
        return publisher;
    }

    /// <summary>Stops publishing and returns once every publish in flight was acknowledged by the broker.</summary>
    public async Task<long> StopAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        return ReadingsPublished;
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_tick);
        var points = new (string Tag, string Value)[_pointsPerMessage];
        long m = 0;
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                for (var p = 0; p < points.Length; p++)
                {
                    points[p] = ($"LOAD.{p}", ((m * 7) + p).ToString(CultureInfo.InvariantCulture));
                }

                // One publish at a time: the next tick waits for the PUBACK, so the rate adapts to the broker.
                await _gateway.PublishAsync(Gateway.Batch(m + 1, _firstTs + m, points));
                Interlocked.Increment(ref _messages);
                m++;
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // Stopped by the test.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _stop.Dispose();
    }
}

using System.Globalization;
using Monitoring.Simulators.Gateway;

namespace Monitoring.Simulators.Fleet;

public sealed class FleetOptions
{
    public required BrokerEndpoint Broker { get; init; }

    public string TopicRoot { get; init; } = "mon/v1";

    public int Enterprises { get; init; } = 1;

    public int GatewaysPerEnterprise { get; init; } = 1;

    public int PointsPerGateway { get; init; } = 10;

    /// <summary>Batches per second per gateway; each batch holds every point of the gateway.</summary>
    public double RateHz { get; init; } = 1;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Enterprise codes are this prefix and a number, so load traffic is recognisable and never a real plant.</summary>
    public string EnterprisePrefix { get; init; } = "SIMFLEET";

    public TimeProvider Time { get; init; } = TimeProvider.System;

    public Func<string, IMessageSink>? SinkFactory { get; init; }

    public Action<FleetProgress>? Progress { get; init; }
}

public sealed record FleetProgress(TimeSpan Elapsed, long Messages, long Points, long Failures);

/// <summary>
/// N enterprises x M gateways x K points at R Hz: each gateway is a <see cref="SimulatedGateway"/> on its own
/// connection, publishing one batch of all its points per tick with <c>sim: true</c>. Values are a cheap
/// deterministic wave, since load tests measure transport and storage, not the rules.
/// </summary>
public static class FleetRunner
{
    public static string EnterpriseId(string prefix, int index) => string.Create(CultureInfo.InvariantCulture, $"{prefix}{index:D4}");

    public static string GatewayId(int index) => string.Create(CultureInfo.InvariantCulture, $"gw{index:D3}");

    public static string Tag(int index) => string.Create(CultureInfo.InvariantCulture, $"SIM.P{index:D5}");

    public static async Task<FleetProgress> RunAsync(FleetOptions options, CancellationToken cancellationToken)
    {
        var gateways = new List<SimulatedGateway>();
        var sinks = new List<IMessageSink>();
        var tags = Enumerable.Range(0, options.PointsPerGateway).Select(Tag).ToArray();
        long failures = 0;
        try
        {
            var now = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            for (var e = 0; e < options.Enterprises; e++)
            {
                for (var g = 0; g < options.GatewaysPerEnterprise; g++)
                {
                    var enterprise = EnterpriseId(options.EnterprisePrefix, e);
                    var id = GatewayId(g);
                    var sink = options.SinkFactory?.Invoke($"{enterprise}.{id}") ?? new MqttMessageSink(options.Broker, $"{enterprise}.{id}");
                    sinks.Add(sink);
                    var gateway = new SimulatedGateway(sink, new GatewayOptions { Enterprise = enterprise, Gateway = id, TopicRoot = options.TopicRoot, MaxPointsPerBatch = 10_000 });
                    await gateway.StartAsync(now, cancellationToken);
                    gateways.Add(gateway);
                }
            }

            var period = TimeSpan.FromSeconds(1 / Math.Max(options.RateHz, 0.001));
            var start = options.Time.GetTimestamp();
            var lastProgress = TimeSpan.Zero;
            long tick = 0;
            while (!cancellationToken.IsCancellationRequested)
            {
                var elapsed = options.Time.GetElapsedTime(start);
                if (elapsed >= options.Duration)
                    break;
                var due = period * tick;
                if (due > elapsed)
                {
                    await Task.Delay(due - elapsed, options.Time, cancellationToken);
                }

                var ts = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
                // One tick's batches go out concurrently: a slow connection must not hold the others back.
                var sends = new Task[gateways.Count];
                for (var i = 0; i < gateways.Count; i++)
                {
                    var gateway = gateways[i];
                    for (var p = 0; p < tags.Length; p++)
                        gateway.Add(tags[p], ts, Math.Round(50 + (10 * Math.Sin((tick + p + i) * 0.1)), 3));
                    sends[i] = gateway.FlushAsync(ts, cancellationToken);
                }

                try
                {
                    await Task.WhenAll(sends);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    failures += sends.Count(t => t.IsFaulted);
                }

                tick++;
                var wall = options.Time.GetElapsedTime(start);
                if (options.Progress is not null && wall - lastProgress >= TimeSpan.FromSeconds(1))
                {
                    lastProgress = wall;
                    options.Progress(Snapshot(wall, gateways, failures));
                }
            }

            var end = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            foreach (var gateway in gateways)
                await gateway.StopAsync(end, CancellationToken.None);
            return Snapshot(options.Time.GetElapsedTime(start), gateways, failures);
        }
        finally
        {
            foreach (var sink in sinks)
                await sink.DisposeAsync();
        }
    }

    private static FleetProgress Snapshot(TimeSpan elapsed, List<SimulatedGateway> gateways, long failures) =>
        new(elapsed, gateways.Sum(g => g.MessagesPublished), gateways.Sum(g => g.PointsPublished), failures);
}

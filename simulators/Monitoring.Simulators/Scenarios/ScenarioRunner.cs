using Monitoring.Simulators.Gateway;
using Monitoring.Simulators.Plants;

namespace Monitoring.Simulators.Scenarios;

/// <summary>
/// Plays a scenario: steps the plant model every <see cref="Scenario.Sample"/>, applies the timeline's events at
/// their exact times, and hands the samples to one simulated gateway per published gateway. Timestamps are
/// <c>startMs</c> + sensor time, so a time-dilated run stays monotonic per sensor; wall pacing is sensor time
/// divided by the speed. The settle period after the scenario is published without waiting.
/// </summary>
public static class ScenarioRunner
{
    public static async Task<ScenarioRunResult> RunAsync(Scenario scenario, long startMs, RunOptions options, CancellationToken cancellationToken)
    {
        var model = new PlantModel(scenario.Plant, scenario.Seed, scenario.Phase);
        var gateways = new Dictionary<string, SimulatedGateway>(StringComparer.Ordinal);
        var sinks = new List<IMessageSink>();
        try
        {
            foreach (var id in scenario.Gateways)
            {
                var sink = options.CreateSink($"{scenario.Plant.Enterprise}.{id}");
                sinks.Add(sink);
                gateways[id] = new SimulatedGateway(sink, new GatewayOptions
                {
                    Enterprise = scenario.Plant.Enterprise,
                    Gateway = id,
                    TopicRoot = options.TopicRoot,
                    ClockSkew = options.ClockSkew ?? scenario.ClockSkew,
                });
            }

            foreach (var gateway in gateways.Values)
                await gateway.StartAsync(startMs, cancellationToken);

            var signals = scenario.Plant.Signals.Where(s => gateways.ContainsKey(s.Gateway)).ToList();
            var sampleMs = (long)scenario.Sample.TotalMilliseconds;
            var batchMs = Math.Max((long)scenario.Batch.TotalMilliseconds, sampleMs);
            var durationMs = (long)scenario.Duration.TotalMilliseconds;
            var totalMs = durationMs + (long)scenario.Settle.TotalMilliseconds;
            var ticks = totalMs / sampleMs;
            var total = TimeSpan.FromMilliseconds(totalMs);
            var batchStart = gateways.Keys.ToDictionary(k => k, _ => startMs, StringComparer.Ordinal);
            var reconnects = new List<(string Gateway, long AtMs)>();
            var next = 0;
            var settled = false;
            var wallStart = options.Time.GetTimestamp();
            var lastProgress = TimeSpan.Zero;

            for (long k = 0; k <= ticks; k++)
            {
                var t = k * sampleMs;
                var ts = startMs + t;
                if (t > durationMs && !settled)
                {
                    settled = true;
                    model.RestoreAll();
                    model.Phase = scenario.Phase;
                    foreach (var (id, _) in reconnects)
                        await gateways[id].RestoreLinkAsync(ts, cancellationToken);
                    reconnects.Clear();
                }

                while (!settled && next < scenario.Timeline.Count && scenario.Timeline[next].At.TotalMilliseconds <= t)
                {
                    var e = scenario.Timeline[next++];
                    await ApplyAsync(e, model, gateways, reconnects, cancellationToken);
                }

                for (var i = reconnects.Count - 1; i >= 0; i--)
                {
                    if (reconnects[i].AtMs <= t)
                    {
                        await gateways[reconnects[i].Gateway].RestoreLinkAsync(ts, cancellationToken);
                        reconnects.RemoveAt(i);
                    }
                }

                if (k > 0)
                    model.Step(scenario.Sample.TotalSeconds);

                if (!settled && options.Speed > 0)
                {
                    var due = TimeSpan.FromMilliseconds(t / options.Speed);
                    var elapsed = options.Time.GetElapsedTime(wallStart);
                    if (due > elapsed)
                        await Task.Delay(due - elapsed, options.Time, cancellationToken);
                }

                foreach (var signal in signals)
                {
                    var gateway = gateways[signal.Gateway];
                    if (model.IsBad(signal.Tag))
                        gateway.AddBad(signal.Tag, ts);
                    else if (signal.Kind == SignalKind.Boolean)
                        gateway.Add(signal.Tag, ts, model.Value(signal.Tag) >= 0.5);
                    else
                        gateway.Add(signal.Tag, ts, model.Value(signal.Tag));
                }

                foreach (var (id, gateway) in gateways)
                {
                    options.Clock?.Set(scenario.Plant.Enterprise, id, ts);
                    if (k == ticks || ts + sampleMs - batchStart[id] >= batchMs)
                    {
                        await gateway.FlushAsync(batchStart[id], cancellationToken);
                        batchStart[id] = ts + sampleMs;
                    }
                }

                var wall = options.Time.GetElapsedTime(wallStart);
                if (options.Progress is not null && wall - lastProgress >= TimeSpan.FromSeconds(1))
                {
                    lastProgress = wall;
                    options.Progress(scenario, TimeSpan.FromMilliseconds(t), total);
                }
            }

            var end = startMs + (ticks * sampleMs);
            foreach (var gateway in gateways.Values)
            {
                if (!gateway.LinkUp)
                    await gateway.RestoreLinkAsync(end, cancellationToken);
                await gateway.StopAsync(end, cancellationToken);
            }

            return new ScenarioRunResult(
                scenario,
                startMs,
                end,
                gateways.Values.Sum(g => g.MessagesPublished),
                gateways.Values.Sum(g => g.PointsPublished),
                gateways.Values.Sum(g => (long)g.Buffered));
        }
        finally
        {
            foreach (var sink in sinks)
                await sink.DisposeAsync();
        }
    }

    private static async Task ApplyAsync(ScenarioEvent e, PlantModel model, Dictionary<string, SimulatedGateway> gateways, List<(string Gateway, long AtMs)> reconnects, CancellationToken cancellationToken)
    {
        var at = e.At.TotalSeconds;
        switch (e.Kind)
        {
            case EventKind.Ramp when e.Percent is { } percent:
                model.RampRelative(e.Tag!, percent, e.Over.TotalSeconds, at);
                break;
            case EventKind.Ramp:
                model.Ramp(e.Tag!, e.Target!.Value, e.Over.TotalSeconds, at);
                break;
            case EventKind.Set:
                model.Set(e.Tag!, e.Target!.Value, at);
                break;
            case EventKind.Restore:
                model.Restore(e.Tag!, e.Over.TotalSeconds, at);
                break;
            case EventKind.Phase:
                model.Phase = e.Phase!.Value;
                break;
            case EventKind.Bad:
                model.MarkBad(e.Tag!, e.Over.TotalSeconds, at);
                break;
            case EventKind.Disconnect:
                await gateways[e.Gateway!].LoseLinkAsync(cancellationToken);
                reconnects.Add((e.Gateway!, (long)(e.At + e.Over).TotalMilliseconds));
                break;
            default:
                break;
        }
    }
}

using System.Text.Json;
using Monitoring.Simulators.Gateway;
using Monitoring.Simulators.Scenarios;

namespace Monitoring.Simulators.Tests;

public sealed class ScenarioRunnerTests
{
    private const string Text = """
        scenario: Link loss during a pressure drop
        plant: aluminium-casting
        gateways: [gw01]
        seed: 9
        sample: 500ms
        batch: 1s
        duration: 10s
        settle: 2s
        timeline:
          - at: 00:02
            tag: CAST1.MOULD.WATER.P
            ramp: 0.10
            over: 1s
          - at: 00:04
            disconnect: gw01
            for: 3s
        expect:
          - alarm: DC_MOULD_WATER_PRESSURE
            within: 2s
        """;

    private static async Task<(ScenarioRunResult Result, FakeSink Sink)> RunAsync(long start = 1_763_800_000_000)
    {
        var sink = new FakeSink();
        var options = new RunOptions { Broker = new BrokerEndpoint("unused", 1), Speed = 0, SinkFactory = _ => sink };
        var result = await ScenarioRunner.RunAsync(ScenarioParser.Parse(Text, "t.yaml"), start, options, CancellationToken.None);
        return (result, sink);
    }

    private static List<(long Ts, double V)> Pressure(FakeSink sink) =>
        [.. sink.Telemetry().SelectMany(b => b.GetProperty("points").EnumerateArray()
            .Where(p => p.GetProperty("tag").GetString() == "CAST1.MOULD.WATER.P")
            .Select(p => (p.TryGetProperty("ts", out var ts) ? ts.GetInt64() : b.GetProperty("ts").GetInt64(), p.GetProperty("v").GetDouble())))];

    [Fact]
    public async Task Run_SameScenarioAndStart_SamePayloads()
    {
        var (_, a) = await RunAsync();
        var (_, b) = await RunAsync();

        Assert.Equal(a.Published, b.Published);
    }

    [Fact]
    public async Task Run_TwoSamplesPerBatch_EveryReadingOnceInTimeOrderFromTheStart()
    {
        var (result, sink) = await RunAsync();

        var pressure = Pressure(sink);
        Assert.Equal(25, pressure.Count);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => result.StartMs + (i * 500L)), pressure.Select(p => p.Ts));
        Assert.Equal(result.StartMs + 12_000, result.EndMs);
        Assert.All(sink.Telemetry(), b => Assert.True(b.GetProperty("sim").GetBoolean()));
    }

    [Fact]
    public async Task Run_RampEvent_ValuesFollowTheTimeline()
    {
        var (result, sink) = await RunAsync();

        var byTime = Pressure(sink).ToDictionary(p => p.Ts - result.StartMs, p => p.V);
        Assert.InRange(byTime[1_500], 0.19, 0.21);
        Assert.InRange(byTime[2_500], 0.14, 0.16);
        Assert.InRange(byTime[3_500], 0.09, 0.11);
        Assert.InRange(byTime[11_000], 0.19, 0.21);
    }

    [Fact]
    public async Task Run_LinkLost_WillSentAndTheGapBackFilledInSeqOrderAfterReconnect()
    {
        var (_, sink) = await RunAsync();

        Assert.Equal(1, sink.WillsSent);
        var batches = sink.Telemetry().ToList();
        Assert.Equal(Enumerable.Range(0, batches.Count).Select(i => (ulong)i), batches.Select(b => b.GetProperty("seq").GetUInt64()));
        var statuses = sink.Published.Where(p => p.Topic.EndsWith("/status", StringComparison.Ordinal))
            .Select(p => JsonDocument.Parse(p.Payload).RootElement.GetProperty("state").GetString()).ToList();
        Assert.Equal(["online", "online", "offline"], statuses);
    }
}

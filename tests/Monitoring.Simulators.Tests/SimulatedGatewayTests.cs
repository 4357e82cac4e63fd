using System.Text.Json;
using Monitoring.Simulators.Gateway;

namespace Monitoring.Simulators.Tests;

public sealed class SimulatedGatewayTests
{
    private static (SimulatedGateway Gateway, FakeSink Sink) Create(int maxPoints = 1000, TimeSpan skew = default)
    {
        var sink = new FakeSink();
        var gateway = new SimulatedGateway(sink, new GatewayOptions { Enterprise = "91441800DEMODCCAST", Gateway = "gw01", MaxPointsPerBatch = maxPoints, ClockSkew = skew });
        return (gateway, sink);
    }

    [Fact]
    public async Task Start_Connects_WithRetainedOfflineWillAndPublishesRetainedOnline()
    {
        var (gateway, sink) = Create();

        await gateway.StartAsync(1_000, CancellationToken.None);

        Assert.Equal("mon/v1/91441800DEMODCCAST/gw01/status", sink.Will!.Value.Topic);
        Assert.Equal("offline", JsonDocument.Parse(sink.Will!.Value.Payload).RootElement.GetProperty("state").GetString());
        var (topic, payload, retain) = Assert.Single(sink.Published);
        Assert.Equal("mon/v1/91441800DEMODCCAST/gw01/status", topic);
        Assert.True(retain);
        var status = JsonDocument.Parse(payload).RootElement;
        Assert.Equal("online", status.GetProperty("state").GetString());
        Assert.Equal(1_000, status.GetProperty("ts").GetInt64());
    }

    [Fact]
    public async Task Flush_SeveralTimes_IncrementsSeqAndMarksEveryBatchSimulated()
    {
        var (gateway, sink) = Create();
        await gateway.StartAsync(0, CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            gateway.Add("CAST1.MOULD.WATER.P", 1_000 + i, 0.2);
            await gateway.FlushAsync(1_000 + i, CancellationToken.None);
        }

        var batches = sink.Telemetry().ToList();
        Assert.Equal([0UL, 1UL, 2UL], batches.Select(b => b.GetProperty("seq").GetUInt64()));
        Assert.All(batches, b => Assert.True(b.GetProperty("sim").GetBoolean()));
        Assert.All(sink.Published.Where(p => p.Topic.EndsWith("/telemetry", StringComparison.Ordinal)), p => Assert.False(p.Retain));
    }

    [Fact]
    public async Task Flush_PointsOfSeveralSamples_OneBatchWhosePointsCarryTheirOwnTimestamps()
    {
        var (gateway, sink) = Create();
        await gateway.StartAsync(0, CancellationToken.None);

        gateway.Add("A", 1_000, 1.5);
        gateway.Add("B", 1_000, true);
        gateway.Add("A", 1_500, 1.25);
        gateway.AddBad("C", 1_500);
        await gateway.FlushAsync(1_000, CancellationToken.None);

        var batch = Assert.Single(sink.Telemetry());
        Assert.Equal(1_000, batch.GetProperty("ts").GetInt64());
        var points = batch.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(4, points.Count);
        Assert.False(points[0].TryGetProperty("ts", out _));
        Assert.True(points[1].GetProperty("v").GetBoolean());
        Assert.Equal(1_500, points[2].GetProperty("ts").GetInt64());
        Assert.Equal(1.25, points[2].GetProperty("v").GetDouble());
        Assert.Equal(JsonValueKind.Null, points[3].GetProperty("v").ValueKind);
        Assert.Equal(2, points[3].GetProperty("q").GetInt32());
    }

    [Fact]
    public async Task Flush_MorePointsThanTheBatchLimit_SplitsIntoMessagesWithConsecutiveSeq()
    {
        var (gateway, sink) = Create(maxPoints: 2);
        await gateway.StartAsync(0, CancellationToken.None);
        for (var i = 0; i < 5; i++)
            gateway.Add($"T{i}", 1_000, i);

        await gateway.FlushAsync(1_000, CancellationToken.None);

        var batches = sink.Telemetry().ToList();
        Assert.Equal([2, 2, 1], batches.Select(b => b.GetProperty("points").GetArrayLength()));
        Assert.Equal([0UL, 1UL, 2UL], batches.Select(b => b.GetProperty("seq").GetUInt64()));
    }

    [Fact]
    public async Task LinkLost_BatchesBuffered_BackFilledInOrderWithOriginalTimestampsAfterOnline()
    {
        var (gateway, sink) = Create();
        await gateway.StartAsync(0, CancellationToken.None);
        await gateway.LoseLinkAsync(CancellationToken.None);

        for (var i = 0; i < 3; i++)
        {
            gateway.Add("CAST1.MOULD.WATER.P", 10_000 + (i * 1_000), 0.2 - (i * 0.01));
            await gateway.FlushAsync(10_000 + (i * 1_000), CancellationToken.None);
        }

        Assert.Equal(1, sink.WillsSent);
        Assert.Equal(3, gateway.Buffered);
        Assert.Empty(sink.Telemetry());

        await gateway.RestoreLinkAsync(20_000, CancellationToken.None);

        Assert.Equal(0, gateway.Buffered);
        var online = sink.Published.Select((p, i) => (p, i)).Where(x => x.p.Payload.Contains("\"online\"", StringComparison.Ordinal)).Select(x => x.i).ToList();
        Assert.Equal(2, online.Count);
        Assert.True(online[1] < sink.Published.FindIndex(p => p.Topic.EndsWith("/telemetry", StringComparison.Ordinal)), "online is announced before the back-fill");
        var backFilled = sink.Telemetry().ToList();
        Assert.Equal([10_000L, 11_000L, 12_000L], backFilled.Select(b => b.GetProperty("ts").GetInt64()));
        Assert.Equal([0UL, 1UL, 2UL], backFilled.Select(b => b.GetProperty("seq").GetUInt64()));
    }

    [Fact]
    public async Task LinkLost_BufferFull_DropsOldestAndCountsThem()
    {
        var sink = new FakeSink();
        var gateway = new SimulatedGateway(sink, new GatewayOptions { Enterprise = "E", Gateway = "g", BufferLimit = 2 });
        await gateway.StartAsync(0, CancellationToken.None);
        await gateway.LoseLinkAsync(CancellationToken.None);
        for (var i = 0; i < 3; i++)
        {
            gateway.Add("A", i, i);
            await gateway.FlushAsync(i, CancellationToken.None);
        }

        await gateway.RestoreLinkAsync(10, CancellationToken.None);

        Assert.Equal(1, gateway.Dropped);
        Assert.Equal([1L, 2L], sink.Telemetry().Select(b => b.GetProperty("ts").GetInt64()));
    }

    [Fact]
    public async Task ClockSkew_AddedToBatchPointAndStatusTimestamps()
    {
        var (gateway, sink) = Create(skew: TimeSpan.FromSeconds(-2));
        await gateway.StartAsync(10_000, CancellationToken.None);
        gateway.Add("A", 10_000, 1);
        gateway.Add("A", 10_500, 2);
        await gateway.FlushAsync(10_000, CancellationToken.None);

        Assert.Contains("\"ts\":8000", sink.Published[0].Payload, StringComparison.Ordinal);
        var batch = Assert.Single(sink.Telemetry());
        Assert.Equal(8_000, batch.GetProperty("ts").GetInt64());
        Assert.Equal(8_500, batch.GetProperty("points")[1].GetProperty("ts").GetInt64());
    }

    [Fact]
    public async Task Stop_PublishesRetainedOfflineAndDisconnectsWithoutWill()
    {
        var (gateway, sink) = Create();
        await gateway.StartAsync(0, CancellationToken.None);

        await gateway.StopAsync(5_000, CancellationToken.None);

        var last = sink.Published[^1];
        Assert.True(last.Retain);
        Assert.Contains("\"offline\"", last.Payload, StringComparison.Ordinal);
        Assert.Equal(0, sink.WillsSent);
        Assert.False(sink.IsConnected);
    }
}

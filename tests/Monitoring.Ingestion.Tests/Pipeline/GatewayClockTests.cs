using Monitoring.Ingestion.Pipeline;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>The per-gateway clock estimate: robust to network delay, backlogs and a bogus timestamp; follows a clock that was set.</summary>
public sealed class GatewayClockTests
{
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(10);
    private const long T0 = 1_763_800_000_000;

    /// <summary>Messages one a second from <paramref name="fromMs"/>, the gateway's clock <paramref name="behindMs"/> behind, each delayed by <paramref name="delay"/>(i) ms.</summary>
    private static long Feed(GatewayClock clock, long fromMs, int count, long behindMs, Func<int, long>? delay = null)
    {
        var arrival = fromMs;
        for (var i = 0; i < count; i++)
        {
            arrival = fromMs + (i * 1000L);
            clock.Observe(arrival + (delay?.Invoke(i) ?? 0), arrival - behindMs);
        }

        return arrival;
    }

    [Fact]
    public void Observe_FirstMessages_UnknownUntilEnoughAgree()
    {
        var clock = new GatewayClock(Window);

        Feed(clock, T0, GatewayClock.ConfirmSamples - 1, behindMs: 600_000);
        Assert.False(clock.IsKnown);
        Assert.Equal(T0, clock.GatewayNowMs(T0));

        Feed(clock, T0 + 10_000, GatewayClock.ConfirmSamples, behindMs: 600_000);
        Assert.True(clock.IsKnown);
        Assert.Equal(600_000, clock.OffsetMs);
        Assert.Equal(-600_000, clock.AheadByMs);
    }

    [Fact]
    public void Observe_NetworkDelayAndJitter_EstimateIsTheSmallestDelay()
    {
        var clock = new GatewayClock(Window);

        Feed(clock, T0, 60, behindMs: 90_000, delay: i => 5 + (i * 37 % 400));

        Assert.Equal(90_005, clock.OffsetMs);
    }

    [Fact]
    public void Observe_Backlog_DoesNotMoveTheEstimate()
    {
        var clock = new GatewayClock(Window);
        var last = Feed(clock, T0, 10, behindMs: 0);

        // Five minutes of buffered data arrive within a second, oldest first.
        for (var s = 1; s <= 300; s++)
            clock.Observe(last + 300_000 + s, last + (s * 1000L));

        Assert.Equal(0, clock.OffsetMs);
        Assert.False(clock.IsCurrent(last + 100_000, last + 300_300, historicalAfterMs: 60_000));
        Assert.True(clock.IsCurrent(last + 250_000, last + 300_300, historicalAfterMs: 60_000));
    }

    [Fact]
    public void Observe_BacklogAfterTheWindowWentEmpty_IsStillJudgedAgainstTheLastEstimate()
    {
        var clock = new GatewayClock(Window);
        var last = Feed(clock, T0, 10, behindMs: 0);

        // Silent for an hour (the window empties), then an hour of buffered data, oldest first.
        var back = last + 3_600_000;
        for (var s = 0; s < 600; s++)
            clock.Observe(back + s, last + (s * 6_000L));

        Assert.Equal(0, clock.OffsetMs);
    }

    [Fact]
    public void Observe_OneBogusFutureTimestamp_IsIgnored()
    {
        var clock = new GatewayClock(Window);
        var last = Feed(clock, T0, 10, behindMs: 0);

        clock.Observe(last + 1000, last + 1000 + (365L * 86_400_000));
        Feed(clock, last + 2000, 5, behindMs: 0);

        Assert.Equal(0, clock.OffsetMs);
    }

    [Fact]
    public void Observe_ClockSetForward_FollowsOnceConfirmed()
    {
        var clock = new GatewayClock(Window);
        var last = Feed(clock, T0, 10, behindMs: 0);

        Feed(clock, last + 1000, GatewayClock.ConfirmSamples, behindMs: -600_000);

        Assert.Equal(600_000, clock.AheadByMs);
    }

    [Fact]
    public void Observe_ClockSetBack_FollowsAfterAFullWindow()
    {
        var clock = new GatewayClock(Window);
        var last = Feed(clock, T0, 10, behindMs: 0);

        last = Feed(clock, last + 1000, 300, behindMs: 120_000);
        Assert.Equal(0, clock.OffsetMs);

        Feed(clock, last + 1000, 700, behindMs: 120_000);
        Assert.Equal(120_000, clock.OffsetMs);
    }

    [Fact]
    public void Restore_StartsKnown_AndJudgesABacklogAgainstIt()
    {
        var clock = new GatewayClock(Window);

        clock.Restore(offsetMs: 600_000, serverNowMs: T0);
        clock.Observe(T0 + 10, T0 - 900_000);

        Assert.True(clock.IsKnown);
        Assert.Equal(600_000, clock.OffsetMs);
        Assert.False(clock.IsCurrent(T0 - 900_000, T0 + 10, historicalAfterMs: 60_000));
    }

    [Fact]
    public void IsCurrent_UnknownClock_TreatsEverythingAsCurrent()
    {
        var clock = new GatewayClock(Window);

        Assert.True(clock.IsCurrent(T0 - 86_400_000, T0, historicalAfterMs: 60_000));
    }

    [Fact]
    public void Observe_SteadyFlow_AllocatesNothing()
    {
        var clock = new GatewayClock(Window);
        Feed(clock, T0, 100, behindMs: 5_000);

        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(clock, T0 + 100_000, 1_000, behindMs: 5_000);

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }
}

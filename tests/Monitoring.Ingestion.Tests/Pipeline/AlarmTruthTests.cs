using Monitoring.Contracts;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>
/// The alarm stream stays true whatever the gateway's clock says, across a backlog and across a restart
/// (issue "Alarm truth in the field"): a skewed clock neither silences paging nor rejects the gateway's data, a
/// backlog pages what is still true at its end and records as historical only an episode wholly in the past, and
/// a restart neither clears an alarm with an earlier episode's clear nor raises a continuing condition again.
/// </summary>
public sealed class AlarmTruthTests : IAsyncLifetime
{
    private const string Rule = "LOW_PRESSURE";
    private const string Site = """
        enterprise: ENT
        industry: aluminium-casting
        gateways:
          - id: gw01
            points:
              - tag: P
                unit: MPa
                rules:
                  - id: LOW_PRESSURE
                    type: limit
                    ll: 0.14
                    deadband: 0.005
                    priority: critical
        """;

    private const double Low = 0.10;
    private const double Normal = 0.20;

    private PipelineHarness _plant = null!;

    public async Task InitializeAsync() => _plant = await PipelineHarness.StartAsync(Site);

    public async Task DisposeAsync() => await _plant.DisposeAsync();

    private long Now => _plant.NowMs;

    private Task ReadingAsync(long ts, double value) => _plant.PublishAsync(ts, ("P", value));

    /// <summary>A gateway with a right clock: the server clock moves on to <paramref name="ts"/>, then the reading arrives.</summary>
    private async Task AtAsync(long ts, double value)
    {
        if (ts > Now)
            _plant.Time.Advance(TimeSpan.FromMilliseconds(ts - Now));
        await ReadingAsync(ts, value);
    }

    /// <summary>A gateway sending one reading a second for <paramref name="seconds"/> s of server time, its clock <paramref name="aheadBy"/> off.</summary>
    private async Task SteadyAsync(int seconds, TimeSpan aheadBy, double value)
    {
        for (var i = 0; i < seconds; i++)
        {
            await ReadingAsync(Now + (long)aheadBy.TotalMilliseconds, value);
            _plant.Time.Advance(TimeSpan.FromSeconds(1));
        }
    }

    [Theory]
    [InlineData(-600)]
    [InlineData(-90)]
    [InlineData(600)]
    public async Task SkewedGatewayClock_LiveAlarm_IsPagedNotHistorical(int aheadBySeconds)
    {
        var aheadBy = TimeSpan.FromSeconds(aheadBySeconds);
        await SteadyAsync(5, aheadBy, Normal);

        var raisedAt = Now + (long)aheadBy.TotalMilliseconds;
        await ReadingAsync(raisedAt, Low);

        var raise = Assert.Single(await _plant.EventsAsync(Rule));
        Assert.Equal((nameof(AlarmRaised), false, DateTimeOffset.FromUnixTimeMilliseconds(raisedAt)), (raise.Type, raise.Historical, raise.OccurredAt));
    }

    [Fact]
    public async Task GatewayClockTenMinutesAhead_OnlyItsFirstMessagesAreRejected_ThenEverythingIsAccepted()
    {
        await SteadyAsync(6, TimeSpan.FromMinutes(10), Normal);

        // The clock is learnt from the first messages (they agree with each other), then the data is accepted.
        var reasons = await _plant.DeadLetterReasonsAsync();
        Assert.Equal(GatewayClock.ConfirmSamples, reasons.Count);
        Assert.All(reasons, r => Assert.Equal("future_timestamp", r));
        Assert.True(_plant.Gateways.Get("ENT", "gw01").Clock.IsKnown);
        Assert.InRange(_plant.Gateways.Get("ENT", "gw01").Clock.AheadByMs, 599_000, 600_000);
    }

    [Fact]
    public async Task SkewedGatewayClock_RaisesClockSkewWithTheOffset_AndClearsWhenTheClockIsSetRight()
    {
        await SteadyAsync(5, TimeSpan.FromSeconds(-90), Normal);

        var skew = Assert.Single(await _plant.EventsAsync(DiagnosticRuleIds.GatewayClockSkew));
        Assert.Equal(nameof(AlarmRaised), skew.Type);
        Assert.False(skew.Historical);
        Assert.InRange(skew.Value!.Value, -90.5, -89.5);

        // The gateway's clock is set right: the offset drops, confirmed by a few messages.
        await SteadyAsync(5, TimeSpan.Zero, Normal);

        var events = await _plant.EventsAsync(DiagnosticRuleIds.GatewayClockSkew);
        Assert.Equal([nameof(AlarmRaised), nameof(AlarmCleared)], events.Select(e => e.Type));
    }

    [Fact]
    public async Task Backlog_EpisodeWhollyInThePast_IsHistorical_AndOneStillTrueAtItsEnd_IsPaged()
    {
        await SteadyAsync(3, TimeSpan.Zero, Normal);
        var outageStart = Now;

        // The gateway's link was down for 5 minutes; its buffer arrives now, in order, one reading a second: all
        // of it more than HistoricalAfter (60 s) behind the gateway's clock.
        _plant.Time.Advance(TimeSpan.FromMinutes(5));
        for (var s = 1; s <= 200; s++)
        {
            var low = s is >= 10 and < 20 || s >= 150;
            await ReadingAsync(outageStart + (s * 1000), low ? Low : Normal);
        }

        // While the backlog is behind the gateway's clock, the still-open episode is held, not paged yet.
        var events = await _plant.EventsAsync(Rule);
        Assert.Equal(
            [(nameof(AlarmRaised), true, outageStart + 10_000), (nameof(AlarmCleared), true, outageStart + 20_000)],
            events.Select(e => (e.Type, e.Historical, e.OccurredAt.ToUnixTimeMilliseconds())));
        Assert.Single(_plant.Alarms.Held);

        // Live data again, still low: the condition was true at the end of the backlog, so it is paged, dated when it began.
        await ReadingAsync(Now, Low);

        events = await _plant.EventsAsync(Rule);
        Assert.Equal(3, events.Count);
        Assert.Equal((nameof(AlarmRaised), false, outageStart + 150_000), (events[2].Type, events[2].Historical, events[2].OccurredAt.ToUnixTimeMilliseconds()));
        Assert.Empty(_plant.Alarms.Held);
    }

    [Fact]
    public async Task Backlog_ThatDoesNotCatchUp_PagesItsHeldRaiseAfterTheHoldLimit()
    {
        await SteadyAsync(3, TimeSpan.Zero, Normal);
        var outageStart = Now;
        _plant.Time.Advance(TimeSpan.FromMinutes(5));
        await ReadingAsync(outageStart + 1_000, Low);
        Assert.Empty(await _plant.EventsAsync(Rule));

        await _plant.AdvanceAsync(new PipelineOptions().BacklogHoldLimit + TimeSpan.FromSeconds(1));

        var raise = Assert.Single(await _plant.EventsAsync(Rule));
        Assert.Equal((nameof(AlarmRaised), false), (raise.Type, raise.Historical));
    }

    [Fact]
    public async Task Restart_WhileAnAlarmIsActive_WithAnEarlierEpisodeInTheReplay_PublishesNothing_ThenOneClearAfterTheRaise()
    {
        var t0 = Now;
        // An earlier episode (raised and cleared), then the current one, still active when the service dies.
        await AtAsync(t0, Low);
        await AtAsync(t0 + 1_000, Normal);
        await AtAsync(t0 + 2_000, Low);
        await AtAsync(t0 + 3_000, Low);
        var before = await _plant.EventsAsync(Rule);
        Assert.Equal([nameof(AlarmRaised), nameof(AlarmCleared), nameof(AlarmRaised)], before.Select(e => e.Type));

        await _plant.RestartAsync(TimeSpan.FromSeconds(5));

        // No false all-clear dated at the earlier episode's clear, no second raise of the continuing condition.
        Assert.Equal(before, await _plant.EventsAsync(Rule));

        await AtAsync(Now, Low);
        Assert.Equal(before, await _plant.EventsAsync(Rule));

        var normalAt = Now + 1_000;
        await AtAsync(normalAt, Normal);
        var after = await _plant.EventsAsync(Rule);
        Assert.Equal(4, after.Count);
        Assert.Equal((nameof(AlarmCleared), 4L, normalAt), (after[3].Type, after[3].Sequence, after[3].OccurredAt.ToUnixTimeMilliseconds()));
    }

    [Fact]
    public async Task Restart_WhenTheStoreShowsAReturnToNormalTheJournalMissed_ClearsOnceAfterTheJournalledRaise()
    {
        var t0 = Now;
        await AtAsync(t0, Low);
        await AtAsync(t0 + 1_000, Low);
        // The service stored this reading and died before its alarm event was journalled.
        await _plant.StoreOnlyAsync("P", t0 + 2_000, Normal);

        await _plant.RestartAsync(TimeSpan.FromSeconds(5));

        var events = await _plant.EventsAsync(Rule);
        Assert.Equal(
            [(nameof(AlarmRaised), 1L, t0), (nameof(AlarmCleared), 2L, t0 + 2_000)],
            events.Select(e => (e.Type, e.Sequence, e.OccurredAt.ToUnixTimeMilliseconds())));
    }

    [Fact]
    public async Task Restart_AfterAnAlarmClosed_DoesNotRaiseItAgainFromTheReplay()
    {
        var t0 = Now;
        await AtAsync(t0, Low);
        await AtAsync(t0 + 1_000, Normal);
        var alarm = Assert.Single(_plant.Alarms.All);
        await _plant.PublishCommandAsync(list => _plant.Alarms.Acknowledge(alarm.Raised.AlarmId, "officer", null, list));
        Assert.Empty(_plant.Alarms.All);

        await _plant.RestartAsync(TimeSpan.FromSeconds(5));
        await AtAsync(Now, Normal);

        Assert.Equal([nameof(AlarmRaised), nameof(AlarmCleared)], (await _plant.EventsAsync(Rule)).Select(e => e.Type));
        Assert.Empty(_plant.Alarms.All);
    }

    [Theory]
    [InlineData(-900)]
    [InlineData(0)]
    [InlineData(60)]
    public async Task Restart_MidOnDelay_KeepsCountingFromTheFirstReadingInAlarm_WhateverTheGatewayClock(int aheadBySeconds)
    {
        // Found by the model-based fault test: the start-up replay read the last 10 minutes of the *server's* clock,
        // so a gateway running ahead (or far behind) had nothing replayed and its on-delay started again.
        const string delayed = """
            enterprise: ENT
            industry: aluminium-casting
            gateways:
              - id: gw01
                points:
                  - tag: P
                    rules:
                      - id: LOW_PRESSURE
                        type: limit
                        ll: 0.14
                        onDelay: 3s
                        priority: critical
            """;
        await using var plant = await PipelineHarness.StartAsync(delayed);
        var aheadMs = aheadBySeconds * 1000L;
        // The gateway's clock is learnt first (and journalled), from normal readings a second apart.
        for (var i = 0; i < 5; i++)
        {
            await plant.PublishAsync(plant.NowMs + aheadMs, ("P", Normal));
            plant.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var lowFrom = plant.NowMs + aheadMs;
        await plant.PublishAsync(lowFrom, ("P", Low));
        plant.Time.Advance(TimeSpan.FromSeconds(1));
        await plant.PublishAsync(lowFrom + 1_000, ("P", Low));

        await plant.RestartAsync(TimeSpan.FromSeconds(1));
        await plant.PublishAsync(lowFrom + 3_000, ("P", Low));

        var raise = Assert.Single(await plant.EventsAsync(Rule));
        Assert.Equal((nameof(AlarmRaised), false, lowFrom + 3_000), (raise.Type, raise.Historical, raise.OccurredAt.ToUnixTimeMilliseconds()));
    }
}

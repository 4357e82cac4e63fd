namespace Monitoring.IntegrationTests.Faults.Model;

/// <summary>
/// The reference model, the generator and the checker without servers: each check must be able to fail, and the
/// generated schedules must keep the margins the model relies on.
/// </summary>
public sealed class ModelCheckerTests
{
    private static readonly ReferenceModel Model = FaultSchedule.Model;

    [Fact]
    public void Model_RaisesAtTheReadingThatCompletesTheOnDelay_ClearsAfterTheOffDelay_DeadbandHolds()
    {
        // 250 ms apart: readings 2..10 in alarm (raise at 10 = 2 + 8), deadband, then normal from 14 (clear at 22).
        double[] values = [50, 50, .. Enumerable.Repeat(90.0, 9), 78, 78, 78, .. Enumerable.Repeat(50.0, 10)];
        var (transitions, phases) = Model.Run(values, FaultSchedule.StepMs);
        Assert.Equal([new ExpectedTransition(ExpectedKind.Raised, 10), new ExpectedTransition(ExpectedKind.Cleared, 22)], transitions);
        Assert.Equal(ModelPhase.OnDelay, phases[5]);
        Assert.Equal(ModelPhase.Active, phases[12]);
        Assert.Equal(ModelPhase.OffDelay, phases[16]);
    }

    [Fact]
    public void Model_ShortRuns_RaiseAndClearNothing()
    {
        double[] values = [50, 90, 90, 90, 90, 50, 90, 90, 78, 90];
        Assert.Empty(Model.Run(values, FaultSchedule.StepMs).Transitions);
    }

    [Fact]
    public void Generator_IsDeterministic_AndKeepsItsMargins()
    {
        var a = FaultSchedule.Generate(5, 0, 30);
        var b = FaultSchedule.Generate(5, 0, 30);
        Assert.Equal(a.Schedules.Select(s => (s.ClockOffsetMs, string.Join(",", s.Values), s.Publications.Count)), b.Schedules.Select(s => (s.ClockOffsetMs, string.Join(",", s.Values), s.Publications.Count)));
        foreach (var schedule in a.Schedules)
        {
            var (transitions, _) = Model.Run(schedule.Values, FaultSchedule.StepMs);
            Assert.NotEmpty(transitions);
            Assert.Equal(ExpectedKind.Cleared, transitions[^1].Kind);
            var deciding = transitions.Select(t => t.Reading).ToHashSet();
            foreach (var late in schedule.Publications.Where(p => p.Tick > p.Reading))
            {
                Assert.True(Model.Normal(schedule.Values[late.Reading - 1]) && Model.Normal(schedule.Values[late.Reading]) && Model.Normal(schedule.Values[late.Reading + 1]));
                Assert.DoesNotContain(late.Reading, deciding);
            }

            // The last publication is the last reading, in order: the test waits for it.
            Assert.Equal((schedule.Values.Count - 1, PublicationKind.InOrder), (schedule.Publications[^1].Reading, schedule.Publications[^1].Kind));
            // Every reading is sent at least once.
            Assert.Equal(schedule.Values.Count, schedule.Publications.Select(p => p.Reading).Distinct().Count());
        }
    }

    [Fact]
    public void Checker_PassesTheTruth_AllowsRedelivery_AndFindsEveryKindOfLie()
    {
        var round = FaultSchedule.Generate(11, 0, 1);
        var schedule = round.Schedules[0];
        var firstTs = 1_800_000_000_000L;
        var (transitions, _) = Model.Run(schedule.Values, FaultSchedule.StepMs);
        var alarm = Guid.NewGuid();
        var truth = transitions.Select((t, i) => Event(t.Kind == ExpectedKind.Raised ? "AlarmRaised" : "AlarmCleared", alarm, i + 1, firstTs + (t.Reading * FaultSchedule.StepMs), schedule.Gateway)).ToList();

        Assert.Empty(Check(round, firstTs, [.. truth, truth[0]]));
        Assert.Contains(Check(round, firstTs, truth.Skip(1).ToList()), f => f.Contains("C1 lost", StringComparison.Ordinal));
        Assert.Contains(Check(round, firstTs, [.. truth, truth[0] with { EventId = Guid.NewGuid(), Sequence = truth.Count + 1 }]), f => f.Contains("C2", StringComparison.Ordinal));
        var falseClear = Event("AlarmCleared", alarm, truth.Count + 1, firstTs + 1, schedule.Gateway);
        Assert.Contains(Check(round, firstTs, [.. truth, falseClear]), f => f.Contains("C3 false clear", StringComparison.Ordinal));
        Assert.Contains(Check(round, firstTs, [.. truth, Event("AlarmRaised", alarm, truth.Count + 1, firstTs + 3, schedule.Gateway)]), f => f.Contains("C4", StringComparison.Ordinal));
        Assert.Contains(Check(round, firstTs, [.. truth.Select(e => e.Sequence == 2 ? e with { Sequence = 7 } : e)]), f => f.Contains("C5", StringComparison.Ordinal));
        Assert.Contains(Check(round, firstTs, [.. truth.Select(e => e.Sequence == 1 ? e with { Historical = true } : e)]), f => f.Contains("C7", StringComparison.Ordinal));
        Assert.Contains(Check(round, firstTs, [.. truth, Event("AlarmRaised", Guid.NewGuid(), 1, firstTs, schedule.Gateway, "NO_DATA")]), f => f.Contains("unexpected alarm", StringComparison.Ordinal));
    }

    private static List<string> Check(FaultRound round, long firstTs, List<ReceivedEvent> events)
    {
        var schedule = round.Schedules[0];
        // The skew alarm follows the schedule's clock, so the lie checks above are all that differ.
        if (Math.Abs(schedule.ClockOffsetMs) >= FaultSchedule.SkewAlarmAboveMs)
            events = [.. events, Event("AlarmRaised", Guid.NewGuid(), 1, firstTs, schedule.Gateway, ModelChecker.SkewRule)];
        var totals = new ModelTotals();
        ModelChecker.Check(round with { Faults = [] }, new RoundOutcome(events, new Dictionary<string, long> { [schedule.Gateway] = firstTs }), totals);
        return totals.Failures;
    }

    private static ReceivedEvent Event(string type, Guid alarm, long sequence, long ts, string gateway, string rule = ModelChecker.Rule) =>
        new(type, alarm, Guid.NewGuid(), Guid.NewGuid(), sequence, rule, false, DateTimeOffset.FromUnixTimeMilliseconds(ts), 90, gateway);
}

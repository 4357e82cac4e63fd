using System.Globalization;

namespace Monitoring.IntegrationTests.Faults.Model;

/// <summary>What a round left to check: the events a bus consumer received and each schedule's first sensor time.</summary>
internal sealed record RoundOutcome(IReadOnlyList<ReceivedEvent> Events, IReadOnlyDictionary<string, long> FirstTimestamp);

/// <summary>Totals over the schedules checked, for the report in docs/reliability.md.</summary>
internal sealed class ModelTotals
{
    public int Schedules { get; set; }
    public int Rounds { get; set; }
    public int ExpectedTransitions { get; set; }
    public int ObservedTransitions { get; set; }
    public int Redeliveries { get; set; }
    public int Kills { get; set; }
    public int StoreOutages { get; set; }
    public int BusOutages { get; set; }
    public int KilledMidOnDelay { get; set; }
    public int KilledMidOffDelay { get; set; }
    public int SkewedGateways { get; set; }
    public int LateReadings { get; set; }
    public int Duplicates { get; set; }
    public List<string> Failures { get; } = [];

    /// <summary>One line per failing schedule: its values, how they were sent, what was expected and observed.</summary>
    public List<string> Details { get; } = [];

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{Schedules} schedules in {Rounds} rounds: {ExpectedTransitions} transitions expected, {ObservedTransitions} published ({Redeliveries} redelivered copies); " +
        $"{Kills} kills ({KilledMidOnDelay} schedule-kills mid on-delay, {KilledMidOffDelay} mid off-delay), {StoreOutages} store outages, {BusOutages} bus outages; " +
        $"{SkewedGateways} gateways with clocks 40 s-10 min off; {LateReadings} readings sent late, {Duplicates} re-sent; {Failures.Count} failures");
}

/// <summary>
/// Holds what a bus consumer received against the reference model, schedule by schedule (one gateway, one alarm):
/// C1 no transition lost; C2 none published twice under a new eventId (a redelivery of the same eventId is allowed);
/// C3 no false clear and C4 no extra raise (a re-raise of a continuing condition, or an alarm that was not);
/// C5 sequences contiguous from 1 per alarm; C6 raise and clear alternate, in sensor-time order; C7 every transition
/// live (paged, not historical) whatever the gateway's clock; C8 GATEWAY_CLOCK_SKEW raised once, live, for a clock
/// 40 s or more off and never for one within 20 s; and nothing else raised for the gateway.
/// </summary>
internal static class ModelChecker
{
    public const string Rule = "MODEL_HIGH";
    public const string SkewRule = "GATEWAY_CLOCK_SKEW";

    public static void Check(FaultRound round, RoundOutcome outcome, ModelTotals totals)
    {
        totals.Rounds++;
        totals.Kills += round.Faults.Count(f => f.Kind == FaultKind.Kill);
        totals.StoreOutages += round.Faults.Count(f => f.Kind == FaultKind.StoreOutage);
        totals.BusOutages += round.Faults.Count(f => f.Kind == FaultKind.BusOutage);
        var byGateway = outcome.Events.ToLookup(e => e.Gateway);
        foreach (var schedule in round.Schedules)
            CheckSchedule(round, schedule, outcome.FirstTimestamp[schedule.Gateway], [.. byGateway[schedule.Gateway]], totals);
    }

    private static void CheckSchedule(FaultRound round, GatewaySchedule schedule, long firstTs, List<ReceivedEvent> events, ModelTotals totals)
    {
        totals.Schedules++;
        var failuresBefore = totals.Failures.Count;
        var fail = (string what) => totals.Failures.Add(string.Create(CultureInfo.InvariantCulture,
            $"seed {round.Seed} round {round.Round} schedule {schedule.Index} ({schedule.Gateway}, clock {schedule.ClockOffsetMs / 1000.0:+0.0;-0.0} s): {what}"));
        var (expected, phases) = FaultSchedule.Model.Run(schedule.Values, FaultSchedule.StepMs);
        totals.ExpectedTransitions += expected.Count;
        totals.LateReadings += schedule.Publications.Count(p => p.Kind is PublicationKind.LateWithinWindow or PublicationKind.LateBeyondWindow or PublicationKind.LateDuplicate);
        totals.Duplicates += schedule.Publications.Count(p => p.Kind is PublicationKind.Duplicate or PublicationKind.LateDuplicate);
        foreach (var kill in round.Faults.Where(f => f.Kind == FaultKind.Kill && f.AtTick < phases.Length))
        {
            totals.KilledMidOnDelay += phases[kill.AtTick] == ModelPhase.OnDelay ? 1 : 0;
            totals.KilledMidOffDelay += phases[kill.AtTick] == ModelPhase.OffDelay ? 1 : 0;
        }

        var ours = events.Where(e => e.RuleId == Rule).ToList();
        totals.Redeliveries += ours.Count - ours.DistinctBy(e => e.EventId).Count();
        var distinct = ours.DistinctBy(e => e.EventId).OrderBy(e => e.Sequence).ToList();
        totals.ObservedTransitions += distinct.Count;
        string Describe(string type, long ts) => string.Create(CultureInfo.InvariantCulture, $"{type} at reading {(ts - firstTs) / (double)FaultSchedule.StepMs:0.##} (ts {ts})");

        var wanted = expected.Select(t => (Type: t.Kind == ExpectedKind.Raised ? "AlarmRaised" : "AlarmCleared", Ts: firstTs + (t.Reading * FaultSchedule.StepMs))).ToList();
        var seen = distinct.GroupBy(e => (e.Type, Ts: e.OccurredAt.ToUnixTimeMilliseconds())).ToDictionary(g => g.Key, g => g.Count());
        foreach (var want in wanted.Where(w => !seen.ContainsKey(w)))
            fail($"C1 lost: {Describe(want.Type, want.Ts)}");
        foreach (var (key, count) in seen.Where(s => s.Value > 1))
            fail($"C2 published {count} times under new eventIds: {Describe(key.Type, key.Ts)}");
        foreach (var key in seen.Keys.Where(k => !wanted.Contains(k)))
            fail(key.Type == "AlarmCleared" ? $"C3 false clear: {Describe(key.Type, key.Ts)}" : $"C4 raise the model does not have: {Describe(key.Type, key.Ts)}");

        foreach (var alarm in distinct.GroupBy(e => e.AlarmId))
        {
            var sequences = alarm.Select(e => e.Sequence).ToList();
            if (!sequences.SequenceEqual(Enumerable.Range(1, sequences.Count).Select(i => (long)i)))
                fail($"C5 sequences of alarm {alarm.Key} are not 1..{sequences.Count}: {string.Join(",", sequences)}");
        }

        for (var i = 0; i < distinct.Count; i++)
        {
            var wantType = i % 2 == 0 ? "AlarmRaised" : "AlarmCleared";
            if (distinct[i].Type != wantType)
                fail($"C6 event {i + 1} (sequence {distinct[i].Sequence}) is {distinct[i].Type}, expected {wantType}");
            if (i > 0 && distinct[i].OccurredAt <= distinct[i - 1].OccurredAt)
                fail($"C6 sequence {distinct[i].Sequence} is not after sequence {distinct[i - 1].Sequence} in sensor time");
        }

        foreach (var historical in distinct.Where(e => e.Historical))
            fail($"C7 not paged (historical): {Describe(historical.Type, historical.OccurredAt.ToUnixTimeMilliseconds())}");

        var skew = events.Where(e => e.RuleId == SkewRule).DistinctBy(e => e.EventId).ToList();
        var offset = Math.Abs(schedule.ClockOffsetMs);
        if (offset >= FaultSchedule.SkewAlarmAboveMs)
        {
            totals.SkewedGateways++;
            if (skew.Count(e => e.Type == "AlarmRaised") != 1 || skew.Any(e => e.Type != "AlarmRaised") || skew.Any(e => e.Historical))
                fail($"C8 GATEWAY_CLOCK_SKEW: expected one live raise, got {string.Join(", ", skew.Select(e => $"{e.Type} historical={e.Historical}"))}");
        }
        else if (offset <= FaultSchedule.NoSkewAlarmBelowMs && skew.Count > 0)
        {
            fail($"C8 GATEWAY_CLOCK_SKEW raised for a clock {offset} ms off");
        }

        foreach (var other in events.Where(e => e.RuleId is not (Rule or SkewRule)).DistinctBy(e => e.EventId))
            fail($"unexpected alarm {other.RuleId}: {other.Type} at {other.OccurredAt:O}");

        if (totals.Failures.Count > failuresBefore)
            totals.Details.Add(Detail(schedule, firstTs, expected, distinct));
    }

    /// <summary>What a failing schedule was and what came of it, to reproduce it from the report alone.</summary>
    private static string Detail(GatewaySchedule schedule, long firstTs, List<ExpectedTransition> expected, List<ReceivedEvent> observed)
    {
        var reading = (ReceivedEvent e) => (e.OccurredAt.ToUnixTimeMilliseconds() - firstTs) / (double)FaultSchedule.StepMs;
        return string.Create(CultureInfo.InvariantCulture,
            $"{schedule.Gateway}: expected [{string.Join(" ", expected.Select(t => $"{t.Kind}@{t.Reading}"))}] observed [{string.Join(" ", observed.Select(e => $"{e.Type}@{reading(e):0.##}#{e.Sequence}{(e.Historical ? "h" : "")}"))}]" +
            $" values [{string.Join(" ", schedule.Values.Select((v, i) => $"{i}:{v}"))}] out of order [{string.Join(" ", schedule.Publications.Where(p => p.Kind != PublicationKind.InOrder).Select(p => $"{p.Reading}@{p.Tick}:{p.Kind}"))}]");
    }
}

using System.Globalization;
using Monitoring.Simulators.Scenarios;

namespace Monitoring.Simulators.Accept;

public sealed class AcceptOptions
{
    public required RunOptions Run { get; init; }

    /// <summary>Wall time to wait after a scenario for the alarms it expects (the service's pipeline and the bus).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(15);

    /// <summary>Wall time to wait after a scenario before "no alarm" is believed.</summary>
    public TimeSpan Grace { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How far a time-dilated run may run ahead of the wall clock. The service rejects points more than
    /// 5 minutes in the future; beyond this lead the next scenario waits for the clock to catch up.
    /// </summary>
    public TimeSpan MaxLead { get; init; } = TimeSpan.FromMinutes(4);

    /// <summary>Scenarios of different plants run side by side; those of one plant one after another.</summary>
    public bool PlantsInParallel { get; init; } = true;

    public Action<string>? Log { get; init; }
}

public enum ResultStatus
{
    Passed,
    Failed,
    Skipped,
}

public sealed record ExpectationResult(Scenario Scenario, Expectation Expectation, ResultStatus Status, string Detail, TimeSpan Elapsed);

/// <summary>
/// Runs scenarios against a live system and checks their expectations against the alarms the watcher saw.
/// Sensor time keeps moving forward per gateway across scenarios (the service skips readings older than the
/// last one it evaluated), and each scenario's alarms are told apart by their sensor time window.
/// </summary>
public sealed class AcceptRunner
{
    private readonly IAlarmWatcher _watcher;
    private readonly AcceptOptions _options;
    private readonly Dictionary<string, long> _cursor = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public AcceptRunner(IAlarmWatcher watcher, AcceptOptions options)
    {
        _watcher = watcher;
        _options = options;
    }

    public TimeProvider Time => _options.Run.Time;

    /// <summary>The scenarios' runs (sensor windows), in completion order; the record/replay test uses them.</summary>
    public List<ScenarioRunResult> Runs { get; } = [];

    public async Task<AcceptReport> RunAsync(IReadOnlyList<Scenario> scenarios, CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        var results = new Dictionary<Scenario, IReadOnlyList<ExpectationResult>>();
        var groups = scenarios.GroupBy(s => s.Plant.Key, StringComparer.Ordinal).ToList();
        if (_options.PlantsInParallel)
        {
            var done = await Task.WhenAll(groups.Select(g => RunGroupAsync([.. g], cancellationToken)));
            foreach (var part in done)
            {
                foreach (var (scenario, list) in part)
                    results[scenario] = list;
            }
        }
        else
        {
            foreach (var group in groups)
            {
                foreach (var (scenario, list) in await RunGroupAsync([.. group], cancellationToken))
                    results[scenario] = list;
            }
        }

        var ordered = scenarios.SelectMany(s => results[s]).ToList();
        return new AcceptReport(ordered, Time.GetElapsedTime(started), _watcher.Source);
    }

    private async Task<List<(Scenario, IReadOnlyList<ExpectationResult>)>> RunGroupAsync(List<Scenario> group, CancellationToken cancellationToken)
    {
        var list = new List<(Scenario, IReadOnlyList<ExpectationResult>)>();
        foreach (var scenario in group)
            list.Add((scenario, await RunOneAsync(scenario, cancellationToken)));
        return list;
    }

    /// <summary>Runs one scenario and checks its expectations.</summary>
    public async Task<IReadOnlyList<ExpectationResult>> RunOneAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        var started = Time.GetTimestamp();
        var startMs = await NextStartAsync(scenario, cancellationToken);
        _options.Log?.Invoke($"run    {scenario.Name} ({Path.GetFileName(scenario.File)}): {ScenarioTime.Format(scenario.Duration)} of sensor time from {DateTimeOffset.FromUnixTimeMilliseconds(startMs).ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)}Z");
        var run = await ScenarioRunner.RunAsync(scenario, startMs, _options.Run, cancellationToken);
        lock (_lock)
        {
            foreach (var gateway in scenario.Gateways)
                _cursor[Key(scenario, gateway)] = run.EndMs;
            Runs.Add(run);
        }

        var waitStart = Time.GetTimestamp();
        IReadOnlyList<ExpectationResult> results;
        while (true)
        {
            results = Evaluate(run, _watcher.Snapshot(), Time.GetElapsedTime(started));
            var waited = Time.GetElapsedTime(waitStart);
            var waitingForAlarm = results.Any(r => r.Status == ResultStatus.Failed && r.Expectation.Kind == ExpectationKind.Alarm);
            if ((!waitingForAlarm && waited >= _options.Grace) || waited >= _options.Timeout)
                break;
            await Task.Delay(TimeSpan.FromMilliseconds(100), Time, cancellationToken);
        }

        foreach (var result in results)
            _options.Log?.Invoke($"{Label(result.Status)}  {scenario.Name}: {result.Expectation.Describe()}: {result.Detail}");
        return results;
    }

    private async Task<long> NextStartAsync(Scenario scenario, CancellationToken cancellationToken)
    {
        while (true)
        {
            var now = Time.GetUtcNow().ToUnixTimeMilliseconds();
            long start;
            lock (_lock)
            {
                start = now;
                foreach (var gateway in scenario.Gateways)
                {
                    if (_cursor.TryGetValue(Key(scenario, gateway), out var last))
                        start = Math.Max(start, last + 1000);
                }
            }

            var lead = TimeSpan.FromMilliseconds(start - now);
            var scenarioLead = ExtraLead(scenario);
            if (lead + scenarioLead <= _options.MaxLead || lead <= TimeSpan.Zero)
                return start;
            var wait = lead + scenarioLead - _options.MaxLead;
            _options.Log?.Invoke($"wait   {scenario.Name}: sensor time is {lead.TotalSeconds.ToString("0", CultureInfo.InvariantCulture)} s ahead of the clock; waiting {wait.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture)} s");
            await Task.Delay(wait, Time, cancellationToken);
        }

        // The run itself moves sensor time ahead by the part of its duration the wall clock does not cover.
        TimeSpan ExtraLead(Scenario s) => _options.Run.Speed <= 0 ? s.Duration + s.Settle : (s.Duration * (1 - (1 / Math.Max(_options.Run.Speed, 1)))) + s.Settle;
    }

    private static string Key(Scenario scenario, string gateway) => $"{scenario.Plant.Enterprise}/{gateway}";

    private static string Label(ResultStatus status) => status switch
    {
        ResultStatus.Passed => "PASS",
        ResultStatus.Failed => "FAIL",
        _ => "SKIP",
    };

    /// <summary>Checks every expectation of a run against the alarms seen; pure, for unit tests.</summary>
    public static IReadOnlyList<ExpectationResult> Evaluate(ScenarioRunResult run, IReadOnlyList<ObservedAlarm> alarms, TimeSpan elapsed)
    {
        var scenario = run.Scenario;
        var mine = alarms
            .Where(a => string.Equals(a.Enterprise, scenario.Plant.Enterprise, StringComparison.Ordinal)
                && scenario.Gateways.Contains(a.Gateway, StringComparer.Ordinal)
                && a.OccurredAt.ToUnixTimeMilliseconds() >= run.StartMs
                && a.OccurredAt.ToUnixTimeMilliseconds() <= run.EndMs)
            .OrderBy(a => a.OccurredAt)
            .ToList();
        var results = new List<ExpectationResult>();
        foreach (var expectation in scenario.Expectations)
        {
            if (!expectation.Enabled)
            {
                results.Add(new ExpectationResult(scenario, expectation, ResultStatus.Skipped, expectation.Pending ?? "disabled in the scenario file", elapsed));
                continue;
            }

            var matching = mine.Where(a => (expectation.RuleId is null || string.Equals(a.RuleId, expectation.RuleId, StringComparison.Ordinal))
                    && (expectation.Tag is null || a.Tags.Contains(expectation.Tag, StringComparer.Ordinal))
                    && (expectation.Level is null || a.Level == expectation.Level))
                .ToList();
            results.Add(expectation.Kind == ExpectationKind.NoAlarm
                ? CheckNone(run, expectation, matching, elapsed)
                : CheckRaised(run, expectation, matching, elapsed));
        }

        return results;
    }

    private static ExpectationResult CheckNone(ScenarioRunResult run, Expectation expectation, List<ObservedAlarm> matching, TimeSpan elapsed)
    {
        if (matching.Count == 0)
            return new ExpectationResult(run.Scenario, expectation, ResultStatus.Passed, "none raised", elapsed);
        var listed = string.Join("; ", matching.Take(5).Select(a => Describe(run, a)));
        return new ExpectationResult(run.Scenario, expectation, ResultStatus.Failed, $"{matching.Count.ToString(CultureInfo.InvariantCulture)} raised: {listed}", elapsed);
    }

    private static ExpectationResult CheckRaised(ScenarioRunResult run, Expectation expectation, List<ObservedAlarm> matching, TimeSpan elapsed)
    {
        var from = run.StartMs + (long)expectation.After.TotalMilliseconds;
        var until = from + (long)expectation.Within.TotalMilliseconds;
        var inTime = matching.Where(a => a.OccurredAt.ToUnixTimeMilliseconds() >= from && a.OccurredAt.ToUnixTimeMilliseconds() - (long)a.Uncertainty.TotalMilliseconds <= until).ToList();
        if (inTime.Count == 0)
        {
            var detail = matching.Count == 0
                ? "no such alarm was raised"
                : $"raised, but not within the time: {string.Join("; ", matching.Take(3).Select(a => Describe(run, a)))}";
            return new ExpectationResult(run.Scenario, expectation, ResultStatus.Failed, detail, elapsed);
        }

        var hit = inTime.FirstOrDefault(a => expectation.Priority is null || string.Equals(a.Priority, expectation.Priority, StringComparison.Ordinal));
        if (hit is null)
            return new ExpectationResult(run.Scenario, expectation, ResultStatus.Failed, $"raised with priority {inTime[0].Priority}, expected {expectation.Priority}: {Describe(run, inTime[0])}", elapsed);
        if (!hit.Simulated)
            return new ExpectationResult(run.Scenario, expectation, ResultStatus.Failed, $"raised but not marked simulated (the batches carry \"sim\": true): {Describe(run, hit)}", elapsed);
        var after = TimeSpan.FromMilliseconds(hit.OccurredAt.ToUnixTimeMilliseconds() - from);
        return new ExpectationResult(run.Scenario, expectation, ResultStatus.Passed, string.Create(CultureInfo.InvariantCulture, $"raised {after.TotalSeconds:0.0##} s after {ScenarioTime.Format(expectation.After)}: {Describe(run, hit)}"), elapsed);
    }

    private static string Describe(ScenarioRunResult run, ObservedAlarm a) => string.Create(
        CultureInfo.InvariantCulture,
        $"{a.RuleId} level {a.Level} {a.Priority} on {string.Join(",", a.Tags)} at {ScenarioTime.Format(TimeSpan.FromMilliseconds(a.OccurredAt.ToUnixTimeMilliseconds() - run.StartMs))} (value {a.Value} {a.Unit}, limit {a.Limit}{(a.Simulated ? ", simulated" : string.Empty)}{(a.Historical ? ", historical" : string.Empty)})");
}

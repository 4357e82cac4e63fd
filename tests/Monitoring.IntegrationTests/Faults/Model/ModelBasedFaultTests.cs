using System.Globalization;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults.Model;

/// <summary>
/// The model-based fault test (docs/reliability.md, "Model-based fault test"): seeded schedules of crossings and
/// returns, readings re-sent and sent out of order, gateway clocks up to 10 minutes off either way, kill -9 and
/// restarts, store and bus outages, run on the real servers; what a bus consumer receives is held against
/// <see cref="ReferenceModel"/> by <see cref="ModelChecker"/>. CI runs the fixed seed below; any seed and any number
/// of schedules run with
/// <c>MON_FAULT_SEED=7 MON_FAULT_SCHEDULES=1000 MON_FAULT_PARALLEL=25 dotnet test tests/Monitoring.IntegrationTests -c Release --filter FullyQualifiedName~ModelBasedFaultTests</c>
/// (MON_FAULT_PARALLEL: schedules per round, i.e. gateways on one service process at once; MON_FAULT_REPORT: a file
/// for the summary and every failure).
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ModelBasedFaultTests(RealServers servers, ITestOutputHelper output)
{
    private const int CiSeed = 20261203;
    private const int CiSchedules = 24;
    private const int CiParallel = 12;

    [Fact]
    public async Task SeededFaultSchedules_AlarmStream_MatchesTheReferenceModel()
    {
        var seed = Setting("MON_FAULT_SEED", CiSeed);
        var schedules = Setting("MON_FAULT_SCHEDULES", CiSchedules);
        var parallel = Setting("MON_FAULT_PARALLEL", CiParallel);
        var report = Environment.GetEnvironmentVariable("MON_FAULT_REPORT");
        var totals = new ModelTotals();
        var runner = new ModelRoundRunner(servers, output.WriteLine);
        var started = FaultScene.Now();
        for (var round = 0; round * parallel < schedules; round++)
        {
            var generated = FaultSchedule.Generate(seed, round, Math.Min(parallel, schedules - (round * parallel)));
            var failuresBefore = totals.Failures.Count;
            ModelChecker.Check(generated, await runner.RunAsync(generated), totals);
            var line = string.Create(CultureInfo.InvariantCulture,
                $"round {round}: {generated.Schedules.Count} schedules, faults {string.Join(", ", generated.Faults.Select(f => $"{f.Kind}@{f.AtTick}"))}: {totals.Failures.Count - failuresBefore} failures; so far {totals}");
            output.WriteLine(line);
            if (report is not null)
            {
                await File.AppendAllTextAsync(report, line + Environment.NewLine);
                if (totals.Failures.Count > failuresBefore)
                    await File.WriteAllTextAsync(string.Create(CultureInfo.InvariantCulture, $"{report}.round{round}.log"), runner.ServiceLog.ToString());
            }
        }

        var summary = string.Create(CultureInfo.InvariantCulture, $"seed {seed}: {totals}; {(FaultScene.Now() - started) / 1000} s");
        output.WriteLine(summary);
        if (report is not null)
            await File.AppendAllLinesAsync(report, [summary, .. totals.Failures, .. totals.Details]);
        Assert.True(totals.Failures.Count == 0, $"{summary}{Environment.NewLine}{string.Join(Environment.NewLine, totals.Failures.Take(50))}");
        // The schedules must really have exercised what they claim to.
        Assert.True(totals.ExpectedTransitions >= schedules * 2, totals.ToString());
        Assert.True(totals.Kills > 0 && totals.SkewedGateways > 0 && totals.LateReadings > 0, totals.ToString());
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}

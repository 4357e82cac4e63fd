using System.Globalization;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Benchmarks;

/// <summary>
/// <c>--history-size [alarms]</c>: how much disk the alarm history takes. Writes alarms through the tracker and the
/// journal as the service does (each raised with 10 context readings, acknowledged with a comment, cleared: three
/// events and one audit row), then reports the journal's size per alarm and per 10^6 alarms (docs/storage.md).
/// </summary>
internal static class HistorySize
{
    public const string Flag = "--history-size";

    public static int Run(string[] args)
    {
        var index = Array.IndexOf(args, Flag);
        var count = index + 1 < args.Length ? int.Parse(args[index + 1], CultureInfo.InvariantCulture) : 20_000;
        var folder = Path.Combine(Path.GetTempPath(), $"history-size-{Guid.NewGuid():N}");
        var path = Path.Combine(folder, "alarms.db");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 0, 0, 0, TimeSpan.Zero));
        var tracker = new AlarmTracker(time);
        try
        {
            using (var journal = new AlarmJournal(path))
            {
                var entries = new List<JournalEntry>();
                for (var i = 0; i < count; i++)
                {
                    var condition = Condition(i);
                    var now = time.GetUtcNow().ToUnixTimeMilliseconds();
                    ContextReading[] context = [.. Enumerable.Range(0, 10).Select(k => new ContextReading(condition.Tags[0], now - (k * 1000), 0.1 + (k * 0.001)))];
                    tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Raised, now, 0.1), new TransitionContext(context, Simulated: false), entries);
                    var id = tracker.All.Single(a => a.Key == condition.Key).Raised.AlarmId;
                    tracker.Acknowledge(id, "duty.officer", "crew sent to the casting pit; cooling water pump restarted", entries);
                    time.Advance(TimeSpan.FromSeconds(30));
                    tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Cleared, time.GetUtcNow().ToUnixTimeMilliseconds(), 0.2), new TransitionContext([], Simulated: false), entries);
                    journal.CommitAsync(entries, time.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None).GetAwaiter().GetResult();
                    entries.Clear();
                    // The outbox is emptied by the publisher in the service; here, by hand.
                    foreach (var item in journal.ReadOutboxAsync(10, CancellationToken.None).GetAwaiter().GetResult())
                        journal.DeleteOutboxAsync(item.Id, CancellationToken.None).GetAwaiter().GetResult();
                }
            }

            // After the journal is closed: SQLite has checkpointed the WAL into the file and removed it.
            var bytes = Directory.GetFiles(folder).Sum(f => new FileInfo(f).Length);
            foreach (var file in Directory.GetFiles(folder))
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(file)}: {new FileInfo(file).Length / 1e6:F1} MB"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{count} alarms (3 events each): journal {bytes / 1e6:F1} MB, {bytes / (double)count:F0} B per alarm, {bytes / (double)count * 1e6 / 1e9:F1} GB per 10^6 alarms"));
            return 0;
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static AlarmCondition Condition(int i) => new()
    {
        Key = $"91441800DEMODCCAST/gw{i % 20:00}/CAST{i % 7}.MOULD.WATER.P/DC_MOULD_WATER_PRESSURE_{i}/LL",
        RuleId = "DC_MOULD_WATER_PRESSURE",
        RuleVersion = 1,
        Enterprise = "91441800DEMODCCAST",
        Gateway = $"gw{i % 20:00}",
        Tags = [$"CAST{i % 7}.MOULD.WATER.P"],
        Equipment = "Casting pit mould cooling water",
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Clause = "令10号 第五条",
        Limit = 0.14,
        Unit = "MPa",
        Description = new LocalizedText("结晶器冷却水压力低低", "mould cooling water pressure low-low"),
    };
}

using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Api;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Alarms;

/// <summary>
/// The alarm history in the journal (SQLite): an alarm and its whole event trail are kept after it closes, searchable,
/// and deleted only once closed for longer than the retention.
/// </summary>
public sealed class AlarmHistoryTests : IDisposable
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"history-{Guid.NewGuid():N}");
    private readonly AlarmJournal _journal;
    private readonly AlarmTracker _tracker;

    public AlarmHistoryTests()
    {
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _tracker = new AlarmTracker(_time);
    }

    public void Dispose()
    {
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private static AlarmCondition Condition(string enterprise = "ENT", string priority = AlarmPriorities.Critical, int level = 2) => TestConditions.LowPressure(enterprise, priority, level);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private async Task CommitAsync(Action<List<JournalEntry>> change)
    {
        var entries = new List<JournalEntry>();
        change(entries);
        await _journal.CommitAsync(entries, NowMs, CancellationToken.None);
    }

    private Task RaiseAsync(AlarmCondition condition) =>
        CommitAsync(e => _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Raised, NowMs, 0.1), new TransitionContext([], Simulated: false), e));

    private Task ClearAsync(AlarmCondition condition) =>
        CommitAsync(e => _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Cleared, NowMs, 0.2), new TransitionContext([], Simulated: false), e));

    private Guid IdOf(AlarmCondition condition) => _tracker.All.Single(a => a.Key == condition.Key).Raised.AlarmId;

    [Fact]
    public async Task ClosedAlarm_LeavesTheActiveList_ButIsKeptWithItsWholeTrail()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = IdOf(condition);
        _time.Advance(TimeSpan.FromSeconds(30));
        await CommitAsync(e => _tracker.Acknowledge(id, "duty.officer", "pump restarted", e));
        _time.Advance(TimeSpan.FromSeconds(30));
        await ClearAsync(condition);

        Assert.Empty(_tracker.All);
        Assert.Empty(await _journal.LoadActiveAsync(CancellationToken.None));
        var (alarm, events) = (await _journal.GetHistoryAsync(id, CancellationToken.None))!.Value;
        Assert.Equal(Start.AddMinutes(1), alarm.ClosedAt);
        Assert.Equal("duty.officer", alarm.Alarm.AcknowledgedBy);
        Assert.Equal(3, alarm.Alarm.Raised.RuleVersion);
        Assert.Equal([nameof(AlarmRaised), nameof(AlarmAcknowledged), nameof(AlarmCleared)], events.Select(e => e.Type));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        // The trail holds the events as published: the contract JSON.
        var acknowledged = JsonSerializer.Deserialize<AlarmAcknowledged>(events[1].Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal(id, acknowledged.AlarmId);
        Assert.Equal("pump restarted", acknowledged.Comment);
    }

    [Fact]
    public async Task OpenAlarm_IsInTheHistoryFromItsRaise_AndItsNotesFollow()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = IdOf(condition);
        await CommitAsync(e => _tracker.AddComment(id, "duty.officer", "checking the valve", e));

        var open = Assert.Single(await _journal.QueryHistoryAsync(new AlarmHistoryQuery { Closed = false }, CancellationToken.None));
        Assert.Null(open.ClosedAt);
        Assert.Equal("checking the valve", open.Alarm.Comment);
        Assert.Empty(await _journal.QueryHistoryAsync(new AlarmHistoryQuery { Closed = true }, CancellationToken.None));
    }

    [Fact]
    public async Task AlarmOpenBeforeTheHistoryExisted_IsListedWhenTheJournalOpens()
    {
        // As a journal of an earlier version left it: the alarm's state in the active table, nothing in the history.
        var condition = Condition();
        var entries = new List<JournalEntry>();
        _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Raised, NowMs, 0.1), new TransitionContext([], Simulated: false), entries);
        var path = Path.Combine(_folder, "earlier.db");
        using (var earlier = new AlarmJournal(path))
            await earlier.CommitAsync([JournalEntry.StateOnly(entries[0].Alarm!, entries[0].StateJson!)], NowMs, CancellationToken.None);
        using (var probe = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            probe.Open();
            using var delete = probe.CreateCommand();
            delete.CommandText = "DELETE FROM alarm_history";
            delete.ExecuteNonQuery();
        }

        using var reopened = new AlarmJournal(path);

        var listed = Assert.Single(await reopened.QueryHistoryAsync(new AlarmHistoryQuery { Closed = false }, CancellationToken.None));
        Assert.Equal(condition.Key, listed.Alarm.Key);
        Assert.Empty((await reopened.GetHistoryAsync(listed.Alarm.Raised.AlarmId, CancellationToken.None))!.Value.Events);
    }

    [Fact]
    public async Task Query_EachFilterSelectsItsAlarms_NewestRaiseFirst_Paged()
    {
        var a = Condition("ENT1", AlarmPriorities.Critical, 2);
        var b = Condition("ENT2", AlarmPriorities.High, 1);
        var c = Condition("ENT2", AlarmPriorities.Critical, 2);
        await RaiseAsync(a);
        _time.Advance(TimeSpan.FromMinutes(1));
        await RaiseAsync(b);
        _time.Advance(TimeSpan.FromMinutes(1));
        await RaiseAsync(c);

        async Task<string[]> Keys(AlarmHistoryQuery q) => [.. (await _journal.QueryHistoryAsync(q, CancellationToken.None)).Select(r => r.Alarm.Key)];

        Assert.Equal([c.Key, b.Key, a.Key], await Keys(new AlarmHistoryQuery()));
        Assert.Equal([c.Key, b.Key], await Keys(new AlarmHistoryQuery { Enterprise = "ENT2" }));
        Assert.Equal([c.Key, a.Key], await Keys(new AlarmHistoryQuery { Priority = AlarmPriorities.Critical }));
        Assert.Equal([b.Key], await Keys(new AlarmHistoryQuery { Level = 1 }));
        Assert.Equal([c.Key, a.Key], await Keys(new AlarmHistoryQuery { MajorHazard = true }));
        Assert.Equal([b.Key], await Keys(new AlarmHistoryQuery { From = Start.AddMinutes(1), To = Start.AddMinutes(2) }));
        Assert.Equal([b.Key], await Keys(new AlarmHistoryQuery { Limit = 1, Offset = 1 }));
        Assert.Empty(await Keys(new AlarmHistoryQuery { RuleId = "OTHER" }));
    }

    [Fact]
    public async Task Prune_DeletesOnlyAlarmsClosedBeforeTheCutoff_WithTheirTrails()
    {
        var old = Condition("ENT1");
        var open = Condition("ENT2");
        await RaiseAsync(old);
        await RaiseAsync(open);
        var oldId = IdOf(old);
        await CommitAsync(e => _tracker.Acknowledge(oldId, "duty.officer", null, e));
        await ClearAsync(old);
        _time.Advance(TimeSpan.FromDays(1200));

        var deleted = await _journal.PruneHistoryAsync(_time.GetUtcNow() - TimeSpan.FromDays(1096), CancellationToken.None);

        Assert.Equal(1, deleted);
        Assert.Null(await _journal.GetHistoryAsync(oldId, CancellationToken.None));
        var kept = Assert.Single(await _journal.QueryHistoryAsync(new AlarmHistoryQuery(), CancellationToken.None));
        Assert.Equal(open.Key, kept.Alarm.Key);
    }

    [Fact]
    public async Task Csv_QuotesWhatNeedsQuoting_AndDefusesFormulas()
    {
        var condition = Condition();
        await RaiseAsync(condition);
        var id = IdOf(condition);
        await CommitAsync(e => _tracker.AddComment(id, "duty.officer", "=HYPERLINK(\"x\"), checked", e));

        var csv = AlarmHistoryEndpoints.Csv(await _journal.QueryHistoryAsync(new AlarmHistoryQuery(), CancellationToken.None));

        var lines = csv.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("alarmId,enterprise,gateway,ruleId,", lines[0], StringComparison.Ordinal);
        Assert.Equal(2, lines.Length);
        Assert.Contains("\"'=HYPERLINK(\"\"x\"\"), checked\"", lines[1], StringComparison.Ordinal);
        Assert.Contains(",2026-11-22T08:00:00.000Z,unacknowledged,,", lines[1], StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("level=3")]
    [InlineData("priority=urgent")]
    [InlineData("state=gone")]
    [InlineData("limit=0")]
    [InlineData("limit=1001")]
    [InlineData("from=yesterday")]
    [InlineData("majorHazard=maybe")]
    [InlineData("format=xml")]
    public void ParseQuery_MalformedFilter_IsRefusedNotIgnored(string filter)
    {
        var (name, value) = (filter.Split('=')[0], filter.Split('=')[1]);

        Assert.Null(AlarmHistoryEndpoints.ParseQuery(new QueryCollection(new Dictionary<string, StringValues> { [name] = value })));
    }

    [Fact]
    public void ParseQuery_Filters_AreRead()
    {
        var query = AlarmHistoryEndpoints.ParseQuery(new QueryCollection(new Dictionary<string, StringValues>
        {
            ["from"] = "2026-11-01T00:00:00Z",
            ["enterprise"] = "ENT",
            ["level"] = "2",
            ["state"] = "closed",
            ["majorHazard"] = "true",
            ["limit"] = "50",
        }))!;

        Assert.Equal(new DateTimeOffset(2026, 11, 1, 0, 0, 0, TimeSpan.Zero), query.From);
        Assert.Equal("ENT", query.Enterprise);
        Assert.Equal(2, query.Level);
        Assert.True(query.Closed);
        Assert.True(query.MajorHazard);
        Assert.Equal(50, query.Limit);
    }
}

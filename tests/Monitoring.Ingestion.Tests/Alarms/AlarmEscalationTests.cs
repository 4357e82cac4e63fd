using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Alarms;

/// <summary>Escalation of unacknowledged alarms (AlarmEscalated) and operators' comments.</summary>
public sealed class AlarmEscalationTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly List<JournalEntry> _entries = [];
    private readonly AlarmTracker _tracker;

    private static readonly EscalationOptions Policy = new()
    {
        MaxLevel = 2,
        Critical = new PriorityEscalation { AcknowledgeWithin = TimeSpan.FromMinutes(5), EscalateAfter = TimeSpan.FromMinutes(15) },
        Low = new PriorityEscalation { AcknowledgeWithin = TimeSpan.FromMinutes(60), EscalateAfter = TimeSpan.FromMinutes(120) },
    };

    private static readonly AlarmCondition Critical = Condition(AlarmPriorities.Critical, level: 2, majorHazard: true);

    private static readonly TransitionContext Context = new([], Simulated: false);

    public AlarmEscalationTests() => _tracker = new AlarmTracker(_time, Policy);

    private static AlarmCondition Condition(string priority, int level, bool majorHazard) => TestConditions.LowPressure(priority: priority, level: level, majorHazard: majorHazard);

    private void Raise(AlarmCondition condition, long? occurredAtMs = null) =>
        _tracker.Apply(new AlarmTransition(condition, AlarmTransitionKind.Raised, occurredAtMs ?? _time.GetUtcNow().ToUnixTimeMilliseconds(), 0.1), Context, _entries);

    private void Tick() => _tracker.Escalate(0, _entries);

    private List<AlarmEscalated> Escalations() => [.. _entries
        .Where(e => e.MessageType == nameof(AlarmEscalated))
        .Select(e => JsonSerializer.Deserialize<AlarmEscalated>(e.Payload, AlarmJournal.JsonOptions)!)];

    [Fact]
    public void Raise_WithPolicy_SetsResponseAndEscalationDeadlines()
    {
        Raise(Critical);

        var alarm = Assert.Single(_tracker.All);
        Assert.Equal(Start.AddMinutes(5), alarm.AcknowledgeDueAt);
        Assert.Equal(Start.AddMinutes(15), alarm.NextEscalationAt);
        Assert.Equal(0, alarm.EscalationLevel);
    }

    [Fact]
    public void Escalate_BeforeTheResponseTime_PublishesNothing()
    {
        Raise(Critical);
        _time.Advance(TimeSpan.FromMinutes(15) - TimeSpan.FromSeconds(1));

        Tick();

        Assert.Empty(Escalations());
    }

    [Fact]
    public void Escalate_UnacknowledgedPastEachStep_PublishesLevelsInSequenceUpToMax()
    {
        Raise(Critical);

        _time.Advance(TimeSpan.FromMinutes(15));
        Tick();
        Tick();
        _time.Advance(TimeSpan.FromMinutes(15));
        Tick();
        _time.Advance(TimeSpan.FromHours(5));
        Tick();

        var escalations = Escalations();
        Assert.Equal([1, 2], escalations.Select(e => e.EscalationLevel));
        Assert.Equal([2L, 3L], escalations.Select(e => e.Sequence));
        Assert.Equal([900L, 1800L], escalations.Select(e => e.UnacknowledgedForSeconds));
        Assert.Null(Assert.Single(_tracker.All).NextEscalationAt);
    }

    [Fact]
    public void Escalate_AfterAcknowledge_PublishesNothing()
    {
        Raise(Critical);
        var alarmId = Assert.Single(_tracker.All).Raised.AlarmId;
        _tracker.Acknowledge(alarmId, "officer", null, _entries);
        _time.Advance(TimeSpan.FromHours(1));

        Tick();

        Assert.Empty(Escalations());
        Assert.Null(Assert.Single(_tracker.All).AcknowledgeDueAt);
    }

    [Fact]
    public void Escalate_WhileShelved_WaitsUntilTheShelfEnds()
    {
        Raise(Critical);
        var alarmId = Assert.Single(_tracker.All).Raised.AlarmId;
        _tracker.Shelve(alarmId, "officer", "sensor being replaced", Start.AddMinutes(30), oneShot: false, _entries);
        _time.Advance(TimeSpan.FromMinutes(20));
        Tick();
        Assert.Empty(Escalations());

        _tracker.Unshelve(alarmId, "officer", null, _entries);
        Tick();

        Assert.Equal(1, Assert.Single(Escalations()).EscalationLevel);
    }

    [Fact]
    public void Escalate_LowPriorityButMajorHazard_UsesTheCriticalTime()
    {
        Raise(Condition(AlarmPriorities.Low, level: 1, majorHazard: true));
        _time.Advance(TimeSpan.FromMinutes(15));

        Tick();

        Assert.Single(Escalations());
    }

    [Fact]
    public void Escalate_LowPriorityLevel1_UsesItsOwnTime()
    {
        Raise(Condition(AlarmPriorities.Low, level: 1, majorHazard: false));
        _time.Advance(TimeSpan.FromMinutes(119));
        Tick();
        Assert.Empty(Escalations());

        _time.Advance(TimeSpan.FromMinutes(1));
        Tick();

        Assert.Single(Escalations());
    }

    [Fact]
    public void Raise_HistoricalTransition_IsNeverEscalated()
    {
        // Historical: found in late data beyond the reorder window (a back-fill).
        _tracker.Apply(new AlarmTransition(Critical, AlarmTransitionKind.Raised, Start.AddMinutes(-10).ToUnixTimeMilliseconds(), 0.1),
            new TransitionContext([], Simulated: false, TransitionOrigin.LateData), _entries);
        _time.Advance(TimeSpan.FromHours(2));

        Tick();

        Assert.Empty(Escalations());
        Assert.Null(Assert.Single(_tracker.All).NextEscalationAt);
    }

    [Fact]
    public void Escalate_WithoutPolicy_PublishesNothing()
    {
        var tracker = new AlarmTracker(_time);
        tracker.Apply(new AlarmTransition(Critical, AlarmTransitionKind.Raised, _time.GetUtcNow().ToUnixTimeMilliseconds(), 0.1), Context, _entries);
        _time.Advance(TimeSpan.FromHours(2));

        tracker.Escalate(0, _entries);

        Assert.Empty(Escalations());
    }

    [Fact]
    public void Escalate_OtherWorkersAlarm_IsLeftToItsOwner()
    {
        _tracker.UsePartitions(2, static (_, _) => 1);
        Raise(Critical);
        _time.Advance(TimeSpan.FromMinutes(15));

        _tracker.Escalate(0, _entries);
        Assert.Empty(Escalations());

        _tracker.Escalate(1, _entries);
        Assert.NotEmpty(Escalations());
    }

    [Fact]
    public void AddComment_KeepsSequenceAuditsAndPublishesNothing()
    {
        Raise(Critical);
        var alarm = Assert.Single(_tracker.All);
        _entries.Clear();

        var outcome = _tracker.AddComment(alarm.Raised.AlarmId, "officer", "valve checked on site", _entries);

        Assert.Equal(OperatorOutcomeKind.Done, outcome.Kind);
        var entry = Assert.Single(_entries);
        Assert.False(entry.HasEvent);
        Assert.Equal("comment", entry.Audit!.Action);
        Assert.Equal("valve checked on site", entry.Audit.Reason);
        var after = Assert.Single(_tracker.All);
        Assert.Equal(alarm.Sequence, after.Sequence);
        Assert.Equal("valve checked on site", after.Comment);
    }
}

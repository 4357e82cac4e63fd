using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Tests.Alarms;

/// <summary>The ISA-18.2 lifecycle of one alarm, as the tracker applies transitions and operator actions.</summary>
public sealed class AlarmTrackerTests
{
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _time = new(Start);
    private readonly AlarmTracker _tracker;
    private readonly List<JournalEntry> _entries = [];

    private static readonly AlarmCondition Condition = new()
    {
        Key = "ENT/gw01/P/LOW_PRESSURE/LL",
        RuleId = "LOW_PRESSURE",
        RuleVersion = 1,
        Enterprise = "ENT",
        Gateway = "gw01",
        Tags = ["P"],
        Industry = Industries.AluminiumCasting,
        Priority = AlarmPriorities.Critical,
        Level = 2,
        MajorHazard = true,
        Limit = 0.14,
        Unit = "MPa",
        Description = new LocalizedText("压力低低", "pressure low-low"),
    };

    private static readonly TransitionContext Context = new([], Simulated: false);

    public AlarmTrackerTests() => _tracker = new AlarmTracker(_time);

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    private void Raise(double value = 0.1) => _tracker.Apply(new AlarmTransition(Condition, AlarmTransitionKind.Raised, NowMs, value), Context, _entries);

    private void Clear(double value = 0.2) => _tracker.Apply(new AlarmTransition(Condition, AlarmTransitionKind.Cleared, NowMs, value), Context, _entries);

    private TrackedAlarm Single() => Assert.Single(_tracker.All);

    [Fact]
    public void Raise_NewCondition_IsUnacknowledgedWithSequence1()
    {
        Raise();

        var alarm = Single();
        Assert.Equal("unacknowledged", alarm.State);
        Assert.Equal(1, alarm.Sequence);
        Assert.Equal(nameof(AlarmRaised), Assert.Single(_entries).MessageType);
    }

    [Fact]
    public void UsePartitions_AlarmsKnownBefore_AreListedUnderTheirGatewaysPartitionOnly()
    {
        Raise();

        _tracker.UsePartitions(3, static (enterprise, gateway) => enterprise == "ENT" && gateway == "gw01" ? 2 : 0);

        Assert.Empty(_tracker.OwnedBy(0));
        Assert.Empty(_tracker.OwnedBy(1));
        Assert.Equal(Condition.Key, Assert.Single(_tracker.OwnedBy(2)).Key);
        Clear();
        _tracker.Acknowledge(Single().Raised.AlarmId, "officer", null, _entries);
        Assert.Empty(_tracker.All);
        Assert.Empty(_tracker.OwnedBy(2));
    }

    [Fact]
    public void Raise_AlreadyActive_ChangesNothing()
    {
        Raise();
        Raise();

        Assert.Single(_entries);
    }

    [Fact]
    public void Clear_Unacknowledged_StaysListedAsReturnedToNormalUnacknowledged()
    {
        Raise();
        Clear();

        var alarm = Single();
        Assert.Equal("returned-to-normal-unacknowledged", alarm.State);
        Assert.Equal(2, alarm.Sequence);
        Assert.NotNull(_entries[^1].StateJson);
    }

    [Fact]
    public void Acknowledge_AfterReturnToNormal_ClosesTheAlarm()
    {
        Raise();
        Clear();
        var outcome = _tracker.Acknowledge(Single().Raised.AlarmId, "officer", "checked", _entries);

        Assert.Equal(OperatorOutcomeKind.Done, outcome.Kind);
        Assert.Empty(_tracker.All);
        var last = _entries[^1];
        Assert.Equal(nameof(AlarmAcknowledged), last.MessageType);
        Assert.Null(last.StateJson);
        Assert.Equal("officer", last.Audit!.Actor);
        Assert.Equal(3, JsonSerializer.Deserialize<AlarmAcknowledged>(last.Payload, AlarmJournal.JsonOptions)!.Sequence);
    }

    [Fact]
    public void Acknowledge_Active_ThenClear_ClosesTheAlarm()
    {
        Raise();
        _tracker.Acknowledge(Single().Raised.AlarmId, "officer", null, _entries);
        Assert.Equal("acknowledged", Single().State);

        Clear();

        Assert.Empty(_tracker.All);
        Assert.Null(_entries[^1].StateJson);
    }

    [Fact]
    public void Acknowledge_Twice_IsRejected()
    {
        Raise();
        var id = Single().Raised.AlarmId;
        _tracker.Acknowledge(id, "officer", null, _entries);

        Assert.Equal(OperatorOutcomeKind.Rejected, _tracker.Acknowledge(id, "officer", null, _entries).Kind);
    }

    [Fact]
    public void Raise_WhileReturnedToNormalUnacknowledged_ReactivatesTheSameAlarm()
    {
        Raise();
        var id = Single().Raised.AlarmId;
        Clear();
        Raise(0.05);

        var alarm = Single();
        Assert.Equal(id, alarm.Raised.AlarmId);
        Assert.Equal(3, alarm.Sequence);
        Assert.Equal("unacknowledged", alarm.State);
    }

    [Fact]
    public void Shelve_ExpiresAtItsTime_WithAnUnshelvedEvent()
    {
        Raise();
        var id = Single().Raised.AlarmId;
        _tracker.Shelve(id, "officer", "recalibration", Start.AddMinutes(30), oneShot: false, _entries);
        Assert.Equal("shelved", Single().State);

        _time.Advance(TimeSpan.FromMinutes(29));
        _tracker.ExpireShelves(0, _entries);
        Assert.Equal("shelved", Single().State);

        _time.Advance(TimeSpan.FromMinutes(2));
        _tracker.ExpireShelves(0, _entries);
        Assert.Equal("unacknowledged", Single().State);
        var unshelved = JsonSerializer.Deserialize<AlarmUnshelved>(_entries[^1].Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal(UnshelveReasons.Expired, unshelved.Reason);
    }

    [Fact]
    public void Shelve_OneShot_EndsWhenTheAlarmReturnsToNormal()
    {
        Raise();
        _tracker.Shelve(Single().Raised.AlarmId, "officer", "known leak", Start.AddHours(1), oneShot: true, _entries);

        Clear();

        Assert.Null(Single().Shelf);
        Assert.Equal(nameof(AlarmUnshelved), _entries[^1].MessageType);
    }

    [Fact]
    public void Shelve_InThePast_IsRejected()
    {
        Raise();

        Assert.Equal(OperatorOutcomeKind.Rejected, _tracker.Shelve(Single().Raised.AlarmId, "officer", "x", Start.AddSeconds(-1), false, _entries).Kind);
    }

    [Fact]
    public void Raise_ThreeTimesWithinAMinute_IsFlaggedChattering()
    {
        for (var i = 0; i < 3; i++)
        {
            Raise();
            _time.Advance(TimeSpan.FromSeconds(10));
            Clear();
            _time.Advance(TimeSpan.FromSeconds(10));
        }

        Raise();
        Assert.True(Single().Chattering);
    }

    [Fact]
    public void Restore_FromJournalState_KeepsStateAndSequence()
    {
        Raise();
        _tracker.Acknowledge(Single().Raised.AlarmId, "officer", null, _entries);
        var records = new[] { new AlarmStateRecord(Condition.Key, _entries[^1].StateJson!) };

        var restored = new AlarmTracker(_time);
        restored.Restore(records);

        var alarm = Assert.Single(restored.All);
        Assert.Equal("acknowledged", alarm.State);
        Assert.Equal(2, alarm.Sequence);
    }

    [Fact]
    public void OutOfService_AcknowledgedAndBackToNormal_StaysListedUntilReturnedToService()
    {
        Raise();
        var id = Single().Raised.AlarmId;
        _tracker.RemoveFromService(id, "officer", "PT-101 failed", Start.AddDays(1), _entries);
        _tracker.Acknowledge(id, "officer", null, _entries);
        Clear();

        Assert.Equal("out-of-service", Single().State);

        var outcome = _tracker.ReturnToService(id, "officer", "replaced", _entries);

        Assert.Equal(OperatorOutcomeKind.Done, outcome.Kind);
        Assert.Empty(_tracker.All);
        Assert.Equal(nameof(AlarmReturnedToService), _entries[^1].MessageType);
        Assert.Null(_entries[^1].StateJson);
    }

    [Fact]
    public void OutOfService_Expires_ReturnsToServiceWithReasonExpired()
    {
        Raise();
        _tracker.RemoveFromService(Single().Raised.AlarmId, "officer", "maintenance", Start.AddHours(2), _entries);

        _time.Advance(TimeSpan.FromHours(2));
        _tracker.ExpireShelves(0, _entries);

        Assert.Equal("unacknowledged", Single().State);
        var returned = JsonSerializer.Deserialize<AlarmReturnedToService>(_entries[^1].Payload, AlarmJournal.JsonOptions)!;
        Assert.Equal(UnshelveReasons.Expired, returned.Reason);
        Assert.Null(returned.ReturnedBy);
    }

    [Theory]
    [InlineData(ClearCause.Normal, ClearCauses.Normal)]
    [InlineData(ClearCause.ModeGate, ClearCauses.ModeGate)]
    public void Clear_CarriesItsCauseOnTheWire(ClearCause cause, string expected)
    {
        Raise();
        _tracker.Apply(new AlarmTransition(Condition, AlarmTransitionKind.Cleared, NowMs, 0.1, cause), Context, _entries);

        Assert.Equal(nameof(AlarmCleared), _entries[^1].MessageType);
        Assert.Equal(expected, JsonSerializer.Deserialize<AlarmCleared>(_entries[^1].Payload, AlarmJournal.JsonOptions)!.Cause);
        Assert.Equal("returned-to-normal-unacknowledged", Single().State);
    }

    [Fact]
    public void LatchingCondition_ReturnedToNormal_StaysLatchedUntilReset_EvenWhenAcknowledged()
    {
        var latching = new AlarmCondition
        {
            Key = "ENT/gw01/T/TRIP/HH",
            RuleId = "TRIP",
            RuleVersion = 1,
            Enterprise = "ENT",
            Gateway = "gw01",
            Tags = ["T"],
            Industry = Industries.Steel,
            Priority = AlarmPriorities.Critical,
            Level = 2,
            MajorHazard = true,
            Latching = true,
            Description = new LocalizedText("跳闸", "trip"),
        };
        _tracker.Apply(new AlarmTransition(latching, AlarmTransitionKind.Raised, NowMs, 1), Context, _entries);
        var id = Single().Raised.AlarmId;
        _tracker.Acknowledge(id, "officer", null, _entries);
        _tracker.Apply(new AlarmTransition(latching, AlarmTransitionKind.Cleared, NowMs, 0), Context, _entries);

        Assert.Equal("latched", Single().State);
        Assert.Equal(nameof(AlarmCleared), _entries[^1].MessageType);

        var outcome = _tracker.Reset(id, "officer", "inspected", _entries);

        Assert.Equal(OperatorOutcomeKind.Done, outcome.Kind);
        Assert.Empty(_tracker.All);
        Assert.Equal(nameof(AlarmReset), _entries[^1].MessageType);
        Assert.Equal("reset", _entries[^1].Audit!.Action);
    }

    [Fact]
    public void Reset_WhileConditionActive_IsRejected()
    {
        Raise();

        Assert.Equal(OperatorOutcomeKind.Rejected, _tracker.Reset(Single().Raised.AlarmId, "officer", null, _entries).Kind);
    }
}

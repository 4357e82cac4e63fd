using System.Text.Json;
using Monitoring.Contracts;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

/// <summary>An alarm's state is stored as JSON and must read back across an upgrade of the service.</summary>
public sealed class StoredStateTests
{
    // As a state was stored before the snapshot kept RuleVersion and before it was the contract's AlarmEvent.
    private const string EarlierState = """
        {"alarmId":"6f1c1f9e-0d7a-4c1e-9a43-2b1a5d4c9e10","lastSequence":2,
         "alarm":{"eventType":"AlarmAcknowledged","alarmId":"6f1c1f9e-0d7a-4c1e-9a43-2b1a5d4c9e10","eventId":"0b8f6a52-3a7e-5d1f-8c2b-9e4d7f6a1b30",
           "sequence":2,"ruleId":"DC_MOULD_WATER_PRESSURE","enterprise":"91441800DEMODCCAST","gateway":"gw01","tags":["CAST1.MOULD.WATER.P"],
           "equipment":null,"industry":"aluminium-casting","priority":"critical","level":2,"majorHazard":true,"clause":null,"value":0.1,
           "limit":0.14,"unit":"MPa","condition":{"zh":"结晶器冷却水压力低","en":"mould cooling water pressure low"},
           "occurredAt":"2026-11-22T08:00:00+00:00","detectedAt":"2026-11-22T08:00:00.2+00:00","historical":false,"simulated":false,
           "escalationLevel":0,"actor":"duty.officer","clearCause":null},
         "raisedAt":"2026-11-22T08:00:00+00:00","active":true,"acknowledged":true,"acknowledgedBy":"duty.officer","recipients":["duty.officer"]}
        """;

    [Fact]
    public void EarlierState_WithoutFieldsAddedSince_ReadsWithDefaults()
    {
        var state = JsonSerializer.Deserialize<AlarmNotificationState>(EarlierState, NotificationStore.Json)!;

        Assert.Equal(nameof(AlarmAcknowledged), state.Alarm.EventType);
        Assert.Equal("DC_MOULD_WATER_PRESSURE", state.Alarm.RuleId);
        Assert.Equal(0, state.Alarm.RuleVersion);
        Assert.Equal("duty.officer", state.Alarm.Actor);
        Assert.Equal("mould cooling water pressure low", state.Alarm.Condition.En);
        Assert.Equal(2, state.LastSequence);
    }

    [Fact]
    public void Snapshot_OfAContractEvent_KeepsItsFactsAndWhatItsTypeAdds()
    {
        var raised = new Alarms().Raised(DateTimeOffset.UnixEpoch);
        var cleared = new AlarmCleared(raised with { Context = [new ContextReading("P", 0, 0.2)] }, ClearCauses.ModeGate);

        var snapshot = AlarmSnapshot.From(cleared);
        var read = JsonSerializer.Deserialize<AlarmSnapshot>(JsonSerializer.Serialize(snapshot, NotificationStore.Json), NotificationStore.Json)!;

        Assert.Equal(nameof(AlarmCleared), read.EventType);
        Assert.Equal(ClearCauses.ModeGate, read.ClearCause);
        Assert.Equal(1, read.RuleVersion);
        Assert.Equal(raised.Tags, read.Tags);
        Assert.Empty(read.Context);
    }
}

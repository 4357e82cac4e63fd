using System.Text.Encodings.Web;
using System.Text.Json;
using MassTransit.Serialization;
using Monitoring.Contracts.Tests.Hazards;

namespace Monitoring.Contracts.Tests.Alarms;

/// <summary>
/// Pins the JSON of every event as MassTransit writes it (the <c>message</c> property of its envelope),
/// so that the wire cannot drift unnoticed. To accept a deliberate change, run the tests with
/// UPDATE_GOLDEN_DIR set to this project's Golden folder, review the diff, and commit it.
/// </summary>
public class GoldenEventTests
{
    private static readonly JsonSerializerOptions Normalised = new()
    {
        WriteIndented = false,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static readonly JsonSerializerOptions Indented = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private static JsonSerializerOptions WireOptions => SystemTextJsonMessageSerializer.Options;

    [Fact]
    public void AlarmRaised_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Raised());

    [Fact]
    public void AlarmCleared_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Cleared());

    [Fact]
    public void AlarmAcknowledged_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Acknowledged());

    [Fact]
    public void AlarmShelved_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Shelved());

    [Fact]
    public void AlarmUnshelved_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Unshelved());

    [Fact]
    public void AlarmOutOfService_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.OutOfService());

    [Fact]
    public void AlarmReturnedToService_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.ReturnedToService());

    [Fact]
    public void AlarmReset_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Reset());

    [Fact]
    public void AlarmEscalated_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Escalated());

    [Fact]
    public void AlarmDisposed_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Disposed());

    [Fact]
    public void AlarmDisposalReturned_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.DisposalReturned());

    [Fact]
    public void AlarmDisposalVerified_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.DisposalVerified());

    [Fact]
    public void AlarmClosedOut_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.ClosedOut());

    [Fact]
    public void AlarmDisposalOverdue_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.DisposalOverdue());

    [Fact]
    public void HazardOpened_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Opened());

    [Fact]
    public void HazardRectificationPlanned_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Planned());

    [Fact]
    public void HazardRectified_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Rectified());

    [Fact]
    public void HazardRectificationReturned_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Returned());

    [Fact]
    public void HazardVerified_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Verified());

    [Fact]
    public void HazardClosedOut_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.ClosedOut());

    [Fact]
    public void HazardReopened_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Reopened());

    [Fact]
    public void HazardOverdue_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(HazardEventSamples.Overdue());

    [Fact]
    public void HazardEvents_ShareOnlyHazardEvent_WhichMassTransitLeavesOffTheWire()
    {
        Type[] hazardEvents =
        [
            typeof(HazardOpened), typeof(HazardReopened), typeof(HazardRectificationPlanned), typeof(HazardRectified),
            typeof(HazardRectificationReturned), typeof(HazardVerified), typeof(HazardClosedOut), typeof(HazardOverdue),
        ];
        foreach (var type in hazardEvents)
        {
            Assert.Equal(typeof(HazardEvent), type.BaseType);
            Assert.Equal(
                new[] { typeof(IEquatable<>).MakeGenericType(typeof(HazardEvent)), typeof(IEquatable<>).MakeGenericType(type) }.Order(ByName),
                type.GetInterfaces().Order(ByName));
            Assert.Contains(type, PublishedEvents.Types);
        }

        Assert.True(typeof(HazardEvent).IsAbstract);
        Assert.NotNull(typeof(HazardEvent).GetCustomAttributes(typeof(MassTransit.ExcludeFromTopologyAttribute), inherit: false).SingleOrDefault());
        Assert.NotNull(typeof(HazardEvent).GetCustomAttributes(typeof(MassTransit.ExcludeFromImplementedTypesAttribute), inherit: false).SingleOrDefault());
    }

    [Fact]
    public void HazardIds_AreTheSameForTheSameRecord_AndDifferWhenAnyPartDiffers()
    {
        var id = HazardIds.For("E1", "Art. 14", "CAST1");

        Assert.Equal(id, HazardIds.For("E1", "Art. 14", "CAST1"));
        Assert.Equal(5, id.Version);
        Assert.NotEqual(id, HazardIds.For("E2", "Art. 14", "CAST1"));
        Assert.NotEqual(id, HazardIds.For("E1", null, "CAST1"));
        Assert.NotEqual(id, HazardIds.For("E1", "Art. 14", "CAST2"));
        // The separator keeps parts from running into each other.
        Assert.NotEqual(HazardIds.For("E1", "A", "BC"), HazardIds.For("E1", "AB", "C"));
        // Pinned, and computed independently (Python: uuid.uuid5(HazardIds.Namespace, "E1\nArt. 14\nCAST1")).
        Assert.Equal(Guid.Parse(PinnedHazardId), id);
    }

    private const string PinnedHazardId = "63d6c213-73af-5a83-814d-968777eb003b";

    [Fact]
    public void GatewayStatusChanged_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.StatusChanged());

    [Fact]
    public void ServiceHeartbeat_Serialized_MatchesGoldenAndRoundTrips() => AssertGolden(EventSamples.Heartbeat());

    [Fact]
    public void AlarmRaised_RoundTrip_KeepsScalarFieldsAndContextValueTypes()
    {
        var original = EventSamples.Raised();
        var json = JsonSerializer.Serialize(original, WireOptions);

        var copy = JsonSerializer.Deserialize<AlarmRaised>(json, WireOptions)!;

        Assert.Equal(original.AlarmId, copy.AlarmId);
        Assert.Equal(original.EventId, copy.EventId);
        Assert.Equal(original.OccurredAt, copy.OccurredAt);
        Assert.Equal(original.Condition, copy.Condition);
        Assert.Equal(original.Tags, copy.Tags);
        Assert.Equal(original.Context.Count, copy.Context.Count);
        Assert.Equal(
            original.Context.Select(c => JsonSerializer.Serialize(c.V, WireOptions)),
            copy.Context.Select(c => JsonSerializer.Serialize(c.V, WireOptions)));
    }

    [Fact]
    public void AlarmCleared_ModeGateCause_WrittenAsModeGate()
    {
        var json = JsonSerializer.Serialize(EventSamples.Cleared() with { Cause = ClearCauses.ModeGate }, WireOptions);

        using var doc = JsonDocument.Parse(json);
        Assert.Equal("mode-gate", doc.RootElement.GetProperty("cause").GetString());
        Assert.Equal(ClearCauses.ModeGate, JsonSerializer.Deserialize<AlarmCleared>(json, WireOptions)!.Cause);
    }

    [Fact]
    public void AlarmCleared_V1EventWithoutCause_ReadsAsNormal()
    {
        // Contract v1.1 only adds the field: an event written before it (or by a v1 producer) still reads, as "normal".
        var golden = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", "AlarmCleared.json")))!.AsObject();
        Assert.True(golden.Remove("cause"));

        var v1 = JsonSerializer.Deserialize<AlarmCleared>(golden.ToJsonString(), WireOptions)!;

        Assert.Equal(ClearCauses.Normal, v1.Cause);
        Assert.Equal(EventSamples.Cleared(), v1 with { Context = EventSamples.Cleared().Context, Tags = EventSamples.Cleared().Tags });
    }

    [Fact]
    public void EveryEventType_InContractNamespace_HasAGoldenTest()
    {
        var eventTypes = typeof(AlarmRaised).Assembly.GetTypes()
            .Where(t => t.Namespace == "Monitoring.Contracts" && t.IsPublic && t.IsSealed && !t.IsAbstract
                && t.GetProperty("EventId") is not null)
            .Select(t => t.Name)
            .Order(StringComparer.Ordinal);
        var tested = typeof(GoldenEventTests).GetMethods()
            .Where(m => m.Name.EndsWith("_Serialized_MatchesGoldenAndRoundTrips", StringComparison.Ordinal))
            .Select(m => m.Name.Split('_')[0])
            .Order(StringComparer.Ordinal);

        Assert.Equal(eventTypes, tested);
    }

    [Fact]
    public void PublishedEvents_ListsEveryEventType_WithItsMassTransitExchange()
    {
        // The service declares exactly these exchanges at start; an event type missing here would have
        // no exchange until its first publish (a consumer binding first would get 404 NOT_FOUND).
        var eventTypes = typeof(AlarmRaised).Assembly.GetTypes()
            .Where(t => t.Namespace == "Monitoring.Contracts" && t.IsPublic && t.IsSealed && !t.IsAbstract
                && t.GetProperty("EventId") is not null)
            .Order(Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name)));

        Assert.Equal(eventTypes, PublishedEvents.Types.Order(Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.Name, b.Name))));
        Assert.Equal("Monitoring.Contracts:AlarmRaised", PublishedEvents.ExchangeOf(typeof(AlarmRaised)));
        Assert.Equal(MassTransit.MessageUrn.ForTypeString<AlarmReset>(), "urn:message:" + PublishedEvents.ExchangeOf(typeof(AlarmReset)));
        Assert.True(PublishedEvents.TryGetType("AlarmReset", out var reset));
        Assert.Equal(typeof(AlarmReset), reset);
        Assert.False(PublishedEvents.TryGetType("AlarmDeleted", out _));
    }

    [Fact]
    public void AlarmEvents_ShareOnlyAlarmEvent_WhichMassTransitLeavesOffTheWire()
    {
        // A shared base type or interface that MassTransit saw would add exchanges and envelope message
        // types that are not in the contract (docs/contract.md 3); AlarmEvent is excluded from both.
        Type[] alarmEvents =
        [
            typeof(AlarmRaised), typeof(AlarmCleared), typeof(AlarmAcknowledged), typeof(AlarmShelved),
            typeof(AlarmUnshelved), typeof(AlarmEscalated), typeof(AlarmOutOfService), typeof(AlarmReturnedToService), typeof(AlarmReset),
            typeof(AlarmDisposed), typeof(AlarmDisposalReturned), typeof(AlarmDisposalVerified), typeof(AlarmClosedOut), typeof(AlarmDisposalOverdue),
        ];
        foreach (var type in alarmEvents)
        {
            Assert.Equal(typeof(AlarmEvent), type.BaseType);
            Assert.Equal(
                new[] { typeof(IEquatable<>).MakeGenericType(typeof(AlarmEvent)), typeof(IEquatable<>).MakeGenericType(type) }.Order(ByName),
                type.GetInterfaces().Order(ByName));
            Assert.Equal("Monitoring.Contracts", type.Namespace);
        }

        foreach (var type in new[] { typeof(GatewayStatusChanged), typeof(ServiceHeartbeat) })
        {
            Assert.Equal(typeof(object), type.BaseType);
            Assert.Equal([typeof(IEquatable<>).MakeGenericType(type)], type.GetInterfaces());
        }

        Assert.True(typeof(AlarmEvent).IsAbstract);
        Assert.NotNull(typeof(AlarmEvent).GetCustomAttributes(typeof(MassTransit.ExcludeFromTopologyAttribute), inherit: false).SingleOrDefault());
        Assert.NotNull(typeof(AlarmEvent).GetCustomAttributes(typeof(MassTransit.ExcludeFromImplementedTypesAttribute), inherit: false).SingleOrDefault());
        // MassTransit itself would still name the base in the envelope's messageType list; the outbox
        // publisher names only the contract type (ContractExchangeTests reads the envelope off RabbitMQ).
        Assert.Contains("urn:message:Monitoring.Contracts:AlarmEvent", MassTransit.MessageTypeCache<AlarmCleared>.MessageTypeNames);
    }

    [Fact]
    public void AlarmEvent_Constructor_CopiesEveryCommonFieldAndSetsTheEventsOwn()
    {
        var raised = EventSamples.Raised();

        var acknowledged = new AlarmAcknowledged(raised, "duty.li", "checked the valve", raised.DetectedAt);

        // Every common field, whatever is added to AlarmEvent later, comes across unchanged.
        foreach (var property in typeof(AlarmEvent).GetProperties().Where(p => p.Name != "EqualityContract"))
            Assert.Equal(property.GetValue(raised), property.GetValue(acknowledged));
        Assert.Equal("duty.li", acknowledged.AcknowledgedBy);
        Assert.Equal("checked the valve", acknowledged.Comment);
        Assert.Equal(raised.DetectedAt, acknowledged.AcknowledgedAt);
    }

    private static readonly Comparer<Type> ByName = Comparer<Type>.Create((a, b) => string.CompareOrdinal(a.FullName, b.FullName));

    private static void AssertGolden<T>(T message)
    {
        var json = JsonSerializer.Serialize(message, WireOptions);
        var name = typeof(T).Name + ".json";

        var updateDir = Environment.GetEnvironmentVariable("UPDATE_GOLDEN_DIR");
        if (!string.IsNullOrEmpty(updateDir))
        {
            using var doc = JsonDocument.Parse(json);
            File.WriteAllText(Path.Combine(updateDir, name), JsonSerializer.Serialize(doc.RootElement, Indented) + "\n");
        }

        var golden = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Golden", name));
        Assert.Equal(Normalise(golden), Normalise(json));

        // The golden text, read back with MassTransit's options, must serialize to itself.
        var copy = JsonSerializer.Deserialize<T>(golden, WireOptions);
        Assert.NotNull(copy);
        Assert.Equal(Normalise(golden), Normalise(JsonSerializer.Serialize(copy, WireOptions)));
    }

    private static string Normalise(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(doc.RootElement, Normalised);
    }
}

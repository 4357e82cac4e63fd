namespace Monitoring.Contracts;

/// <summary>
/// Every event type the ingestion service publishes to the bus (docs/contract.md section 3), declared
/// once: the bus declares an exchange <c>Monitoring.Contracts:&lt;Type&gt;</c> for each of these when it
/// connects, so a consumer may bind its queue before the first event of a type is ever published, and
/// the outbox maps a journalled event's type name back to its type from the same list.
/// </summary>
public static class PublishedEvents
{
    /// <summary>The published types, in contract order.</summary>
    public static IReadOnlyList<Type> Types { get; } =
    [
        typeof(AlarmRaised),
        typeof(AlarmCleared),
        typeof(AlarmAcknowledged),
        typeof(AlarmShelved),
        typeof(AlarmUnshelved),
        typeof(AlarmEscalated),
        typeof(AlarmOutOfService),
        typeof(AlarmReturnedToService),
        typeof(AlarmReset),
        typeof(AlarmDisposed),
        typeof(AlarmDisposalReturned),
        typeof(AlarmDisposalVerified),
        typeof(AlarmClosedOut),
        typeof(AlarmDisposalOverdue),
        typeof(HazardOpened),
        typeof(HazardReopened),
        typeof(HazardRectificationPlanned),
        typeof(HazardRectified),
        typeof(HazardRectificationReturned),
        typeof(HazardVerified),
        typeof(HazardClosedOut),
        typeof(HazardOverdue),
        typeof(GatewayStatusChanged),
        typeof(ServiceHeartbeat),
    ];

    private static readonly Dictionary<string, Type> ByName = Types.ToDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>The exchange a type is published to (MassTransit's name: namespace, colon, type name).</summary>
    public static string ExchangeOf(Type type) => $"{type.Namespace}:{type.Name}";

    /// <summary>The published type named <paramref name="name"/> (the type's short name), if there is one.</summary>
    public static bool TryGetType(string name, out Type type) => ByName.TryGetValue(name, out type!);
}

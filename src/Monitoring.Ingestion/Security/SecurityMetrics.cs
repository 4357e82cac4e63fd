using System.Diagnostics.Metrics;
using Monitoring.Ingestion.Observability;

namespace Monitoring.Ingestion.Security;

/// <summary>
/// Security instruments. Same meter name as <see cref="IngestionMetrics"/>, so the exporters registered
/// for it pick these up too. Tags are low-cardinality (reason, status) only.
/// </summary>
internal static class SecurityMetrics
{
    private static readonly Meter Meter = new(IngestionMetrics.MeterName);

    public static readonly Counter<long> ConnectionsRefused =
        Meter.CreateCounter<long>("monitoring.security.mqtt.connections.refused", "{connection}", "MQTT connections the embedded broker refused, by reason (unknown_user, bad_password, certificate).");

    public static readonly Counter<long> PublishesRefused =
        Meter.CreateCounter<long>("monitoring.security.mqtt.publish.refused", "{message}", "MQTT messages the embedded broker refused, by reason (acl, rate_limit, payload_too_large).");

    public static readonly Counter<long> SubscriptionsRefused =
        Meter.CreateCounter<long>("monitoring.security.mqtt.subscribe.refused", "{subscription}", "MQTT subscriptions the embedded broker refused (ACL).");

    public static readonly Counter<long> ApiRefused =
        Meter.CreateCounter<long>("monitoring.security.api.refused", "{request}", "HTTP requests refused, by status (401 unauthenticated, 403 role too low).");

    public static readonly Counter<long> SignInsRefused =
        Meter.CreateCounter<long>("monitoring.security.signin.refused", "{request}", "Console sign-ins refused without checking the password, by reason (locked_user, locked_address).");

    public static void SignInRefused(SignInRefusal reason) => SignInsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason == SignInRefusal.LockedAddress ? "locked_address" : "locked_user"));

    public static void PublishRefused(string reason) => PublishesRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public static void ConnectionRefused(string reason) => ConnectionsRefused.Add(1, new KeyValuePair<string, object?>("reason", reason));
    public static void ApiRequestRefused(int status) => ApiRefused.Add(1, new KeyValuePair<string, object?>("status", status));
}

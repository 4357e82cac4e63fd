namespace Monitoring.Contracts.Telemetry;

/// <summary>The two topics a gateway publishes to (docs/contract.md 1).</summary>
public enum TopicKind
{
    Telemetry,
    Status,
}

/// <summary>
/// Builds and parses <c>{root}/{enterprise}/{gateway}/telemetry|status</c>. The root (default
/// <c>mon/v1</c>) may itself contain slashes; enterprise and gateway match <c>[A-Za-z0-9_-]{1,64}</c>.
/// </summary>
public static class TelemetryTopic
{
    public const string DefaultRoot = "mon/v1";
    public const string TelemetrySuffix = "telemetry";
    public const string StatusSuffix = "status";

    /// <summary>Subscription filter for the telemetry of every gateway: <c>{root}/+/+/telemetry</c>.</summary>
    public static string TelemetryFilter(string root) => root + "/+/+/" + TelemetrySuffix;

    /// <summary>Subscription filter for the status of every gateway: <c>{root}/+/+/status</c>.</summary>
    public static string StatusFilter(string root) => root + "/+/+/" + StatusSuffix;

    public static string Telemetry(string root, string enterprise, string gateway) =>
        Build(root, enterprise, gateway, TelemetrySuffix);

    public static string Status(string root, string enterprise, string gateway) =>
        Build(root, enterprise, gateway, StatusSuffix);

    /// <summary>Parses a topic; false when it is not one of the two gateway topics under <paramref name="root"/>.</summary>
    public static bool TryParse(string topic, string root, out string enterprise, out string gateway, out TopicKind kind)
    {
        if (topic is not null && root is not null
            && TryParse(topic.AsSpan(), root.AsSpan(), out var enterpriseRange, out var gatewayRange, out kind))
        {
            enterprise = topic[enterpriseRange];
            gateway = topic[gatewayRange];
            return true;
        }

        enterprise = string.Empty;
        gateway = string.Empty;
        kind = default;
        return false;
    }

    /// <summary>
    /// Allocation-free form for the receive path: the identifiers are returned as ranges of
    /// <paramref name="topic"/>, so that a caller can look them up in its own intern table.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<char> topic, ReadOnlySpan<char> root, out Range enterprise, out Range gateway, out TopicKind kind)
    {
        enterprise = default;
        gateway = default;
        kind = default;

        // An empty root means the identifiers come first.
        var offset = 0;
        if (!root.IsEmpty)
        {
            if (topic.Length <= root.Length || !topic.StartsWith(root, StringComparison.Ordinal) || topic[root.Length] != '/')
            {
                return false;
            }

            offset = root.Length + 1;
        }

        var rest = topic[offset..];
        var first = rest.IndexOf('/');
        if (first < 0)
        {
            return false;
        }

        var second = rest[(first + 1)..].IndexOf('/');
        if (second < 0)
        {
            return false;
        }

        second += first + 1;
        var suffix = rest[(second + 1)..];
        if (suffix.SequenceEqual(TelemetrySuffix))
        {
            kind = TopicKind.Telemetry;
        }
        else if (suffix.SequenceEqual(StatusSuffix))
        {
            kind = TopicKind.Status;
        }
        else
        {
            return false;
        }

        if (!Identifiers.IsValidEnterpriseOrGateway(rest[..first])
            || !Identifiers.IsValidEnterpriseOrGateway(rest[(first + 1)..second]))
        {
            return false;
        }

        enterprise = new Range(offset, offset + first);
        gateway = new Range(offset + first + 1, offset + second);
        return true;
    }

    private static string Build(string root, string enterprise, string gateway, string suffix)
    {
        if (!Identifiers.IsValidEnterpriseOrGateway(enterprise))
        {
            throw new ArgumentException($"Enterprise '{enterprise}' does not match [A-Za-z0-9_-]{{1,64}}.", nameof(enterprise));
        }

        if (!Identifiers.IsValidEnterpriseOrGateway(gateway))
        {
            throw new ArgumentException($"Gateway '{gateway}' does not match [A-Za-z0-9_-]{{1,64}}.", nameof(gateway));
        }

        return string.IsNullOrEmpty(root)
            ? enterprise + "/" + gateway + "/" + suffix
            : root + "/" + enterprise + "/" + gateway + "/" + suffix;
    }
}

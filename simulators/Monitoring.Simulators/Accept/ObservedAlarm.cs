using System.Text.Json;

namespace Monitoring.Simulators.Accept;

/// <summary>An <c>AlarmRaised</c> as the supervision side saw it (RabbitMQ event or the service's API).</summary>
public sealed record ObservedAlarm(
    string AlarmId,
    string RuleId,
    string Enterprise,
    string Gateway,
    IReadOnlyList<string> Tags,
    string Priority,
    int Level,
    DateTimeOffset OccurredAt,
    bool Simulated,
    bool Historical,
    double? Value,
    double? Limit,
    string? Unit)
{
    /// <summary>Reads the contract's camelCase fields of an <c>AlarmRaised</c> message.</summary>
    public static ObservedAlarm FromJson(JsonElement message)
    {
        var tags = new List<string>();
        if (message.TryGetProperty("tags", out var tagArray) && tagArray.ValueKind == JsonValueKind.Array)
        {
            foreach (var tag in tagArray.EnumerateArray())
                tags.Add(tag.GetString() ?? string.Empty);
        }

        return new ObservedAlarm(
            Text(message, "alarmId"),
            Text(message, "ruleId"),
            Text(message, "enterprise"),
            Text(message, "gateway"),
            tags,
            Text(message, "priority"),
            message.TryGetProperty("level", out var level) && level.ValueKind == JsonValueKind.Number ? level.GetInt32() : 0,
            message.GetProperty("occurredAt").GetDateTimeOffset(),
            message.TryGetProperty("simulated", out var sim) && sim.ValueKind == JsonValueKind.True,
            message.TryGetProperty("historical", out var hist) && hist.ValueKind == JsonValueKind.True,
            Number(message, "value"),
            Number(message, "limit"),
            message.TryGetProperty("unit", out var unit) && unit.ValueKind == JsonValueKind.String ? unit.GetString() : null);
    }

    private static string Text(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() ?? string.Empty : string.Empty;

    private static double? Number(JsonElement message, string name) =>
        message.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number ? value.GetDouble() : null;
}

/// <summary>Collects raised alarms while scenarios run.</summary>
public interface IAlarmWatcher : IAsyncDisposable
{
    string Source { get; }

    Task StartAsync(CancellationToken cancellationToken);

    /// <summary>Every alarm seen so far (thread-safe copy).</summary>
    IReadOnlyList<ObservedAlarm> Snapshot();
}

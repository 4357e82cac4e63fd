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
    /// <summary>
    /// How much later than the true raise <see cref="OccurredAt"/> may be: zero for events, more for a re-raise
    /// the API shows only as a changed alarm (its time is then taken from the running scenario's clock).
    /// </summary>
    public TimeSpan Uncertainty { get; init; }

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
            Time(message),
            message.TryGetProperty("simulated", out var sim) && sim.ValueKind == JsonValueKind.True,
            message.TryGetProperty("historical", out var hist) && hist.ValueKind == JsonValueKind.True,
            Number(message, "value"),
            Number(message, "limit"),
            message.TryGetProperty("unit", out var unit) && unit.ValueKind == JsonValueKind.String ? unit.GetString() : null);
    }

    /// <summary>
    /// The raise's sensor time: <c>occurredAt</c> on the bus; the API's alarm view names it <c>raisedAt</c>
    /// (its <c>occurredAt</c>-less shape lists the alarm's whole life, not one event).
    /// </summary>
    private static DateTimeOffset Time(JsonElement message)
    {
        if (message.TryGetProperty("raisedAt", out var raised) && raised.ValueKind == JsonValueKind.String)
            return raised.GetDateTimeOffset();
        if (message.TryGetProperty("occurredAt", out var occurred) && occurred.ValueKind == JsonValueKind.String)
            return occurred.GetDateTimeOffset();
        throw new FormatException("an alarm without occurredAt or raisedAt");
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

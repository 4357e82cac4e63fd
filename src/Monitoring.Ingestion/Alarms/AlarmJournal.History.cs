using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// The alarm history (issue: disposal and history): every alarm episode and its full event trail, kept after the
/// alarm closes, for the retention period (<see cref="AlarmHistoryOptions"/>). Written in the same transaction as
/// the event's outbox row, so the history has every event the platform was sent, and none it was not.
/// An alarm's row holds its last lifecycle state (the same JSON as the active alarm's), so a past alarm reads
/// exactly as it stood when it closed.
/// </summary>
internal sealed partial class AlarmJournal
{
    private const string HistorySchema = """
        CREATE TABLE IF NOT EXISTS alarm_history (
            alarm_id TEXT PRIMARY KEY,
            key TEXT NOT NULL,
            enterprise TEXT NOT NULL,
            gateway TEXT NOT NULL,
            rule_id TEXT NOT NULL,
            priority TEXT NOT NULL,
            level INTEGER NOT NULL,
            major_hazard INTEGER NOT NULL,
            raised_at INTEGER NOT NULL,
            closed_at INTEGER NULL,
            state TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alarm_history_raised ON alarm_history (raised_at);
        CREATE INDEX IF NOT EXISTS alarm_history_enterprise ON alarm_history (enterprise, raised_at);
        CREATE INDEX IF NOT EXISTS alarm_history_open ON alarm_history (key) WHERE closed_at IS NULL;
        CREATE TABLE IF NOT EXISTS alarm_history_events (
            event_id TEXT PRIMARY KEY,
            alarm_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            message_type TEXT NOT NULL,
            at INTEGER NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS alarm_history_events_alarm ON alarm_history_events (alarm_id, sequence);
        """;

    /// <summary>Within <see cref="CommitAsync"/>'s transaction: the entry's event joins its alarm's trail and the alarm's row follows its state.</summary>
    private void WriteHistory(JournalEntry entry, SqliteTransaction transaction, long nowMs)
    {
        if (!entry.HasEvent || entry.Alarm is not { } alarm || entry.AlarmKey is null)
        {
            // A note or a flag (no event): the alarm's state follows, so its comment is kept with it.
            if (entry.Alarm is { } noted && entry.StateJson is { } json)
            {
                using var update = _connection.CreateCommand();
                update.Transaction = transaction;
                update.CommandText = "UPDATE alarm_history SET state = $state WHERE alarm_id = $id";
                update.Parameters.AddWithValue("$id", noted.Raised.AlarmId.ToString());
                update.Parameters.AddWithValue("$state", json);
                update.ExecuteNonQuery();
            }

            return;
        }

        var closed = entry.StateJson is null;
        var r = alarm.Raised;
        UpsertHistory(alarm, entry.AlarmKey, entry.StateJson ?? JsonSerializer.Serialize(alarm, JsonOptions), closed ? nowMs : null, transaction, onlyIfMissing: false);

        using var trail = _connection.CreateCommand();
        trail.Transaction = transaction;
        trail.CommandText = "INSERT OR IGNORE INTO alarm_history_events (event_id, alarm_id, sequence, message_type, at, payload) VALUES ($event, $id, $sequence, $type, $at, $payload)";
        trail.Parameters.AddWithValue("$event", entry.EventId.ToString());
        trail.Parameters.AddWithValue("$id", r.AlarmId.ToString());
        trail.Parameters.AddWithValue("$sequence", alarm.Sequence);
        trail.Parameters.AddWithValue("$type", entry.MessageType);
        trail.Parameters.AddWithValue("$at", nowMs);
        trail.Parameters.AddWithValue("$payload", entry.Payload);
        trail.ExecuteNonQuery();
    }

    /// <summary>The alarm's row: inserted at its first event; afterwards its state and close time follow (or, <paramref name="onlyIfMissing"/>, left as they are).</summary>
    private void UpsertHistory(TrackedAlarm alarm, string key, string stateJson, long? closedAtMs, SqliteTransaction transaction, bool onlyIfMissing)
    {
        var r = alarm.Raised;
        using var row = _connection.CreateCommand();
        row.Transaction = transaction;
        row.CommandText = $"""
            INSERT INTO alarm_history (alarm_id, key, enterprise, gateway, rule_id, priority, level, major_hazard, raised_at, closed_at, state)
            VALUES ($id, $key, $enterprise, $gateway, $rule, $priority, $level, $major, $raised, $closed, $state)
            ON CONFLICT(alarm_id) DO {(onlyIfMissing ? "NOTHING" : "UPDATE SET closed_at = excluded.closed_at, state = excluded.state")}
            """;
        row.Parameters.AddWithValue("$id", r.AlarmId.ToString());
        row.Parameters.AddWithValue("$key", key);
        row.Parameters.AddWithValue("$enterprise", r.Enterprise);
        row.Parameters.AddWithValue("$gateway", r.Gateway);
        row.Parameters.AddWithValue("$rule", r.RuleId);
        row.Parameters.AddWithValue("$priority", r.Priority);
        row.Parameters.AddWithValue("$level", r.Level);
        row.Parameters.AddWithValue("$major", r.MajorHazard ? 1 : 0);
        row.Parameters.AddWithValue("$raised", r.OccurredAt.ToUnixTimeMilliseconds());
        row.Parameters.AddWithValue("$closed", closedAtMs is { } at ? at : (object)DBNull.Value);
        row.Parameters.AddWithValue("$state", stateJson);
        row.ExecuteNonQuery();
    }

    /// <summary>
    /// At start: an alarm still open from before the history existed (a journal of an earlier version) is listed with
    /// its state; its trail starts with its next event, the earlier ones were not kept then.
    /// </summary>
    private void ListOpenAlarmsInHistory()
    {
        var open = new List<(string Key, string State)>();
        using (var command = _connection.CreateCommand())
        {
            command.CommandText = "SELECT key, state FROM alarms";
            using var reader = command.ExecuteReader();
            while (reader.Read())
                open.Add((reader.GetString(0), reader.GetString(1)));
        }

        if (open.Count == 0)
            return;
        using var transaction = _connection.BeginTransaction();
        foreach (var (_, state) in open)
        {
            var alarm = JsonSerializer.Deserialize<TrackedAlarm>(state, JsonOptions)!;
            UpsertHistory(alarm, alarm.Key, state, closedAtMs: null, transaction, onlyIfMissing: true);
        }

        transaction.Commit();
    }

    /// <summary>Past and open alarms that match <paramref name="query"/>, newest raise first.</summary>
    public async Task<IReadOnlyList<AlarmHistoryRecord>> QueryHistoryAsync(AlarmHistoryQuery query, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = """
                SELECT state, closed_at FROM alarm_history
                WHERE ($from IS NULL OR raised_at >= $from) AND ($to IS NULL OR raised_at < $to)
                  AND ($enterprise IS NULL OR enterprise = $enterprise) AND ($gateway IS NULL OR gateway = $gateway)
                  AND ($rule IS NULL OR rule_id = $rule) AND ($priority IS NULL OR priority = $priority)
                  AND ($level IS NULL OR level = $level) AND ($major IS NULL OR major_hazard = $major)
                  AND ($closed IS NULL OR (closed_at IS NOT NULL) = $closed)
                ORDER BY raised_at DESC, alarm_id
                LIMIT $limit OFFSET $offset
                """;
            command.Parameters.AddWithValue("$from", (object?)query.From?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            command.Parameters.AddWithValue("$to", (object?)query.To?.ToUnixTimeMilliseconds() ?? DBNull.Value);
            command.Parameters.AddWithValue("$enterprise", (object?)query.Enterprise ?? DBNull.Value);
            command.Parameters.AddWithValue("$gateway", (object?)query.Gateway ?? DBNull.Value);
            command.Parameters.AddWithValue("$rule", (object?)query.RuleId ?? DBNull.Value);
            command.Parameters.AddWithValue("$priority", (object?)query.Priority ?? DBNull.Value);
            command.Parameters.AddWithValue("$level", (object?)query.Level ?? DBNull.Value);
            command.Parameters.AddWithValue("$major", query.MajorHazard is { } major ? (major ? 1 : 0) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$closed", query.Closed is { } c ? (c ? 1 : 0) : (object)DBNull.Value);
            command.Parameters.AddWithValue("$limit", query.Limit);
            command.Parameters.AddWithValue("$offset", query.Offset);
            using var reader = command.ExecuteReader();
            var rows = new List<AlarmHistoryRecord>();
            while (reader.Read())
                rows.Add(ReadHistory(reader));
            return rows;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One alarm with its event trail in sequence order; null when the history does not hold it.</summary>
    public async Task<(AlarmHistoryRecord Alarm, IReadOnlyList<AlarmHistoryEvent> Events)?> GetHistoryAsync(Guid alarmId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT state, closed_at FROM alarm_history WHERE alarm_id = $id";
            command.Parameters.AddWithValue("$id", alarmId.ToString());
            AlarmHistoryRecord alarm;
            using (var reader = command.ExecuteReader())
            {
                if (!reader.Read())
                    return null;
                alarm = ReadHistory(reader);
            }

            using var events = _connection.CreateCommand();
            events.CommandText = "SELECT sequence, message_type, at, payload FROM alarm_history_events WHERE alarm_id = $id ORDER BY sequence, at";
            events.Parameters.AddWithValue("$id", alarmId.ToString());
            using var rows = events.ExecuteReader();
            var trail = new List<AlarmHistoryEvent>();
            while (rows.Read())
                trail.Add(new AlarmHistoryEvent(rows.GetInt64(0), rows.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(rows.GetInt64(2)), rows.GetString(3)));
            return (alarm, trail);
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Deletes the alarms that closed before <paramref name="closedBefore"/>, with their trails; returns how many. An open alarm is never deleted.</summary>
    public async Task<int> PruneHistoryAsync(DateTimeOffset closedBefore, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using var events = _connection.CreateCommand();
            events.Transaction = transaction;
            events.CommandText = "DELETE FROM alarm_history_events WHERE alarm_id IN (SELECT alarm_id FROM alarm_history WHERE closed_at < $before)";
            events.Parameters.AddWithValue("$before", closedBefore.ToUnixTimeMilliseconds());
            events.ExecuteNonQuery();
            using var alarms = _connection.CreateCommand();
            alarms.Transaction = transaction;
            alarms.CommandText = "DELETE FROM alarm_history WHERE closed_at < $before";
            alarms.Parameters.AddWithValue("$before", closedBefore.ToUnixTimeMilliseconds());
            var deleted = alarms.ExecuteNonQuery();
            transaction.Commit();
            return deleted;
        }
        finally
        {
            _lock.Release();
        }
    }

    private static AlarmHistoryRecord ReadHistory(SqliteDataReader reader) => new(
        JsonSerializer.Deserialize<TrackedAlarm>(reader.GetString(0), JsonOptions)!,
        reader.IsDBNull(1) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)));
}

/// <summary>An alarm of the history: its lifecycle state as it last stood, and when it closed (null while open).</summary>
internal sealed record AlarmHistoryRecord(TrackedAlarm Alarm, DateTimeOffset? ClosedAt);

/// <summary>One event of an alarm's trail: the contract event as published (<see cref="Payload"/>, JSON).</summary>
internal sealed record AlarmHistoryEvent(long Sequence, string Type, DateTimeOffset At, string Payload);

/// <summary>A history search; every filter is optional. <see cref="Closed"/>: true closed only, false open only.</summary>
internal sealed record AlarmHistoryQuery
{
    public const int MaxLimit = 1000;

    public DateTimeOffset? From { get; init; }
    public DateTimeOffset? To { get; init; }
    public string? Enterprise { get; init; }
    public string? Gateway { get; init; }
    public string? RuleId { get; init; }
    public string? Priority { get; init; }
    public int? Level { get; init; }
    public bool? MajorHazard { get; init; }
    public bool? Closed { get; init; }
    public int Limit { get; init; } = 100;
    public int Offset { get; init; }
}

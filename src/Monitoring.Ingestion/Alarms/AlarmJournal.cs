using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// Durable alarm state beside the service (SQLite, WAL, synchronous=FULL): the active alarms and the
/// outbox of events not yet published. A transition's state change and its event are written in one
/// transaction, so after a crash the service neither loses an event nor raises an alarm twice.
/// One writer at a time (SQLite's rule); transitions are rare, so one connection behind a lock is enough.
/// </summary>
internal sealed class AlarmJournal : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _lock = new(1, 1);

    public AlarmJournal(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            CREATE TABLE IF NOT EXISTS active_alarms (
                key TEXT PRIMARY KEY,
                alarm_id TEXT NOT NULL,
                sequence INTEGER NOT NULL,
                raised TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                message_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            """);
    }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<ActiveAlarmRecord>> LoadActiveAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, alarm_id, sequence, raised FROM active_alarms";
            using var reader = command.ExecuteReader();
            var result = new List<ActiveAlarmRecord>();
            while (reader.Read())
            {
                result.Add(new ActiveAlarmRecord(
                    reader.GetString(0),
                    Guid.Parse(reader.GetString(1), CultureInfo.InvariantCulture),
                    reader.GetInt64(2),
                    reader.GetString(3)));
            }

            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Writes the entries in one transaction: all or nothing.</summary>
    public async Task CommitAsync(IReadOnlyList<JournalEntry> entries, long nowMs, CancellationToken cancellationToken)
    {
        if (entries.Count == 0)
            return;

        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _connection.BeginTransaction();
            foreach (var entry in entries)
            {
                using (var insert = _connection.CreateCommand())
                {
                    insert.Transaction = transaction;
                    // A re-send of the same transition (same deterministic event id) is harmless.
                    insert.CommandText = "INSERT OR IGNORE INTO outbox (event_id, message_type, payload, created_at) VALUES ($id, $type, $payload, $at)";
                    insert.Parameters.AddWithValue("$id", entry.EventId.ToString());
                    insert.Parameters.AddWithValue("$type", entry.MessageType);
                    insert.Parameters.AddWithValue("$payload", entry.Payload);
                    insert.Parameters.AddWithValue("$at", nowMs);
                    insert.ExecuteNonQuery();
                }

                if (entry.AlarmKey is null)
                    continue;

                using var state = _connection.CreateCommand();
                state.Transaction = transaction;
                if (entry.ActiveAfter is { } active)
                {
                    state.CommandText = "INSERT INTO active_alarms (key, alarm_id, sequence, raised) VALUES ($key, $alarm, $seq, $raised) " +
                                        "ON CONFLICT(key) DO UPDATE SET alarm_id = excluded.alarm_id, sequence = excluded.sequence, raised = excluded.raised";
                    state.Parameters.AddWithValue("$key", entry.AlarmKey);
                    state.Parameters.AddWithValue("$alarm", active.AlarmId.ToString());
                    state.Parameters.AddWithValue("$seq", active.Sequence);
                    state.Parameters.AddWithValue("$raised", active.RaisedJson);
                }
                else
                {
                    state.CommandText = "DELETE FROM active_alarms WHERE key = $key";
                    state.Parameters.AddWithValue("$key", entry.AlarmKey);
                }

                state.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<IReadOnlyList<OutboxItem>> ReadOutboxAsync(int max, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT id, event_id, message_type, payload FROM outbox ORDER BY id LIMIT $max";
            command.Parameters.AddWithValue("$max", max);
            using var reader = command.ExecuteReader();
            var items = new List<OutboxItem>();
            while (reader.Read())
            {
                items.Add(new OutboxItem(reader.GetInt64(0), Guid.Parse(reader.GetString(1), CultureInfo.InvariantCulture), reader.GetString(2), reader.GetString(3)));
            }

            return items;
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task DeleteOutboxAsync(long id, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "DELETE FROM outbox WHERE id = $id";
            command.Parameters.AddWithValue("$id", id);
            command.ExecuteNonQuery();
        }
        finally
        {
            _lock.Release();
        }
    }

    public async Task<long> CountOutboxAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT COUNT(*) FROM outbox";
            return (long)command.ExecuteScalar()!;
        }
        finally
        {
            _lock.Release();
        }
    }

    public void Dispose()
    {
        _connection.Dispose();
        _lock.Dispose();
    }

    private void Execute(string sql)
    {
        using var command = _connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}

/// <summary>An alarm that was active when the journal was last written.</summary>
internal sealed record ActiveAlarmRecord(string Key, Guid AlarmId, long Sequence, string RaisedJson);

/// <summary>The state an alarm has after a journal entry: its id, last sequence and raise event (JSON).</summary>
internal sealed record ActiveAlarmState(Guid AlarmId, long Sequence, string RaisedJson);

/// <summary>
/// One event for the outbox, with the alarm state change it belongs to (null <see cref="AlarmKey"/>
/// for events that are not about one alarm, such as gateway status).
/// </summary>
internal sealed record JournalEntry(Guid EventId, string MessageType, string Payload, string? AlarmKey, ActiveAlarmState? ActiveAfter);

internal sealed record OutboxItem(long Id, Guid EventId, string MessageType, string Payload);

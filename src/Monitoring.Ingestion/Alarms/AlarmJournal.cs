using System.Globalization;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Monitoring.Contracts;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// Durable alarm state beside the service (SQLite, WAL, synchronous=FULL): the alarms that need
/// attention (their whole lifecycle state), the outbox of events not yet published, the audit
/// trail of operator actions, and the alarm history (<c>AlarmJournal.History.cs</c>). A change, its event and its audit row are written in one transaction,
/// so after a crash the service neither loses an event nor raises an alarm twice.
/// One writer at a time (SQLite's rule); transitions are rare, so one connection behind a lock is enough.
/// </summary>
internal sealed partial class AlarmJournal : IDisposable
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
            CREATE TABLE IF NOT EXISTS alarms (
                key TEXT PRIMARY KEY,
                state TEXT NOT NULL
            );
            CREATE TABLE IF NOT EXISTS audit (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                at INTEGER NOT NULL,
                actor TEXT NOT NULL,
                action TEXT NOT NULL,
                alarm_id TEXT NOT NULL,
                alarm_key TEXT NOT NULL,
                reason TEXT NULL
            );
            CREATE TABLE IF NOT EXISTS alarm_transitions (
                key TEXT PRIMARY KEY,
                newest_ms INTEGER NOT NULL
            );
            CREATE TABLE IF NOT EXISTS gateway_clocks (
                enterprise TEXT NOT NULL,
                gateway TEXT NOT NULL,
                offset_ms INTEGER NOT NULL,
                updated_at INTEGER NOT NULL,
                PRIMARY KEY (enterprise, gateway)
            );
            CREATE TABLE IF NOT EXISTS outbox (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                event_id TEXT NOT NULL UNIQUE,
                message_type TEXT NOT NULL,
                payload TEXT NOT NULL,
                created_at INTEGER NOT NULL
            );
            """);
        Execute(HistorySchema);
        Execute(HazardSchema);
        ListOpenAlarmsInHistory();
    }

    public static JsonSerializerOptions JsonOptions { get; } = new(JsonSerializerDefaults.Web);

    public async Task<IReadOnlyList<AlarmStateRecord>> LoadActiveAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, state FROM alarms";
            using var reader = command.ExecuteReader();
            var result = new List<AlarmStateRecord>();
            while (reader.Read())
                result.Add(new AlarmStateRecord(reader.GetString(0), reader.GetString(1)));

            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Per alarm key, also of closed alarms, the newest sensor time of a raise or clear ever journalled: the
    /// start-up replay must not publish a transition it finds at or before it (AlarmTracker.Apply).
    /// </summary>
    public async Task<IReadOnlyList<KeyValuePair<string, long>>> LoadNewestTransitionsAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT key, newest_ms FROM alarm_transitions";
            using var reader = command.ExecuteReader();
            var result = new List<KeyValuePair<string, long>>();
            while (reader.Read())
                result.Add(new(reader.GetString(0), reader.GetInt64(1)));
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>The gateways' clock offsets as last estimated (GatewayClock), so a restart judges a backlog against them.</summary>
    public async Task<IReadOnlyList<GatewayClockRecord>> LoadGatewayClocksAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT enterprise, gateway, offset_ms FROM gateway_clocks";
            using var reader = command.ExecuteReader();
            var result = new List<GatewayClockRecord>();
            while (reader.Read())
                result.Add(new GatewayClockRecord(reader.GetString(0), reader.GetString(1), reader.GetInt64(2)));
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
                if (entry.HasEvent)
                    InsertOutbox(transaction, entry.EventId, entry.MessageType, entry.Payload, nowMs);

                if (entry.Audit is { } audit)
                    InsertAudit(transaction, audit);

                if (entry.Clock is { } clock)
                {
                    using var row = _connection.CreateCommand();
                    row.Transaction = transaction;
                    row.CommandText = "INSERT INTO gateway_clocks (enterprise, gateway, offset_ms, updated_at) VALUES ($e, $g, $o, $at) ON CONFLICT(enterprise, gateway) DO UPDATE SET offset_ms = excluded.offset_ms, updated_at = excluded.updated_at";
                    row.Parameters.AddWithValue("$e", clock.Enterprise);
                    row.Parameters.AddWithValue("$g", clock.Gateway);
                    row.Parameters.AddWithValue("$o", clock.OffsetMs);
                    row.Parameters.AddWithValue("$at", nowMs);
                    row.ExecuteNonQuery();
                }

                if (entry.AlarmKey is null)
                    continue;

                WriteHistory(entry, transaction, nowMs);
                if (entry.TransitionAtMs is { } transitionAt)
                {
                    using var newest = _connection.CreateCommand();
                    newest.Transaction = transaction;
                    newest.CommandText = "INSERT INTO alarm_transitions (key, newest_ms) VALUES ($key, $ms) ON CONFLICT(key) DO UPDATE SET newest_ms = MAX(newest_ms, excluded.newest_ms)";
                    newest.Parameters.AddWithValue("$key", entry.AlarmKey);
                    newest.Parameters.AddWithValue("$ms", transitionAt);
                    newest.ExecuteNonQuery();
                }

                using var state = _connection.CreateCommand();
                state.Transaction = transaction;
                if (entry.StateJson is { } json)
                {
                    state.CommandText = "INSERT INTO alarms (key, state) VALUES ($key, $state) ON CONFLICT(key) DO UPDATE SET state = excluded.state";
                    state.Parameters.AddWithValue("$key", entry.StateKey ?? entry.AlarmKey);
                    state.Parameters.AddWithValue("$state", json);
                }
                else
                {
                    state.CommandText = "DELETE FROM alarms WHERE key = $key";
                    state.Parameters.AddWithValue("$key", entry.StateKey ?? entry.AlarmKey);
                }

                state.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            _lock.Release();
        }

        // Durable now: a major hazard's alarm may open or re-open its hazard record (HazardRegister), never before.
        if (MajorHazardCommitted is { } committed)
        {
            foreach (var entry in entries)
            {
                if (entry.Alarm is { Raised.MajorHazard: true } alarm && string.Equals(entry.MessageType, nameof(AlarmRaised), StringComparison.Ordinal))
                    committed(alarm.Raised);
            }
        }
    }

    /// <summary>
    /// Told of every major-hazard raise once it is committed (set by the hazard register). Called after the
    /// transaction, outside the lock: it must only queue the work.
    /// </summary>
    public Action<AlarmRaised>? MajorHazardCommitted { get; set; }

    /// <summary>Queues an event for the publisher. A re-send of the same event (same deterministic id) is harmless.</summary>
    private void InsertOutbox(SqliteTransaction transaction, Guid eventId, string messageType, string payload, long nowMs)
    {
        using var insert = _connection.CreateCommand();
        insert.Transaction = transaction;
        insert.CommandText = "INSERT OR IGNORE INTO outbox (event_id, message_type, payload, created_at) VALUES ($id, $type, $payload, $at)";
        insert.Parameters.AddWithValue("$id", eventId.ToString());
        insert.Parameters.AddWithValue("$type", messageType);
        insert.Parameters.AddWithValue("$payload", payload);
        insert.Parameters.AddWithValue("$at", nowMs);
        insert.ExecuteNonQuery();
    }

    private void InsertAudit(SqliteTransaction transaction, AuditRecord audit)
    {
        using var row = _connection.CreateCommand();
        row.Transaction = transaction;
        row.CommandText = "INSERT INTO audit (at, actor, action, alarm_id, alarm_key, reason) VALUES ($at, $actor, $action, $alarm, $key, $reason)";
        row.Parameters.AddWithValue("$at", audit.At.ToUnixTimeMilliseconds());
        row.Parameters.AddWithValue("$actor", audit.Actor);
        row.Parameters.AddWithValue("$action", audit.Action);
        row.Parameters.AddWithValue("$alarm", audit.AlarmId.ToString());
        row.Parameters.AddWithValue("$key", audit.AlarmKey);
        row.Parameters.AddWithValue("$reason", (object?)audit.Reason ?? DBNull.Value);
        row.ExecuteNonQuery();
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

    /// <summary>Operator actions, newest first: all of them, or one alarm's.</summary>
    public async Task<IReadOnlyList<AuditRecord>> ListAuditAsync(Guid? alarmId, int limit, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT at, actor, action, alarm_id, alarm_key, reason FROM audit WHERE $alarm IS NULL OR alarm_id = $alarm ORDER BY id DESC LIMIT $limit";
            command.Parameters.AddWithValue("$alarm", (object?)alarmId?.ToString() ?? DBNull.Value);
            command.Parameters.AddWithValue("$limit", limit);
            using var reader = command.ExecuteReader();
            var rows = new List<AuditRecord>();
            while (reader.Read())
            {
                rows.Add(new AuditRecord(DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(0)), reader.GetString(1), reader.GetString(2),
                    Guid.Parse(reader.GetString(3), CultureInfo.InvariantCulture), reader.GetString(4), reader.IsDBNull(5) ? null : reader.GetString(5)));
            }

            return rows;
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

/// <summary>An alarm's lifecycle state as last written (JSON of <see cref="TrackedAlarm"/>).</summary>
internal sealed record AlarmStateRecord(string Key, string StateJson);

/// <summary>Who did what to which alarm (or major-hazard record: <see cref="AlarmId"/> is then the hazard's id, <see cref="AlarmKey"/> its key), when and why.</summary>
internal sealed record AuditRecord(DateTimeOffset At, string Actor, string Action, Guid AlarmId, string AlarmKey, string? Reason);

/// <summary>
/// One event for the outbox, with the alarm's state after it (<see cref="StateJson"/> null = the alarm
/// is closed) and the operator action behind it, if any. <see cref="AlarmKey"/> is null for events
/// that are not about one alarm, such as gateway status.
/// </summary>
/// <see cref="TransitionAtMs"/>: the sensor time of the raise or clear behind the event (see AlarmJournal.LoadNewestTransitionsAsync).
/// <see cref="Clock"/>: a gateway's clock estimate to keep (no event).
/// <see cref="Alarm"/>: the alarm after the event, for the history (set with every alarm event).
/// <see cref="StateKey"/>: where the alarm's state row is kept (<see cref="TrackedAlarm.StoreKey"/>); null = <see cref="AlarmKey"/>.
internal sealed record JournalEntry(Guid EventId, string MessageType, string Payload, string? AlarmKey, string? StateJson, AuditRecord? Audit = null, long? TransitionAtMs = null, GatewayClockRecord? Clock = null, TrackedAlarm? Alarm = null, string? StateKey = null)
{
    /// <summary>A gateway's clock offset changed: kept for the next start, nothing is published.</summary>
    public static JournalEntry GatewayClock(string enterprise, string gateway, long offsetMs) => new(Guid.Empty, "", "", null, null, Clock: new GatewayClockRecord(enterprise, gateway, offsetMs));

    /// <summary>An operator's note: the alarm's state and the audit row change, nothing is published.</summary>
    public static JournalEntry AuditOnly(TrackedAlarm alarm, string stateJson, AuditRecord audit) => new(Guid.Empty, "", "", alarm.Key, stateJson, audit, Alarm: alarm, StateKey: alarm.StoreKey);

    /// <summary>Only the alarm's stored state changes (a flag nobody is told about).</summary>
    public static JournalEntry StateOnly(TrackedAlarm alarm, string stateJson) => new(Guid.Empty, "", "", alarm.Key, stateJson, Alarm: alarm, StateKey: alarm.StoreKey);

    /// <summary>The alarm's state row under <paramref name="storedUnder"/> is removed: it moved (its new row follows in the same transaction).</summary>
    public static JournalEntry Moved(string alarmKey, string storedUnder) => new(Guid.Empty, "", "", alarmKey, null, StateKey: storedUnder);

    public bool HasEvent => MessageType.Length > 0;
}

/// <summary>A gateway's clock offset (<c>arrival - sensor</c> time, ms) as last estimated.</summary>
internal sealed record GatewayClockRecord(string Enterprise, string Gateway, long OffsetMs);

internal sealed record OutboxItem(long Id, Guid EventId, string MessageType, string Payload);

using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Microsoft.Data.Sqlite;
using Monitoring.Notifications.Routing;

namespace Monitoring.Notifications.Storage;

/// <summary>What became of one consumed event.</summary>
public enum EventOutcome
{
    Applied,
    /// <summary>Its eventId was processed before (a redelivery): nothing done.</summary>
    Duplicate,
    /// <summary>A lower sequence than one already applied: recorded, but it changes nothing.</summary>
    Late,
}

/// <summary>
/// The service's memory, in one SQLite file in WAL mode: processed event ids, the notification state of
/// each alarm, every delivery with its outcome, diagnostics, and a few service values (watchdog). An
/// event's effects (its state, its planned deliveries, its id) commit in one transaction, so a crash
/// either loses the whole event (it is redelivered by the broker, as its ack was never sent) or none of it.
/// One connection behind a semaphore: the write rate is that of alarms, not of readings.
/// </summary>
internal sealed class NotificationStore : IAsyncDisposable
{
    // A state is stored as JSON and read back after an upgrade: a field added to the contract since it was written
    // (RuleVersion, the context readings) is absent from it and must read as its default, not fail the alarm.
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { OptionalSnapshotFields } },
    };

    private static void OptionalSnapshotFields(JsonTypeInfo info)
    {
        if (info.Type != typeof(AlarmSnapshot))
            return;
        foreach (var property in info.Properties)
            property.IsRequired = false;
    }

    private readonly SqliteConnection _connection;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly TimeProvider _time;

    public NotificationStore(string path, TimeProvider time)
    {
        _time = time;
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        Execute("""
            PRAGMA journal_mode=WAL;
            PRAGMA synchronous=FULL;
            PRAGMA busy_timeout=5000;
            CREATE TABLE IF NOT EXISTS processed_events (event_id TEXT PRIMARY KEY, type TEXT NOT NULL, alarm_id TEXT, sequence INTEGER, outcome TEXT NOT NULL, processed_at INTEGER NOT NULL);
            CREATE TABLE IF NOT EXISTS alarm_states (alarm_id TEXT PRIMARY KEY, state TEXT NOT NULL, next_reminder_at INTEGER, closed INTEGER NOT NULL, updated_at INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS alarm_states_due ON alarm_states (next_reminder_at) WHERE closed = 0;
            CREATE TABLE IF NOT EXISTS deliveries (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                notification_id TEXT NOT NULL,
                channel TEXT NOT NULL,
                kind TEXT NOT NULL,
                alarm_id TEXT,
                person_id TEXT NOT NULL,
                draft TEXT NOT NULL,
                status TEXT NOT NULL,
                attempts INTEGER NOT NULL DEFAULT 0,
                error TEXT,
                created_at INTEGER NOT NULL,
                completed_at INTEGER,
                UNIQUE (notification_id, channel));
            CREATE INDEX IF NOT EXISTS deliveries_status ON deliveries (status);
            CREATE INDEX IF NOT EXISTS deliveries_alarm ON deliveries (alarm_id);
            CREATE TABLE IF NOT EXISTS diagnostics (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT NULL, message TEXT NOT NULL, raised_at INTEGER NOT NULL, cleared_at INTEGER);
            CREATE TABLE IF NOT EXISTS service_values (key TEXT PRIMARY KEY, value TEXT NOT NULL);
            """);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>
    /// Applies one event exactly once: skips a processed eventId, otherwise runs <paramref name="decide"/>
    /// on the alarm's stored state (null for a new alarm or a gateway event) and commits the new state,
    /// the deliveries and the eventId together.
    /// </summary>
    public async Task<EventOutcome> ApplyEventAsync(Guid eventId, string type, Guid? alarmId, long sequence,
        Func<AlarmNotificationState?, (AlarmNotificationState? State, IReadOnlyList<DeliveryDraft> Deliveries, bool Late)> decide, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var tx = _connection.BeginTransaction();
            using (var seen = Command(tx, "SELECT 1 FROM processed_events WHERE event_id = $id", ("$id", eventId.ToString())))
            {
                if (seen.ExecuteScalar() is not null)
                    return EventOutcome.Duplicate;
            }

            var state = alarmId is { } id ? LoadState(tx, id) : null;
            var (next, deliveries, late) = decide(state);
            if (next is not null && !late)
                SaveState(tx, next);
            Insert(tx, deliveries);
            using (var mark = Command(tx, "INSERT INTO processed_events (event_id, type, alarm_id, sequence, outcome, processed_at) VALUES ($id, $type, $alarm, $seq, $outcome, $at)",
                       ("$id", eventId.ToString()), ("$type", type), ("$alarm", alarmId?.ToString()), ("$seq", sequence), ("$outcome", late ? "late" : "applied"), ("$at", NowMs)))
            {
                mark.ExecuteNonQuery();
            }

            tx.Commit();
            return late ? EventOutcome.Late : EventOutcome.Applied;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Alarms whose reminder is due, oldest first.</summary>
    public async Task<IReadOnlyList<AlarmNotificationState>> DueRemindersAsync(DateTimeOffset now, int limit, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "SELECT state FROM alarm_states WHERE closed = 0 AND next_reminder_at <= $now ORDER BY next_reminder_at LIMIT $limit",
                ("$now", now.ToUnixTimeMilliseconds()), ("$limit", limit));
            var states = new List<AlarmNotificationState>();
            using var reader = cmd.ExecuteReader();
            while (reader.Read())
                states.Add(JsonSerializer.Deserialize<AlarmNotificationState>(reader.GetString(0), Json)!);
            return states;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores a reminder's new state and deliveries, unless the alarm changed since it was read (an event won the race).</summary>
    public async Task<bool> SaveReminderAsync(AlarmNotificationState before, AlarmNotificationState after, IReadOnlyList<DeliveryDraft> deliveries, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var tx = _connection.BeginTransaction();
            var current = LoadState(tx, before.AlarmId);
            if (current is null || current.LastSequence != before.LastSequence || current.RemindersSent != before.RemindersSent)
                return false;
            SaveState(tx, after);
            Insert(tx, deliveries);
            tx.Commit();
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<AlarmNotificationState?> GetStateAsync(Guid alarmId, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return LoadState(null, alarmId);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stores deliveries outside an event (fallbacks, diagnostics, watchdog, digests); repeats of a notification id and channel are ignored.</summary>
    public async Task InsertAsync(IReadOnlyList<DeliveryDraft> deliveries, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var tx = _connection.BeginTransaction();
            Insert(tx, deliveries);
            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<DeliveryRecord>> PendingAsync(int limit, CancellationToken ct) =>
        await QueryDeliveriesAsync("WHERE status = 'Pending' ORDER BY id LIMIT $limit", ct, ("$limit", limit));

    /// <summary>Held digest items of people whose oldest held item is older than <paramref name="window"/>.</summary>
    public async Task<IReadOnlyList<DeliveryRecord>> DueDigestItemsAsync(DateTimeOffset now, TimeSpan window, CancellationToken ct) =>
        await QueryDeliveriesAsync("""
            WHERE status = 'Held' AND person_id IN (SELECT person_id FROM deliveries WHERE status = 'Held' GROUP BY person_id HAVING MIN(created_at) <= $cutoff)
            ORDER BY person_id, id
            """, ct, ("$cutoff", (now - window).ToUnixTimeMilliseconds()));

    /// <summary>Marks digest items as folded into <paramref name="digest"/> and stores the digest, in one transaction.</summary>
    public async Task StoreDigestAsync(IReadOnlyList<long> itemIds, IReadOnlyList<DeliveryDraft> digest, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var tx = _connection.BeginTransaction();
            foreach (var id in itemIds)
            {
                using var cmd = Command(tx, "UPDATE deliveries SET status = 'Digested', completed_at = $at WHERE id = $id AND status = 'Held'", ("$id", id), ("$at", NowMs));
                cmd.ExecuteNonQuery();
            }

            Insert(tx, digest);
            tx.Commit();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task CompleteAsync(long id, DeliveryStatus status, int attempts, string? error, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "UPDATE deliveries SET status = $status, attempts = attempts + $attempts, error = $error, completed_at = $at WHERE id = $id",
                ("$id", id), ("$status", status.ToString()), ("$attempts", attempts), ("$error", error), ("$at", NowMs));
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<DeliveryRecord>> ListAsync(Guid? alarmId, string? personId, string? status, int limit, CancellationToken ct)
    {
        var where = new List<string>();
        if (alarmId is not null)
            where.Add("alarm_id = $alarm");
        if (personId is not null)
            where.Add("person_id = $person");
        if (status is not null)
            where.Add("status = $status");
        var clause = (where.Count > 0 ? "WHERE " + string.Join(" AND ", where) : "") + " ORDER BY id DESC LIMIT $limit";
        return await QueryDeliveriesAsync(clause, ct, ("$alarm", alarmId?.ToString()), ("$person", personId), ("$status", status), ("$limit", limit));
    }

    /// <summary>Opens a diagnostic unless one with the key is open; true when it was opened now.</summary>
    public async Task<(bool Opened, long Id)> RaiseDiagnosticAsync(string key, string message, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var tx = _connection.BeginTransaction();
            using (var open = Command(tx, "SELECT id FROM diagnostics WHERE key = $key AND cleared_at IS NULL", ("$key", key)))
            {
                if (open.ExecuteScalar() is long existing)
                    return (false, existing);
            }

            using var insert = Command(tx, "INSERT INTO diagnostics (key, message, raised_at) VALUES ($key, $message, $at) RETURNING id", ("$key", key), ("$message", message), ("$at", NowMs));
            var id = (long)insert.ExecuteScalar()!;
            tx.Commit();
            return (true, id);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Clears the open diagnostic with the key; true when there was one.</summary>
    public async Task<bool> ClearDiagnosticAsync(string key, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "UPDATE diagnostics SET cleared_at = $at WHERE key = $key AND cleared_at IS NULL", ("$key", key), ("$at", NowMs));
            return cmd.ExecuteNonQuery() > 0;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<IReadOnlyList<DiagnosticRecord>> DiagnosticsAsync(int limit, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "SELECT id, key, message, raised_at, cleared_at FROM diagnostics ORDER BY cleared_at IS NOT NULL, id DESC LIMIT $limit", ("$limit", limit));
            using var reader = cmd.ExecuteReader();
            var list = new List<DiagnosticRecord>();
            while (reader.Read())
            {
                list.Add(new DiagnosticRecord(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(3)),
                    reader.IsDBNull(4) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(4))));
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<string?> GetValueAsync(string key, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "SELECT value FROM service_values WHERE key = $key", ("$key", key));
            return cmd.ExecuteScalar() as string;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task SetValueAsync(string key, string value, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "INSERT INTO service_values (key, value) VALUES ($key, $value) ON CONFLICT (key) DO UPDATE SET value = excluded.value", ("$key", key), ("$value", value));
            cmd.ExecuteNonQuery();
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<long> CountProcessedAsync(CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "SELECT COUNT(*) FROM processed_events");
            return (long)cmd.ExecuteScalar()!;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken ct)
    {
        try
        {
            await _gate.WaitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            using var cmd = Command(null, "SELECT 1");
            return cmd.ExecuteScalar() is not null;
        }
        catch (SqliteException)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<IReadOnlyList<DeliveryRecord>> QueryDeliveriesAsync(string clause, CancellationToken ct, params (string Name, object? Value)[] parameters)
    {
        await _gate.WaitAsync(ct);
        try
        {
            using var cmd = Command(null, "SELECT id, draft, status, attempts, error, created_at, completed_at FROM deliveries " + clause, parameters);
            using var reader = cmd.ExecuteReader();
            var list = new List<DeliveryRecord>();
            while (reader.Read())
            {
                list.Add(new DeliveryRecord
                {
                    Id = reader.GetInt64(0),
                    Draft = JsonSerializer.Deserialize<DeliveryDraft>(reader.GetString(1), Json)!,
                    Status = Enum.Parse<DeliveryStatus>(reader.GetString(2)),
                    Attempts = reader.GetInt32(3),
                    Error = reader.IsDBNull(4) ? null : reader.GetString(4),
                    CreatedAt = DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(5)),
                    CompletedAt = reader.IsDBNull(6) ? null : DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(6)),
                });
            }

            return list;
        }
        finally
        {
            _gate.Release();
        }
    }

    private AlarmNotificationState? LoadState(SqliteTransaction? tx, Guid alarmId)
    {
        using var cmd = Command(tx, "SELECT state FROM alarm_states WHERE alarm_id = $id", ("$id", alarmId.ToString()));
        return cmd.ExecuteScalar() is string json ? JsonSerializer.Deserialize<AlarmNotificationState>(json, Json) : null;
    }

    private void SaveState(SqliteTransaction tx, AlarmNotificationState state)
    {
        using var cmd = Command(tx, """
            INSERT INTO alarm_states (alarm_id, state, next_reminder_at, closed, updated_at) VALUES ($id, $state, $next, $closed, $at)
            ON CONFLICT (alarm_id) DO UPDATE SET state = excluded.state, next_reminder_at = excluded.next_reminder_at, closed = excluded.closed, updated_at = excluded.updated_at
            """,
            ("$id", state.AlarmId.ToString()), ("$state", JsonSerializer.Serialize(state, Json)), ("$next", state.NextReminderAt?.ToUnixTimeMilliseconds()),
            ("$closed", state.Closed ? 1 : 0), ("$at", NowMs));
        cmd.ExecuteNonQuery();
    }

    private void Insert(SqliteTransaction tx, IReadOnlyList<DeliveryDraft> deliveries)
    {
        foreach (var d in deliveries)
        {
            using var cmd = Command(tx, """
                INSERT OR IGNORE INTO deliveries (notification_id, channel, kind, alarm_id, person_id, draft, status, created_at)
                VALUES ($nid, $channel, $kind, $alarm, $person, $draft, $status, $at)
                """,
                ("$nid", d.NotificationId), ("$channel", d.Channel.ToString()), ("$kind", d.Kind.ToString()), ("$alarm", d.AlarmId?.ToString()), ("$person", d.PersonId),
                ("$draft", JsonSerializer.Serialize(d, Json)), ("$status", d.Status.ToString()), ("$at", NowMs));
            cmd.ExecuteNonQuery();
        }
    }

    private SqliteCommand Command(SqliteTransaction? tx, string sql, params (string Name, object? Value)[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.Transaction = tx;
        cmd.CommandText = sql;
        foreach (var (name, value) in parameters)
            cmd.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return cmd;
    }

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    public async ValueTask DisposeAsync()
    {
        await _connection.DisposeAsync();
        _gate.Dispose();
    }
}

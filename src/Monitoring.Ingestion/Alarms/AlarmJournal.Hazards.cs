namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// The major-hazard register's durable part (docs/disposal.md, "Major-hazard register"): each record's state and its
/// whole event trail, kept for as long as the record exists (records are few: one per enterprise, clause and
/// equipment). A change, its event (outbox and trail) and its audit row are one transaction, as for alarms.
/// </summary>
internal sealed partial class AlarmJournal
{
    private const string HazardSchema = """
        CREATE TABLE IF NOT EXISTS hazards (
            hazard_id TEXT PRIMARY KEY,
            state TEXT NOT NULL
        );
        CREATE TABLE IF NOT EXISTS hazard_events (
            event_id TEXT PRIMARY KEY,
            hazard_id TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            message_type TEXT NOT NULL,
            at INTEGER NOT NULL,
            payload TEXT NOT NULL
        );
        CREATE INDEX IF NOT EXISTS hazard_events_hazard ON hazard_events (hazard_id, sequence);
        """;

    /// <summary>Every hazard record's last state (JSON of HazardRecord).</summary>
    public async Task<IReadOnlyList<string>> LoadHazardsAsync(CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT state FROM hazards";
            using var reader = command.ExecuteReader();
            var result = new List<string>();
            while (reader.Read())
                result.Add(reader.GetString(0));
            return result;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>
    /// Writes a hazard record's new state, with its event (null: a change nobody is told about, such as a further alarm
    /// attached to an open record) and the audit row of the action behind it, in one transaction.
    /// </summary>
    public async Task CommitHazardAsync(Guid hazardId, string stateJson, HazardJournalEvent? change, AuditRecord? audit, long nowMs, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = _connection.BeginTransaction();
            using (var state = _connection.CreateCommand())
            {
                state.Transaction = transaction;
                state.CommandText = "INSERT INTO hazards (hazard_id, state) VALUES ($id, $state) ON CONFLICT(hazard_id) DO UPDATE SET state = excluded.state";
                state.Parameters.AddWithValue("$id", hazardId.ToString());
                state.Parameters.AddWithValue("$state", stateJson);
                state.ExecuteNonQuery();
            }

            if (change is not null)
            {
                InsertOutbox(transaction, change.EventId, change.MessageType, change.Payload, nowMs);
                using var trail = _connection.CreateCommand();
                trail.Transaction = transaction;
                trail.CommandText = "INSERT OR IGNORE INTO hazard_events (event_id, hazard_id, sequence, message_type, at, payload) VALUES ($e, $h, $seq, $type, $at, $payload)";
                trail.Parameters.AddWithValue("$e", change.EventId.ToString());
                trail.Parameters.AddWithValue("$h", hazardId.ToString());
                trail.Parameters.AddWithValue("$seq", change.Sequence);
                trail.Parameters.AddWithValue("$type", change.MessageType);
                trail.Parameters.AddWithValue("$at", nowMs);
                trail.Parameters.AddWithValue("$payload", change.Payload);
                trail.ExecuteNonQuery();
            }

            if (audit is not null)
                InsertAudit(transaction, audit);
            transaction.Commit();
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>One hazard record's events, in sequence.</summary>
    public async Task<IReadOnlyList<AlarmHistoryEvent>> ListHazardEventsAsync(Guid hazardId, CancellationToken cancellationToken)
    {
        await _lock.WaitAsync(cancellationToken);
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = "SELECT sequence, message_type, at, payload FROM hazard_events WHERE hazard_id = $id ORDER BY sequence";
            command.Parameters.AddWithValue("$id", hazardId.ToString());
            using var reader = command.ExecuteReader();
            var events = new List<AlarmHistoryEvent>();
            while (reader.Read())
                events.Add(new AlarmHistoryEvent(reader.GetInt64(0), reader.GetString(1), DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(2)), reader.GetString(3)));
            return events;
        }
        finally
        {
            _lock.Release();
        }
    }
}

/// <summary>A hazard event to publish and keep in the record's trail.</summary>
internal sealed record HazardJournalEvent(Guid EventId, long Sequence, string MessageType, string Payload);

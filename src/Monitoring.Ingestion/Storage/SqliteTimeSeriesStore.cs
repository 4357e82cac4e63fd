using System.Globalization;
using Microsoft.Data.Sqlite;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Storage;

/// <summary>One stored reading. Exactly one of <see cref="Value"/> and <see cref="State"/> is set, or neither for a null value.</summary>
internal sealed record StoredReadingRow(
    string Enterprise,
    string Gateway,
    string Point,
    long TimestampMs,
    double? Value,
    bool? State,
    PointQuality Quality);

/// <summary>
/// The embedded time-series store of the default profile: one SQLite file (e.g. <c>{dataDir}/timeseries.db</c>).
/// </summary>
/// <remarks>
/// <para>
/// Durability: WAL with synchronous=FULL. The pipeline acknowledges an MQTT message once
/// <see cref="WriteAsync"/> returns, so a committed batch must survive power loss, not only a process
/// crash. In WAL mode synchronous=NORMAL skips the fsync at commit and can lose the last transactions
/// on power loss; FULL costs one fsync per transaction, which batching amortises.
/// </para>
/// <para>
/// Concurrency: SQLite has one writer at a time, so writes are serialised by a semaphore and share one
/// connection and one prepared upsert. Reads open their own connection and run beside the writer (WAL).
/// Each <see cref="WriteAsync"/> is one transaction: all readings of the batch or none.
/// </para>
/// <para>
/// A reading with the same (enterprise, gateway, point, ts) replaces the stored one (upsert), so a replay
/// is idempotent. Unlike InfluxDB, which merges fields, the whole row is replaced.
/// </para>
/// <para>
/// Allocation: ADO.NET boxes the timestamp and the value per reading, and Microsoft.Data.Sqlite converts
/// strings to UTF-8 on bind. That is small next to the commit's fsync; the embedded store serves one
/// plant or a development machine, and InfluxDB is the path for high rates.
/// </para>
/// </remarks>
internal sealed class SqliteTimeSeriesStore : ITimeSeriesStore, ITimeSeriesReader, IAsyncDisposable, IDisposable
{
    public const int MaxQueryLimit = 100_000;

    // Values of the three small parameters, boxed once.
    private static readonly object[] BoxedQuality = [0L, 1L, 2L];
    private static readonly object BoxedTrue = 1L;
    private static readonly object BoxedFalse = 0L;

    private readonly SemaphoreSlim _writeLock = new(1, 1);
    private readonly string _writeConnectionString;
    private readonly string _readConnectionString;
    private SqliteConnection? _writer;
    private SqliteCommand? _upsert;
    private int _disposed;

    public SqliteTimeSeriesStore(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Path = System.IO.Path.GetFullPath(path);
        _writeConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString();
        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
    }

    /// <summary>Full path of the SQLite file.</summary>
    public string Path { get; }

    public string Name => "embedded";

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            EnsureOpen();
        }
        finally
        {
            _writeLock.Release();
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
    {
        if (readings.IsEmpty)
        {
            return;
        }

        await _writeLock.WaitAsync(cancellationToken);
        try
        {
            var upsert = EnsureOpen();
            using var transaction = _writer!.BeginTransaction();
            upsert.Transaction = transaction;
            var p = upsert.Parameters;
            var span = readings.Span;
            for (var i = 0; i < span.Length; i++)
            {
                ref readonly var r = ref span[i];
                p[0].Value = r.Enterprise;
                p[1].Value = r.Gateway;
                p[2].Value = r.Tag;
                p[3].Value = r.TimestampMs;
                switch (r.Kind)
                {
                    case PointValueKind.Number:
                        if (!double.IsFinite(r.Number))
                        {
                            // SQLite would store NaN as NULL: a different reading. Same rule as line protocol.
                            throw new TimeSeriesWriteRejectedException($"Reading {i} of the batch has a non-finite number.");
                        }

                        p[4].Value = r.Number;
                        p[5].Value = DBNull.Value;
                        break;
                    case PointValueKind.Boolean:
                        p[4].Value = DBNull.Value;
                        p[5].Value = r.Boolean ? BoxedTrue : BoxedFalse;
                        break;
                    default:
                        p[4].Value = DBNull.Value;
                        p[5].Value = DBNull.Value;
                        break;
                }

                var quality = (int)r.Quality;
                p[6].Value = (uint)quality < (uint)BoxedQuality.Length ? BoxedQuality[quality] : (long)quality;
                upsert.ExecuteNonQuery();
            }

            transaction.Commit();
        }
        finally
        {
            if (_upsert is not null)
            {
                _upsert.Transaction = null;
            }

            _writeLock.Release();
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            await using var connection = await OpenReaderAsync(cancellationToken);
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT 1 FROM readings LIMIT 1";
            await command.ExecuteScalarAsync(cancellationToken);
            return true;
        }
        catch (SqliteException)
        {
            return false;
        }
    }

    /// <summary>
    /// Readings of one point with <paramref name="fromMs"/> &lt;= ts &lt; <paramref name="toMs"/>, oldest first,
    /// at most <paramref name="limit"/> rows (clamped to 1..<see cref="MaxQueryLimit"/>).
    /// </summary>
    public async Task<IReadOnlyList<StoredReadingRow>> QueryAsync(
        string enterprise, string gateway, string point, long fromMs, long toMs, int limit, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT ts, value, state, quality FROM readings
            WHERE enterprise = $enterprise AND gateway = $gateway AND point = $point AND ts >= $from AND ts < $to
            ORDER BY ts
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$enterprise", enterprise);
        command.Parameters.AddWithValue("$gateway", gateway);
        command.Parameters.AddWithValue("$point", point);
        command.Parameters.AddWithValue("$from", fromMs);
        command.Parameters.AddWithValue("$to", toMs);
        command.Parameters.AddWithValue("$limit", Math.Clamp(limit, 1, MaxQueryLimit));

        var rows = new List<StoredReadingRow>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(new StoredReadingRow(
                enterprise,
                gateway,
                point,
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetDouble(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2) != 0,
                (PointQuality)reader.GetInt64(3)));
        }

        return rows;
    }

    public async Task<IReadOnlyList<StoredReading>> ReadAsync(
        string enterprise, string gateway, string point, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        var rows = await QueryAsync(enterprise, gateway, point, from.ToUnixTimeMilliseconds(), to.ToUnixTimeMilliseconds(),
            Math.Clamp(limit, 1, ITimeSeriesReader.MaxLimit), ct);
        var result = new StoredReading[rows.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var row = rows[i];
            result[i] = new StoredReading(DateTimeOffset.FromUnixTimeMilliseconds(row.TimestampMs), row.Value, row.State, (int)row.Quality);
        }

        return result;
    }

    public async Task<IReadOnlyList<StoredPointReading>> ReadGatewayAsync(
        string enterprise, string gateway, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        await using var connection = await OpenReaderAsync(ct);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT point, ts, value, state, quality FROM readings
            WHERE enterprise = $enterprise AND gateway = $gateway AND ts >= $from AND ts < $to
            ORDER BY ts, point
            """;
        command.Parameters.AddWithValue("$enterprise", enterprise);
        command.Parameters.AddWithValue("$gateway", gateway);
        command.Parameters.AddWithValue("$from", from.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$to", to.ToUnixTimeMilliseconds());

        var rows = new List<StoredPointReading>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            rows.Add(new StoredPointReading(
                reader.GetString(0),
                new StoredReading(
                    DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                    reader.IsDBNull(2) ? null : reader.GetDouble(2),
                    reader.IsDBNull(3) ? null : reader.GetInt64(3) != 0,
                    (int)reader.GetInt64(4))));
        }

        return rows;
    }

    /// <summary>Number of stored readings, optionally of one enterprise, gateway or point (null means any).</summary>
    public async Task<long> CountAsync(string? enterprise = null, string? gateway = null, string? point = null, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT COUNT(*) FROM readings
            WHERE ($enterprise IS NULL OR enterprise = $enterprise)
              AND ($gateway IS NULL OR gateway = $gateway)
              AND ($point IS NULL OR point = $point)
            """;
        command.Parameters.AddWithValue("$enterprise", (object?)enterprise ?? DBNull.Value);
        command.Parameters.AddWithValue("$gateway", (object?)gateway ?? DBNull.Value);
        command.Parameters.AddWithValue("$point", (object?)point ?? DBNull.Value);
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Waits for a write in progress, so the connection is not closed under it.
        _writeLock.Wait();
        _upsert?.Dispose();
        _writer?.Dispose();
        _upsert = null;
        _writer = null;
        _writeLock.Release();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    // Caller holds _writeLock.
    private SqliteCommand EnsureOpen()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_upsert is not null)
        {
            return _upsert;
        }

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        var connection = new SqliteConnection(_writeConnectionString);
        try
        {
            connection.Open();
            using (var setup = connection.CreateCommand())
            {
                setup.CommandText = """
                    PRAGMA journal_mode=WAL;
                    PRAGMA synchronous=FULL;
                    PRAGMA busy_timeout=5000;
                    CREATE TABLE IF NOT EXISTS readings (
                        enterprise TEXT NOT NULL,
                        gateway TEXT NOT NULL,
                        point TEXT NOT NULL,
                        ts INTEGER NOT NULL,
                        value REAL NULL,
                        state INTEGER NULL,
                        quality INTEGER NOT NULL,
                        PRIMARY KEY (enterprise, gateway, point, ts)
                    ) WITHOUT ROWID;
                    """;
                setup.ExecuteNonQuery();
            }

            var upsert = connection.CreateCommand();
            upsert.CommandText = """
                INSERT INTO readings (enterprise, gateway, point, ts, value, state, quality)
                VALUES ($enterprise, $gateway, $point, $ts, $value, $state, $quality)
                ON CONFLICT (enterprise, gateway, point, ts) DO UPDATE
                SET value = excluded.value, state = excluded.state, quality = excluded.quality
                """;
            upsert.Parameters.Add(new SqliteParameter("$enterprise", SqliteType.Text));
            upsert.Parameters.Add(new SqliteParameter("$gateway", SqliteType.Text));
            upsert.Parameters.Add(new SqliteParameter("$point", SqliteType.Text));
            upsert.Parameters.Add(new SqliteParameter("$ts", SqliteType.Integer));
            upsert.Parameters.Add(new SqliteParameter("$value", SqliteType.Real));
            upsert.Parameters.Add(new SqliteParameter("$state", SqliteType.Integer));
            upsert.Parameters.Add(new SqliteParameter("$quality", SqliteType.Integer));
            upsert.Prepare();

            _writer = connection;
            _upsert = upsert;
            return upsert;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        var connection = new SqliteConnection(_readConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

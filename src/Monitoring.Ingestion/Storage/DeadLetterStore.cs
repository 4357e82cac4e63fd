using System.Globalization;
using System.Text;
using System.Threading.Channels;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// A rejected message or point, as the pipeline hands it over (docs/contract.md 1, "handling of bad input").
/// <c>ReceivedAt</c> is server time; <c>Topic</c> is the MQTT topic, or a pseudo-topic such as <c>(store)</c> for a
/// batch the store refused; <c>Reason</c> is the stable snake_case reason (RejectReasons.Name) also used in metrics;
/// <c>PointIndex</c> is set when one point was rejected alone; <c>Raw</c> is the payload or the point's JSON,
/// truncated and made safe before it is stored.
/// </summary>
internal sealed record DeadLetter(
    DateTimeOffset ReceivedAt,
    string Topic,
    string? Enterprise,
    string? Gateway,
    string Reason,
    string? Detail,
    int? PointIndex,
    string Raw);

/// <summary>
/// A stored dead letter. <c>Id</c> increases with every stored letter and is never reused (newest first is
/// descending id). <c>RawLength</c> is the original raw text's length in UTF-16 characters; <c>RawTruncated</c>
/// says <c>Raw</c> holds only its first <see cref="DeadLetterOptions.MaxRawChars"/> characters.
/// </summary>
internal sealed record DeadLetterRecord(
    long Id,
    DateTimeOffset ReceivedAt,
    string Topic,
    string? Enterprise,
    string? Gateway,
    string Reason,
    string? Detail,
    int? PointIndex,
    string Raw,
    int RawLength,
    bool RawTruncated);

/// <summary>Filters for <see cref="DeadLetterStore.ListAsync"/>; null means any.</summary>
internal sealed record DeadLetterQuery
{
    public const int MaxLimit = 1000;

    public string? Enterprise { get; init; }
    public string? Gateway { get; init; }
    public string? Reason { get; init; }

    /// <summary>Only letters with an id below this one (paging: pass the last id of the previous page).</summary>
    public long? BeforeId { get; init; }

    /// <summary>At most this many rows; clamped to 1..<see cref="MaxLimit"/>.</summary>
    public int Limit { get; init; } = 100;
}

/// <summary>Configuration section <c>Monitoring:DeadLetters</c>.</summary>
internal sealed class DeadLetterOptions
{
    public const string Section = "Monitoring:DeadLetters";

    /// <summary>Letters waiting to be written; when full, new letters are dropped and counted.</summary>
    public int QueueCapacity { get; set; } = 10_000;

    /// <summary>Rows kept; the oldest beyond this are deleted after each write.</summary>
    public int MaxRows { get; set; } = 100_000;

    /// <summary>Raw text kept per letter, in UTF-16 characters (64 Ki).</summary>
    public int MaxRawChars { get; set; } = 64 * 1024;

    /// <summary>Letters written per transaction.</summary>
    public int BatchSize { get; set; } = 500;

    /// <summary>Wait before retrying a failed write (disk full, file locked); doubles up to 30 s.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Rejected messages and points, kept in SQLite (<c>{dataDir}/deadletters.db</c>) for operators.
/// </summary>
/// <remarks>
/// <para>
/// <see cref="Enqueue"/> is called from the hot path and never blocks: it puts the letter in a bounded
/// queue, and when the queue is full the letter is dropped and counted in <see cref="Dropped"/> (a flood of
/// garbage must not slow down good traffic, nor grow memory). A background loop writes the queue in
/// batches, one transaction each, then deletes the oldest rows beyond <see cref="DeadLetterOptions.MaxRows"/>.
/// </para>
/// <para>
/// Lifecycle: an <see cref="IHostedService"/>. Register the one instance as a singleton and as a hosted
/// service. <see cref="StartAsync"/> starts the writer loop (letters enqueued before are kept);
/// <see cref="StopAsync"/> stops intake and writes what is queued (until its token fires);
/// <see cref="DisposeAsync"/> closes the file. Start it before the pipeline and stop it after.
/// </para>
/// <para>
/// Durability: WAL with synchronous=NORMAL. Dead letters are diagnostics, not acknowledged data: losing
/// the last few on power loss is acceptable, and NORMAL saves an fsync per batch.
/// </para>
/// </remarks>
internal sealed class DeadLetterStore : IHostedService, IAsyncDisposable
{
    private const int MaxTopicChars = 1024;
    private const int MaxDetailChars = 4096;
    private const int MaxFieldChars = 256;
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly DeadLetterOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<DeadLetter> _queue;
    private readonly SqliteConnection _writer;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _prune;
    private readonly string _readConnectionString;
    private readonly CancellationTokenSource _abort = new();
    private TaskCompletionSource _progress = NewSignal();
    private Task? _loop;
    private long _dropped;
    private long _accepted;
    private long _processed;
    private long _written;
    private int _disposed;

    /// <summary>
    /// Opens (or creates, with its folder) the SQLite file, normally <c>{dataDir}/deadletters.db</c>.
    /// <paramref name="options"/> null means the defaults.
    /// </summary>
    public DeadLetterStore(string path, TimeProvider time, ILogger<DeadLetterStore>? logger = null, DeadLetterOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        options ??= new DeadLetterOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(options.QueueCapacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRows, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxRawChars, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);

        _options = options;
        _time = time;
        _logger = logger ?? NullLogger<DeadLetterStore>.Instance;
        Path = System.IO.Path.GetFullPath(path);
        _queue = Channel.CreateBounded<DeadLetter>(new BoundedChannelOptions(options.QueueCapacity)
        {
            // Wait mode makes TryWrite fail (and so count) when full; nobody ever awaits WriteAsync.
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = true,
            SingleWriter = false,
        });

        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        _writer = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
        _writer.Open();
        using (var setup = _writer.CreateCommand())
        {
            // AUTOINCREMENT: ids are never reused after pruning, so "newest first" stays descending id.
            setup.CommandText = """
                PRAGMA journal_mode=WAL;
                PRAGMA synchronous=NORMAL;
                PRAGMA busy_timeout=5000;
                CREATE TABLE IF NOT EXISTS dead_letters (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    received_at_ms INTEGER NOT NULL,
                    topic TEXT NOT NULL,
                    enterprise TEXT NULL,
                    gateway TEXT NULL,
                    reason TEXT NOT NULL,
                    detail TEXT NULL,
                    point_index INTEGER NULL,
                    raw TEXT NOT NULL,
                    raw_length INTEGER NOT NULL,
                    raw_truncated INTEGER NOT NULL
                );
                CREATE INDEX IF NOT EXISTS ix_dead_letters_source ON dead_letters(enterprise, gateway, id);
                CREATE INDEX IF NOT EXISTS ix_dead_letters_reason ON dead_letters(reason, id);
                """;
            setup.ExecuteNonQuery();
        }

        _insert = _writer.CreateCommand();
        _insert.CommandText = """
            INSERT INTO dead_letters (received_at_ms, topic, enterprise, gateway, reason, detail, point_index, raw, raw_length, raw_truncated)
            VALUES ($received_at_ms, $topic, $enterprise, $gateway, $reason, $detail, $point_index, $raw, $raw_length, $raw_truncated)
            """;
        foreach (var name in (string[])["$received_at_ms", "$topic", "$enterprise", "$gateway", "$reason", "$detail", "$point_index", "$raw", "$raw_length", "$raw_truncated"])
        {
            _insert.Parameters.Add(new SqliteParameter { ParameterName = name });
        }

        _prune = _writer.CreateCommand();
        _prune.CommandText = "DELETE FROM dead_letters WHERE id <= (SELECT MAX(id) FROM dead_letters) - $keep";
        _prune.Parameters.AddWithValue("$keep", options.MaxRows);

        _readConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
    }

    /// <summary>Full path of the SQLite file.</summary>
    public string Path { get; }

    /// <summary>Letters dropped because the queue was full, the store was stopped, or a write failed at shutdown.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Letters written to the file since start.</summary>
    public long Written => Interlocked.Read(ref _written);

    /// <summary>Letters waiting in the queue.</summary>
    public int Pending => _queue.Reader.Count;

    /// <summary>Queues a letter for writing. Never blocks; returns false (and counts a drop) when the queue is full or stopped.</summary>
    public bool Enqueue(DeadLetter letter)
    {
        ArgumentNullException.ThrowIfNull(letter);
        if (_queue.Writer.TryWrite(letter))
        {
            Interlocked.Increment(ref _accepted);
            return true;
        }

        Interlocked.Increment(ref _dropped);
        return false;
    }

    public Task StartAsync(CancellationToken cancellationToken)
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        _loop ??= Task.Run(() => RunAsync(_abort.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Stops intake and writes what is queued; if <paramref name="cancellationToken"/> fires first, the rest is dropped and counted.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        if (_loop is null)
        {
            return;
        }

        try
        {
            await _loop.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            await _abort.CancelAsync();
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    /// <summary>Completes when every letter accepted before the call has been written (or dropped after a failed write).</summary>
    public async Task FlushAsync(CancellationToken cancellationToken)
    {
        var target = Interlocked.Read(ref _accepted);
        while (true)
        {
            var signal = Volatile.Read(ref _progress);
            if (Interlocked.Read(ref _processed) >= target)
            {
                return;
            }

            await signal.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Stored letters, newest first.</summary>
    public async Task<IReadOnlyList<DeadLetterRecord>> ListAsync(DeadLetterQuery query, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = """
            SELECT id, received_at_ms, topic, enterprise, gateway, reason, detail, point_index, raw, raw_length, raw_truncated
            FROM dead_letters
            WHERE ($enterprise IS NULL OR enterprise = $enterprise)
              AND ($gateway IS NULL OR gateway = $gateway)
              AND ($reason IS NULL OR reason = $reason)
              AND ($before IS NULL OR id < $before)
            ORDER BY id DESC
            LIMIT $limit
            """;
        command.Parameters.AddWithValue("$enterprise", (object?)query.Enterprise ?? DBNull.Value);
        command.Parameters.AddWithValue("$gateway", (object?)query.Gateway ?? DBNull.Value);
        command.Parameters.AddWithValue("$reason", (object?)query.Reason ?? DBNull.Value);
        command.Parameters.AddWithValue("$before", (object?)query.BeforeId ?? DBNull.Value);
        command.Parameters.AddWithValue("$limit", Math.Clamp(query.Limit, 1, DeadLetterQuery.MaxLimit));

        var result = new List<DeadLetterRecord>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
        {
            result.Add(new DeadLetterRecord(
                reader.GetInt64(0),
                DateTimeOffset.FromUnixTimeMilliseconds(reader.GetInt64(1)),
                reader.GetString(2),
                reader.IsDBNull(3) ? null : reader.GetString(3),
                reader.IsDBNull(4) ? null : reader.GetString(4),
                reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6),
                reader.IsDBNull(7) ? null : reader.GetInt32(7),
                reader.GetString(8),
                reader.GetInt32(9),
                reader.GetInt64(10) != 0));
        }

        return result;
    }

    /// <summary>Number of stored letters.</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = new SqliteConnection(_readConnectionString);
        await connection.OpenAsync(cancellationToken);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM dead_letters";
        return Convert.ToInt64(await command.ExecuteScalarAsync(cancellationToken), CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _queue.Writer.TryComplete();
        await _abort.CancelAsync();
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }

        _insert.Dispose();
        _prune.Dispose();
        await _writer.DisposeAsync();
        _abort.Dispose();
    }

    private async Task RunAsync(CancellationToken abort)
    {
        var batch = new List<DeadLetter>(Math.Min(_options.BatchSize, 1024));
        try
        {
            while (await _queue.Reader.WaitToReadAsync(abort))
            {
                while (batch.Count < _options.BatchSize && _queue.Reader.TryRead(out var letter))
                {
                    batch.Add(letter);
                }

                await WriteWithRetryAsync(batch, abort);
                batch.Clear();
            }
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            // Shutdown ran out of time: what was not written is lost, and counted.
            var lost = batch.Count;
            while (_queue.Reader.TryRead(out _))
            {
                lost++;
            }

            Complete(lost, written: 0);
            if (lost > 0)
            {
                _logger.LogWarning("Dead-letter store stopped with {Count} letters unwritten", lost);
            }
        }
    }

    private async Task WriteWithRetryAsync(List<DeadLetter> batch, CancellationToken abort)
    {
        var delay = _options.RetryDelay;
        while (true)
        {
            try
            {
                WriteBatch(batch);
                Complete(0, batch.Count);
                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // The queue keeps filling (and dropping, counted) meanwhile; nothing blocks the pipeline.
                _logger.LogError(ex, "Writing {Count} dead letters to {Path} failed; retrying in {Delay}", batch.Count, Path, delay);
                await Task.Delay(delay, _time, abort);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
            }
        }
    }

    private void WriteBatch(List<DeadLetter> batch)
    {
        using var transaction = _writer.BeginTransaction();
        _insert.Transaction = transaction;
        _prune.Transaction = transaction;
        var p = _insert.Parameters;
        foreach (var letter in batch)
        {
            var raw = Sanitize(letter.Raw, _options.MaxRawChars, out var rawTruncated);
            p[0].Value = letter.ReceivedAt.ToUnixTimeMilliseconds();
            p[1].Value = Sanitize(letter.Topic, MaxTopicChars, out _);
            p[2].Value = Nullable(letter.Enterprise, MaxFieldChars);
            p[3].Value = Nullable(letter.Gateway, MaxFieldChars);
            p[4].Value = Sanitize(letter.Reason, MaxFieldChars, out _);
            p[5].Value = Nullable(letter.Detail, MaxDetailChars);
            p[6].Value = letter.PointIndex is { } index ? index : DBNull.Value;
            p[7].Value = raw;
            p[8].Value = letter.Raw?.Length ?? 0;
            p[9].Value = rawTruncated ? 1 : 0;
            _insert.ExecuteNonQuery();
        }

        _prune.ExecuteNonQuery();
        transaction.Commit();
    }

    private void Complete(int dropped, int written)
    {
        if (dropped > 0)
        {
            Interlocked.Add(ref _dropped, dropped);
        }

        Interlocked.Add(ref _written, written);
        Interlocked.Add(ref _processed, dropped + written);
        Interlocked.Exchange(ref _progress, NewSignal()).TrySetResult();
    }

    private static object Nullable(string? value, int maxChars) =>
        value is null ? DBNull.Value : Sanitize(value, maxChars, out _);

    /// <summary>
    /// Cuts <paramref name="value"/> to <paramref name="maxChars"/> without splitting a surrogate pair and
    /// replaces unpaired surrogates with U+FFFD, so the text is valid UTF-8 in the file and in JSON.
    /// (Invalid UTF-8 in a payload already became U+FFFD when the caller decoded it.)
    /// </summary>
    internal static string Sanitize(string? value, int maxChars, out bool truncated)
    {
        value ??= string.Empty;
        var length = value.Length;
        truncated = length > maxChars;
        if (truncated)
        {
            length = maxChars;
            if (char.IsHighSurrogate(value[length - 1]))
            {
                length--;
            }
        }

        var span = value.AsSpan(0, length);
        if (!HasUnpairedSurrogate(span))
        {
            return length == value.Length ? value : span.ToString();
        }

        var builder = new StringBuilder(length);
        foreach (var rune in span.EnumerateRunes())
        {
            // EnumerateRunes yields U+FFFD for each unpaired surrogate.
            builder.Append(rune.ToString());
        }

        return builder.ToString();
    }

    private static bool HasUnpairedSurrogate(ReadOnlySpan<char> span)
    {
        for (var i = 0; i < span.Length; i++)
        {
            if (char.IsHighSurrogate(span[i]) && i + 1 < span.Length && char.IsLowSurrogate(span[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(span[i]))
            {
                return true;
            }
        }

        return false;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// Reads stored readings back: the duty console's plots and the replay of rule state at start.
/// Ranges are half-open, <c>from &lt;= ts &lt; to</c>, at millisecond precision (the precision of the store).
/// Implementations are thread-safe and read beside the writer.
/// </summary>
internal interface ITimeSeriesReader
{
    /// <summary>
    /// Readings of one point, oldest first, at most <paramref name="limit"/> (the first ones of the range;
    /// clamped to 1..<see cref="MaxLimit"/>).
    /// </summary>
    Task<IReadOnlyList<StoredReading>> ReadAsync(string enterprise, string gateway, string point, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct);

    /// <summary>
    /// Every reading of every point of one gateway in the range, ordered by time (then by point for equal
    /// times). Not limited: keep the range short (the rule-state replay reads minutes, not days).
    /// </summary>
    Task<IReadOnlyList<StoredPointReading>> ReadGatewayAsync(string enterprise, string gateway, DateTimeOffset from, DateTimeOffset to, CancellationToken ct);

    /// <summary>Largest <c>limit</c> honoured by <see cref="ReadAsync"/>.</summary>
    const int MaxLimit = 100_000;
}

/// <summary>
/// One stored reading. <see cref="Value"/> for numbers, <see cref="State"/> for booleans, neither for a
/// null (bad-quality) reading. <see cref="Quality"/>: 0 good, 1 uncertain, 2 bad (the contract's <c>q</c>).
/// </summary>
internal readonly record struct StoredReading(DateTimeOffset Timestamp, double? Value, bool? State, int Quality);

/// <summary>A stored reading with the point (tag) it belongs to.</summary>
internal readonly record struct StoredPointReading(string Point, StoredReading Reading);

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// Configuration section <c>Monitoring:Store:Spool</c>: the local disk spool that takes batches while
/// the time-series store is unreachable (docs/reliability.md).
/// </summary>
internal sealed class SpoolOptions
{
    public const string Section = "Monitoring:Store:Spool";

    /// <summary>Without the spool a store outage holds the partitions and the broker keeps the messages.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Disk the spool may use. When full, writes fail (nothing more is acknowledged) until replay frees space.</summary>
    public long MaxBytes { get; set; } = 1L << 30;

    /// <summary>A segment file is deleted as a whole once every record in it reached the store.</summary>
    public long SegmentBytes { get; set; } = 16L << 20;

    /// <summary>Spooled batches are merged into store writes of about this many readings during replay.</summary>
    public int ReplayBatchReadings { get; set; } = 5000;

    /// <summary>First wait after a failed replay write; doubles up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>
/// The spool cannot take the batch (its size limit, or the disk refused the write). Transient for the
/// caller: its retry loop holds the batch unacknowledged until replay has made room.
/// </summary>
internal sealed class SpoolFullException : Exception
{
    public SpoolFullException(string message)
        : base(message)
    {
    }

    public SpoolFullException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }
}

using HdrHistogram;

namespace Monitoring.LoadTests;

/// <summary>A thread-safe latency recorder in microseconds (HdrHistogram, 3 significant digits, up to 10 minutes).</summary>
public sealed class Latency
{
    private readonly Lock _lock = new();
    private readonly LongHistogram _histogram = new(TimeSpan.FromMinutes(10).Ticks / 10, 3);

    public void Record(TimeSpan elapsed) => RecordMicroseconds((long)elapsed.TotalMicroseconds);

    public void RecordMicroseconds(long microseconds)
    {
        var value = Math.Clamp(microseconds, 1, _histogram.HighestTrackableValue);
        lock (_lock)
            _histogram.RecordValue(value);
    }

    public long Count
    {
        get
        {
            lock (_lock)
                return _histogram.TotalCount;
        }
    }

    /// <summary>The percentiles in milliseconds, or null when nothing was recorded.</summary>
    public Percentiles? Snapshot()
    {
        lock (_lock)
        {
            if (_histogram.TotalCount == 0)
                return null;
            return new Percentiles(
                _histogram.TotalCount,
                Ms(_histogram.GetValueAtPercentile(50)),
                Ms(_histogram.GetValueAtPercentile(95)),
                Ms(_histogram.GetValueAtPercentile(99)),
                Ms(_histogram.GetValueAtPercentile(99.9)),
                Ms(_histogram.GetMaxValue()));
        }
    }

    private static double Ms(long microseconds) => Math.Round(microseconds / 1000.0, 3);
}

/// <summary>Latency percentiles in milliseconds.</summary>
public sealed record Percentiles(long Count, double P50, double P95, double P99, double P999, double Max);

namespace Monitoring.Rules.Runtime;

/// <summary>
/// The latest reading of every configured point of one gateway, by index. Multi-signal rules read it; only
/// the partition worker that owns the gateway writes it, so no locks. Arrays, not objects: no allocation.
/// </summary>
internal sealed class SignalTable(int count)
{
    /// <summary>Latest good or uncertain value (sample and hold).</summary>
    public readonly double[] Value = new double[count];
    /// <summary>Event time of <see cref="Value"/>.</summary>
    public readonly long[] ValueMs = new long[count];
    public readonly bool[] HasValue = new bool[count];
    /// <summary>Whether the latest reading (by event time) was bad quality.</summary>
    public readonly bool[] Bad = new bool[count];
    /// <summary>Server time the latest reading of any quality arrived; 0 before the first.</summary>
    public readonly long[] ReceivedAtMs = new long[count];
    public readonly bool[] Received = new bool[count];

    /// <summary>Whether any point of the gateway has had a reading (of any quality) evaluated.</summary>
    public bool AnyReading;
    /// <summary>Event time of the gateway's first reading: "never seen" is counted from it.</summary>
    public long FirstEventMs;
    /// <summary>
    /// Event time of the gateway's newest reading, of any point: what a gate signal's age is measured against.
    /// Not the timer's estimate of the gateway clock: while the whole gateway is silent nothing goes stale (no
    /// data and gateway silence report that), only a signal that stops while the rest of the gateway reports.
    /// </summary>
    public long LatestEventMs;
}

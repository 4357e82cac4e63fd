namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// One gateway's clock, estimated from its messages: the offset between the server time a message arrived and
/// the sensor time of its newest reading (<c>arrival - sensor</c>: positive when the gateway's clock is behind,
/// negative when it is ahead). Network delay, broker queueing and backlogs only ever make a sample larger than
/// the true offset, never smaller, so the estimate is the smallest sample of a sliding window of arrival time.
/// <para>Why it is robust (docs/rules.md, "Clocks"):</para>
/// <list type="bullet">
/// <item>network delay and jitter: the minimum ignores them;</item>
/// <item>a backlog (a gateway's store-and-forward, the broker's queue after a restart): its samples are large and
/// do not move the minimum; and the estimate rises only after a whole window of samples all above it, so a
/// backlog that arrives after a long silence (an empty window) is still measured against the last estimate;</item>
/// <item>one bogus timestamp (a sample far below the estimate): a drop of more than <see cref="JumpToleranceMs"/>
/// counts only when <see cref="ConfirmSamples"/> messages in a row agree on it (a gateway clock that was set
/// forward), and the first estimate of a gateway needs as many agreeing samples.</item>
/// </list>
/// A gateway clock set back (the offset grows) is followed after one window; until then its data looks older
/// than it is, which delays its alarms by at most the backlog hold (never silences them).
/// Owned by the gateway's partition worker (single writer); read by the API (longs are atomic on x64).
/// Allocates nothing after construction.
/// </summary>
internal sealed class GatewayClock
{
    /// <summary>Samples more than this below the estimate are a jump, taken only when confirmed.</summary>
    public const long JumpToleranceMs = 2_000;

    /// <summary>Messages in a row that must agree on a jump (or on the first estimate).</summary>
    public const int ConfirmSamples = 3;

    private const int Buckets = 10;

    private readonly long _bucketMs;
    private readonly long[] _bucketMin = new long[Buckets];
    private readonly long[] _bucketIndex = new long[Buckets];
    private readonly bool[] _bucketUsed = new bool[Buckets];
    private long _estimate;
    private int _candidates;
    private long _candidateLow;
    private long _candidateHigh;

    /// <param name="window">How long a sample counts (the minimum is taken over it).</param>
    public GatewayClock(TimeSpan window)
    {
        _bucketMs = Math.Max(1, (long)window.TotalMilliseconds / Buckets);
    }

    /// <summary>Whether enough samples agreed to estimate the offset (or one was restored from the journal).</summary>
    public bool IsKnown { get; private set; }

    /// <summary><c>arrival - sensor</c> time, ms: positive when the gateway's clock is behind the server's. 0 while unknown.</summary>
    public long OffsetMs => IsKnown ? _estimate : 0;

    /// <summary>The gateway's clock minus the server's, ms (positive = ahead): how the API and the alarm show it.</summary>
    public long AheadByMs => -OffsetMs;

    /// <summary>The gateway's clock now, for a server clock reading: the server clock while the offset is unknown.</summary>
    public long GatewayNowMs(long serverNowMs) => serverNowMs - OffsetMs;

    /// <summary>
    /// Whether sensor time <paramref name="sensorMs"/> is current for this gateway: no older than
    /// <paramref name="historicalAfterMs"/> against its own clock. True while the offset is unknown (fail safe: data
    /// that cannot be judged is treated as live).
    /// </summary>
    public bool IsCurrent(long sensorMs, long serverNowMs, long historicalAfterMs) => !IsKnown || GatewayNowMs(serverNowMs) - sensorMs <= historicalAfterMs;

    /// <summary>Starts from an offset estimated before a restart (the alarm journal keeps it).</summary>
    public void Restore(long offsetMs, long serverNowMs)
    {
        IsKnown = true;
        _estimate = offsetMs;
        Array.Clear(_bucketUsed);
        Record(serverNowMs, offsetMs);
        _candidates = 0;
    }

    /// <summary>One message: it arrived at <paramref name="arrivalMs"/> (server clock) and its newest reading has <paramref name="sensorMs"/>.</summary>
    /// <returns>True when the estimate changed by more than <paramref name="reportChangeMs"/> (worth persisting).</returns>
    public bool Observe(long arrivalMs, long sensorMs, long reportChangeMs = 1_000)
    {
        var sample = arrivalMs - sensorMs;
        var before = OffsetMs;
        var wasKnown = IsKnown;
        if (!IsKnown || sample < _estimate - JumpToleranceMs)
        {
            if (!Confirm(sample))
            {
                return false;
            }

            // Agreed by several messages in a row: a new clock (or the first estimate). Older, larger samples no
            // longer describe this gateway's clock.
            Array.Clear(_bucketUsed);
            IsKnown = true;
            _estimate = _candidateLow;
            Record(arrivalMs, _candidateLow);
            return true;
        }

        _candidates = 0;
        Record(arrivalMs, sample);
        return !wasKnown || Math.Abs(OffsetMs - before) > reportChangeMs;
    }

    private bool Confirm(long sample)
    {
        if (_candidates == 0 || sample < _candidateHigh - JumpToleranceMs || sample > _candidateLow + JumpToleranceMs)
        {
            _candidates = 1;
            _candidateLow = sample;
            _candidateHigh = sample;
            return ConfirmSamples <= 1;
        }

        _candidates++;
        _candidateLow = Math.Min(_candidateLow, sample);
        _candidateHigh = Math.Max(_candidateHigh, sample);
        if (_candidates < ConfirmSamples)
        {
            return false;
        }

        _candidates = 0;
        return true;
    }

    private void Record(long arrivalMs, long sample)
    {
        var index = arrivalMs / _bucketMs;
        var slot = (int)(index % Buckets);
        if (!_bucketUsed[slot] || _bucketIndex[slot] != index)
        {
            _bucketUsed[slot] = true;
            _bucketIndex[slot] = index;
            _bucketMin[slot] = sample;
        }
        else if (sample < _bucketMin[slot])
        {
            _bucketMin[slot] = sample;
        }

        // The minimum over the window. It may rise (the gateway's clock was set back, or the window moved past
        // its smallest samples) only when every bucket of the window holds samples: a full window of evidence.
        var min = long.MaxValue;
        var full = true;
        for (var i = 0; i < Buckets; i++)
        {
            if (_bucketUsed[i] && _bucketIndex[i] > index - Buckets)
            {
                min = Math.Min(min, _bucketMin[i]);
            }
            else
            {
                full = false;
            }
        }

        if (min < _estimate || full)
        {
            _estimate = min;
        }
    }
}

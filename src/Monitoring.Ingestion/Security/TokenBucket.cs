namespace Monitoring.Ingestion.Security;

/// <summary>A token bucket on <see cref="TimeProvider"/> timestamps: <see cref="Rate"/> tokens per second, at most <see cref="Capacity"/>.</summary>
internal sealed class TokenBucket
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private double _tokens;
    private long _last;

    public TokenBucket(double rate, double capacity, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rate);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        Rate = rate;
        Capacity = capacity;
        _time = time;
        _tokens = capacity;
        _last = time.GetTimestamp();
    }

    public double Rate { get; }
    public double Capacity { get; }

    public bool TryTake()
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            var elapsed = _time.GetElapsedTime(_last, now).TotalSeconds;
            _last = now;
            _tokens = Math.Min(Capacity, _tokens + (elapsed * Rate));
            if (_tokens < 1)
                return false;
            _tokens -= 1;
            return true;
        }
    }
}

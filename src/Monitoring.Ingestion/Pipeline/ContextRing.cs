using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// The last readings of one configured sensor, for an alarm's <c>context</c>. Fixed capacity,
/// allocated once per sensor; adding a reading allocates nothing. Single writer (the partition worker).
/// </summary>
internal sealed class ContextRing(string tag, int capacity)
{
    private readonly long[] _timestamps = new long[capacity];
    private readonly double[] _numbers = new double[capacity];
    private readonly PointValueKind[] _kinds = new PointValueKind[capacity];
    private int _next;
    private int _count;

    public void Add(long timestampMs, PointValueKind kind, double number)
    {
        if (capacity == 0)
            return;
        _timestamps[_next] = timestampMs;
        _numbers[_next] = number;
        _kinds[_next] = kind;
        _next = (_next + 1) % capacity;
        if (_count < capacity)
            _count++;
    }

    /// <summary>Oldest first. Allocates: called only when an alarm transition happens.</summary>
    public void CopyTo(List<ContextReading> target)
    {
        var start = (_next - _count + capacity) % Math.Max(capacity, 1);
        for (var i = 0; i < _count; i++)
        {
            var index = (start + i) % capacity;
            object? value = _kinds[index] switch
            {
                PointValueKind.Number => _numbers[index],
                PointValueKind.Boolean => _numbers[index] != 0,
                _ => null,
            };
            target.Add(new ContextReading(tag, _timestamps[index], value));
        }
    }
}

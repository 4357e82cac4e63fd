using System.Collections.Concurrent;

namespace Monitoring.Simulators.Scenarios;

/// <summary>The sensor time each running gateway is publishing at, so an observer that only sees wall time can place what it sees on the timeline.</summary>
public sealed class SensorClock
{
    private readonly ConcurrentDictionary<string, long> _now = new(StringComparer.Ordinal);

    public void Set(string enterprise, string gateway, long sensorMs) => _now[$"{enterprise}/{gateway}"] = sensorMs;

    public long? Get(string enterprise, string gateway) => _now.TryGetValue($"{enterprise}/{gateway}", out var ms) ? ms : null;
}

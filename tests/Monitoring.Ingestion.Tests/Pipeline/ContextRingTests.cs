using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Pipeline;

namespace Monitoring.Ingestion.Tests.Pipeline;

public sealed class ContextRingTests
{
    [Fact]
    public void CopyTo_FewerThanCapacity_ReturnsAllOldestFirst()
    {
        var ring = new ContextRing("T", 4);
        ring.Add(1, PointValueKind.Number, 0.5);
        ring.Add(2, PointValueKind.Boolean, 1);

        var readings = new List<ContextReading>();
        ring.CopyTo(readings);

        Assert.Equal([new ContextReading("T", 1, 0.5), new ContextReading("T", 2, true)], readings);
    }

    [Fact]
    public void CopyTo_Overflowed_KeepsTheNewestCapacityReadingsOldestFirst()
    {
        var ring = new ContextRing("T", 3);
        for (var ts = 1; ts <= 5; ts++)
            ring.Add(ts, PointValueKind.Number, ts * 10);

        var readings = new List<ContextReading>();
        ring.CopyTo(readings);

        Assert.Equal([3L, 4L, 5L], readings.Select(r => r.Ts));
        Assert.Equal([30d, 40d, 50d], readings.Select(r => (double)r.V!));
    }

    [Fact]
    public void Add_ZeroCapacity_KeepsNothing()
    {
        var ring = new ContextRing("T", 0);
        ring.Add(1, PointValueKind.Number, 1);

        var readings = new List<ContextReading>();
        ring.CopyTo(readings);

        Assert.Empty(readings);
    }
}

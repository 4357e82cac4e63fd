using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Tests.Storage;

public sealed class SqliteTimeSeriesReaderTests : IDisposable
{
    private const long Ts = 1_763_800_000_000;
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(Ts);
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<SqliteTimeSeriesStore> OpenAsync()
    {
        var store = new SqliteTimeSeriesStore(_folder.File("timeseries.db"));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static Reading Number(string gateway, string tag, long ts, double value, PointQuality quality = PointQuality.Good) =>
        new("E1", gateway, tag, ts, PointValueKind.Number, value, false, quality);

    [Fact]
    public async Task ReadAsync_MixedKindsOutOfOrder_OldestFirstWithinHalfOpenRange()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(new Reading[]
        {
            Number("G1", "P", Ts + 2000, 3),
            Number("G1", "P", Ts, 1, PointQuality.Uncertain),
            new("E1", "G1", "P", Ts + 1000, PointValueKind.Null, 0, false, PointQuality.Bad),
            Number("G1", "P", Ts + 3000, 4),
            Number("G1", "OTHER", Ts + 1000, 9),
            Number("G2", "P", Ts + 1000, 9),
        }, CancellationToken.None);

        ITimeSeriesReader reader = store;
        var rows = await reader.ReadAsync("E1", "G1", "P", T0, T0.AddSeconds(3), 100, CancellationToken.None);

        Assert.Equal(
            [
                new StoredReading(T0, 1, null, 1),
                new StoredReading(T0.AddSeconds(1), null, null, 2),
                new StoredReading(T0.AddSeconds(2), 3, null, 0),
            ],
            rows);
    }

    [Fact]
    public async Task ReadAsync_Limit_KeepsTheOldest()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(Enumerable.Range(0, 10).Select(i => Number("G1", "P", Ts + i, i)).ToArray(), CancellationToken.None);

        var rows = await ((ITimeSeriesReader)store).ReadAsync("E1", "G1", "P", T0, T0.AddMinutes(1), 3, CancellationToken.None);

        Assert.Equal([0d, 1d, 2d], rows.Select(r => r.Value!.Value));
    }

    [Fact]
    public async Task ReadAsync_Boolean_ReturnsState()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(new Reading[] { new("E1", "G1", "B", Ts, PointValueKind.Boolean, 0, true, PointQuality.Good) }, CancellationToken.None);

        var row = Assert.Single(await ((ITimeSeriesReader)store).ReadAsync("E1", "G1", "B", T0, T0.AddMilliseconds(1), 10, CancellationToken.None));

        Assert.Equal(new StoredReading(T0, null, true, 0), row);
    }

    [Fact]
    public async Task ReadGatewayAsync_SeveralPoints_OrderedByTimeThenPointOnlyThatGateway()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(new Reading[]
        {
            Number("G1", "B", Ts + 1000, 2),
            Number("G1", "A", Ts + 1000, 1),
            Number("G1", "C", Ts, 0),
            Number("G1", "A", Ts + 5000, 5),
            Number("G2", "A", Ts + 500, 7),
        }, CancellationToken.None);

        var rows = await ((ITimeSeriesReader)store).ReadGatewayAsync("E1", "G1", T0, T0.AddSeconds(5), CancellationToken.None);

        Assert.Equal(
            [
                new StoredPointReading("C", new StoredReading(T0, 0, null, 0)),
                new StoredPointReading("A", new StoredReading(T0.AddSeconds(1), 1, null, 0)),
                new StoredPointReading("B", new StoredReading(T0.AddSeconds(1), 2, null, 0)),
            ],
            rows);
    }
}

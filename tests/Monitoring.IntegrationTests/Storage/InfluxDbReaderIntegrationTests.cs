using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Storage;

/// <summary>Reading back through InfluxQL (GET /query, epoch=ms) from a real InfluxDB 1.x.</summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class InfluxDbReaderIntegrationTests(RealServers servers)
{
    private const long Ts = 1_763_800_000_000;
    private static readonly DateTimeOffset T0 = DateTimeOffset.FromUnixTimeMilliseconds(Ts);

    private async Task<InfluxDbStore> StoreAsync()
    {
        var database = await servers.CreateInfluxDatabaseAsync("reader");
        return new InfluxDbStore(new InfluxDbOptions { Url = servers.InfluxUrl, Database = database, CreateDatabase = false });
    }

    private static Reading Number(string enterprise, string gateway, string tag, long ts, double value, PointQuality quality = PointQuality.Good) =>
        new(enterprise, gateway, tag, ts, PointValueKind.Number, value, false, quality);

    [Fact]
    public async Task ReadAsync_EachKindAndQuality_OldestFirstWithinHalfOpenRange()
    {
        using var store = await StoreAsync();
        await store.WriteAsync(new Reading[]
        {
            Number("E1", "G1", "P", Ts + 2000, 3),
            Number("E1", "G1", "P", Ts, 1.5, PointQuality.Uncertain),
            new("E1", "G1", "P", Ts + 1000, PointValueKind.Null, 0, false, PointQuality.Bad),
            new("E1", "G1", "P", Ts + 2500, PointValueKind.Boolean, 0, true, PointQuality.Good),
            Number("E1", "G1", "P", Ts + 3000, 4),
            Number("E1", "G1", "OTHER", Ts + 1000, 9),
            Number("E1", "G2", "P", Ts + 1000, 9),
        }, CancellationToken.None);

        var rows = await store.ReadAsync("E1", "G1", "P", T0, T0.AddSeconds(3), 100, CancellationToken.None);

        Assert.Equal(
            [
                new StoredReading(T0, 1.5, null, 1),
                new StoredReading(T0.AddSeconds(1), null, null, 2),
                new StoredReading(T0.AddSeconds(2), 3, null, 0),
                new StoredReading(T0.AddMilliseconds(2500), null, true, 0),
            ],
            rows);
        Assert.Equal(2, (await store.ReadAsync("E1", "G1", "P", T0, T0.AddSeconds(3), 2, CancellationToken.None)).Count);
    }

    [Fact]
    public async Task ReadAsync_QuotesAndBackslashesInIdentifiers_MatchLiterallyAndInjectNothing()
    {
        using var store = await StoreAsync();
        // The writer refuses backslashes in tag values (1.x cannot read them back), so they are only queried.
        const string hostile = "a' OR 'x'='x";
        await store.WriteAsync(new Reading[]
        {
            Number(hostile, "G1", "P", Ts, 1),
            Number("E1", "G1", "P", Ts, 2),
        }, CancellationToken.None);

        var rows = await store.ReadAsync(hostile, "G1", "P", T0, T0.AddSeconds(1), 10, CancellationToken.None);

        Assert.Equal([1d], rows.Select(r => r.Value));
        Assert.Empty(await store.ReadAsync("a", "G1", "P", T0, T0.AddSeconds(1), 10, CancellationToken.None));
        Assert.Empty(await store.ReadAsync("E1\\", "G1", "P' OR ''='", T0, T0.AddSeconds(1), 10, CancellationToken.None));
    }

    [Fact]
    public async Task ReadGatewayAsync_SeveralPoints_MergedByTimeThenPoint()
    {
        using var store = await StoreAsync();
        await store.WriteAsync(new Reading[]
        {
            Number("E1", "G1", "B", Ts + 1000, 2),
            Number("E1", "G1", "A", Ts + 1000, 1),
            Number("E1", "G1", "C", Ts, 0),
            Number("E1", "G1", "A", Ts + 5000, 5),
            Number("E1", "G2", "A", Ts + 500, 7),
        }, CancellationToken.None);

        var rows = await store.ReadGatewayAsync("E1", "G1", T0, T0.AddSeconds(5), CancellationToken.None);

        Assert.Equal(
            [
                new StoredPointReading("C", new StoredReading(T0, 0, null, 0)),
                new StoredPointReading("A", new StoredReading(T0.AddSeconds(1), 1, null, 0)),
                new StoredPointReading("B", new StoredReading(T0.AddSeconds(1), 2, null, 0)),
            ],
            rows);
    }
}

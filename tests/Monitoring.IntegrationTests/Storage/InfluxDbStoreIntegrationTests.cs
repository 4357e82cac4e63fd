using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Storage;

/// <summary>The InfluxDB store and the line-protocol formatter against a real InfluxDB 1.6 (v1 API).</summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class InfluxDbStoreIntegrationTests(RealServers servers)
{
    private const long Ts = 1_763_800_000_123;

    private InfluxDbStore Store(string database, Action<InfluxDbOptions>? configure = null)
    {
        var options = new InfluxDbOptions { Url = servers.InfluxUrl, Database = database, CreateDatabase = false };
        configure?.Invoke(options);
        return new InfluxDbStore(options);
    }

    private static Reading Number(string tag, long ts, double value, PointQuality quality = PointQuality.Good) =>
        new("91350100MA2XYZ1234", "gw-01", tag, ts, PointValueKind.Number, value, false, quality);

    private static JsonElement? Field(IReadOnlyDictionary<string, JsonElement> row, string name) =>
        row.TryGetValue(name, out var value) && value.ValueKind != JsonValueKind.Null ? value : null;

    [Fact]
    public async Task WriteAsync_EachKindAndQuality_QueriesBackExactly()
    {
        var database = await servers.CreateInfluxDatabaseAsync("store");
        using var store = Store(database);
        Reading[] readings =
        [
            Number("CAST1.MOULD.WATER.P", Ts, 0.182),
            Number("CAST1.MOULD.WATER.T", Ts + 1, -273.15, PointQuality.Uncertain),
            Number("BIG", Ts + 2, 1e20),
            new("91350100MA2XYZ1234", "gw-01", "CAST1.FAST_CUTOFF.CLOSED", Ts - 500, PointValueKind.Boolean, 0, false, PointQuality.Good),
            new("91350100MA2XYZ1234", "gw-01", "CAST1.FAST_CUTOFF.OPEN", Ts - 499, PointValueKind.Boolean, 0, true, PointQuality.Bad),
            new("91350100MA2XYZ1234", "gw-01", "CAST1.LAUNDER.LEVEL", Ts, PointValueKind.Null, 0, false, PointQuality.Bad),
        ];

        await store.WriteAsync(readings, CancellationToken.None);

        var rows = (await servers.QueryInfluxAsync(database, "SELECT * FROM telemetry"))
            .ToDictionary(r => r["point"].GetString()!, StringComparer.Ordinal);
        Assert.Equal(6, rows.Count);
        foreach (var row in rows.Values)
        {
            Assert.Equal("91350100MA2XYZ1234", row["ent"].GetString());
            Assert.Equal("gw-01", row["gw"].GetString());
        }

        AssertRow(rows["CAST1.MOULD.WATER.P"], Ts, 0.182, null, null);
        AssertRow(rows["CAST1.MOULD.WATER.T"], Ts + 1, -273.15, null, 1);
        AssertRow(rows["BIG"], Ts + 2, 1e20, null, null);
        AssertRow(rows["CAST1.FAST_CUTOFF.CLOSED"], Ts - 500, null, false, null);
        AssertRow(rows["CAST1.FAST_CUTOFF.OPEN"], Ts - 499, null, true, 2);
        AssertRow(rows["CAST1.LAUNDER.LEVEL"], Ts, null, null, 2);

        var fieldKeys = await servers.QueryInfluxAsync(database, "SHOW FIELD KEYS FROM telemetry");
        Assert.Equal(
            [("quality", "integer"), ("state", "boolean"), ("value", "float")],
            fieldKeys.Select(r => (r["fieldKey"].GetString(), r["fieldType"].GetString())).OrderBy(k => k.Item1, StringComparer.Ordinal));
    }

    private static void AssertRow(IReadOnlyDictionary<string, JsonElement> row, long time, double? value, bool? state, long? quality)
    {
        Assert.Equal(time, row["time"].GetInt64());
        Assert.Equal(value, Field(row, "value")?.GetDouble());
        Assert.Equal(state, Field(row, "state")?.GetBoolean());
        Assert.Equal(quality, Field(row, "quality")?.GetInt64());
    }

    [Fact]
    public async Task WriteAsync_HostileTagValues_StoredAsLiteralSeparateSeries()
    {
        var database = await servers.CreateInfluxDatabaseAsync("escape");
        using var store = Store(database);
        string[] tags =
        [
            "a value=1 0 telemetry,ent=x",
            "p,gw=other",
            "x=y",
            " leading and trailing ",
            "quote\"s and 'apostrophes'",
            "温度/压力:1",
            "😀",
            "#comment",
        ];
        var readings = tags.Select((t, i) => Number(t, Ts + i, i)).ToArray();
        var hostileIds = new Reading("ent,x=1 y", "gw =,", "T", Ts, PointValueKind.Number, 99, false, PointQuality.Good);

        await store.WriteAsync(readings.Append(hostileIds).ToArray(), CancellationToken.None);

        var rows = await servers.QueryInfluxAsync(database, "SELECT * FROM telemetry");
        Assert.Equal(tags.Length + 1, rows.Count);
        var byPoint = rows.Where(r => r["gw"].GetString() == "gw-01").ToDictionary(r => r["point"].GetString()!, StringComparer.Ordinal);
        for (var i = 0; i < tags.Length; i++)
        {
            Assert.Equal(i, byPoint[tags[i]]["value"].GetDouble());
            Assert.Equal(Ts + i, byPoint[tags[i]]["time"].GetInt64());
        }

        var hostile = Assert.Single(rows, r => r["gw"].GetString() == "gw =,");
        Assert.Equal("ent,x=1 y", hostile["ent"].GetString());
        Assert.Equal(99, hostile["value"].GetDouble());

        // Queried by the literal value: the injection attempt is one point's name, not a second line.
        var injected = await servers.QueryInfluxAsync(database, "SELECT value FROM telemetry WHERE point = 'a value=1 0 telemetry,ent=x'");
        Assert.Equal(0, Assert.Single(injected)["value"].GetDouble());
        var series = await servers.QueryInfluxAsync(database, "SHOW SERIES FROM telemetry");
        Assert.Equal(tags.Length + 1, series.Count);
        var measurements = await servers.QueryInfluxAsync(database, "SHOW MEASUREMENTS");
        Assert.Equal("telemetry", Assert.Single(measurements)["name"].GetString());
    }

    [Fact]
    public async Task WriteAsync_SameSeriesAndTimestampTwice_Overwrites()
    {
        var database = await servers.CreateInfluxDatabaseAsync("dup");
        using var store = Store(database);

        await store.WriteAsync(new[] { Number("P", Ts, 1.5), Number("P", Ts + 1, 2.5) }, CancellationToken.None);
        await store.WriteAsync(new[] { Number("P", Ts, 1.5), Number("P", Ts + 1, 3.5) }, CancellationToken.None);

        var rows = await servers.QueryInfluxAsync(database, "SELECT value FROM telemetry");
        Assert.Equal([(Ts, 1.5), (Ts + 1, 3.5)], rows.Select(r => (r["time"].GetInt64(), r["value"].GetDouble())));
    }

    [Fact]
    public async Task WriteAsync_GoodOverBadAtSameTimestamp_KeepsOldQualityBecauseInfluxMergesFields()
    {
        // Pins a documented InfluxDB property (docs/storage.md): a rewrite merges fields, and good quality
        // writes no quality field, so the earlier quality=2 survives. Only a conflicting re-send can do this.
        var database = await servers.CreateInfluxDatabaseAsync("merge");
        using var store = Store(database);

        await store.WriteAsync(new[] { Number("P", Ts, 1, PointQuality.Bad) }, CancellationToken.None);
        await store.WriteAsync(new[] { Number("P", Ts, 2) }, CancellationToken.None);

        var row = Assert.Single(await servers.QueryInfluxAsync(database, "SELECT * FROM telemetry"));
        Assert.Equal(2, row["value"].GetDouble());
        Assert.Equal(2, row["quality"].GetInt64());
    }

    [Fact]
    public async Task WriteAsync_FieldTypeConflict_ThrowsRejectedWithInfluxError()
    {
        var database = await servers.CreateInfluxDatabaseAsync("conflict");
        using (var http = new HttpClient { BaseAddress = servers.InfluxUrl })
        using (var line = new StringContent("telemetry,ent=E,gw=G,point=P value=\"text\" 1000", Encoding.UTF8))
        using (var response = await http.PostAsync(new Uri($"write?db={database}&precision=ms", UriKind.Relative), line))
        {
            Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        }

        using var store = Store(database);

        var ex = await Assert.ThrowsAsync<TimeSeriesWriteRejectedException>(
            () => store.WriteAsync(new Reading[] { new("E", "G", "P", 2000, PointValueKind.Number, 1, false, PointQuality.Good) }, CancellationToken.None));

        Assert.Contains("HTTP 400", ex.Message, StringComparison.Ordinal);
        Assert.Contains("field type conflict", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_Gzip_IsAcceptedAndStored()
    {
        var database = await servers.CreateInfluxDatabaseAsync("gzip");
        using var store = Store(database, o => o.Gzip = true);
        var readings = Enumerable.Range(0, 500).Select(i => Number("P" + i, Ts + i, i * 0.5)).ToArray();

        await store.WriteAsync(readings, CancellationToken.None);

        var count = Assert.Single(await servers.QueryInfluxAsync(database, "SELECT COUNT(value) FROM telemetry"));
        Assert.Equal(500, count["count"].GetInt64());
    }

    [Fact]
    public async Task InitializeAsync_CreateDatabase_CreatesItAndIsIdempotent()
    {
        var database = RealServers.UniqueName("init");
        using var store = Store(database, o => o.CreateDatabase = true);

        await store.InitializeAsync(CancellationToken.None);
        await store.InitializeAsync(CancellationToken.None);
        await store.WriteAsync(new[] { Number("P", Ts, 7) }, CancellationToken.None);

        Assert.Equal(7, Assert.Single(await servers.QueryInfluxAsync(database, "SELECT value FROM telemetry"))["value"].GetDouble());
    }

    [Fact]
    public async Task IsReachableAsync_RealServer_ReturnsTrue()
    {
        using var store = Store("monitoring");

        Assert.True(await store.IsReachableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_NothingListening_ThrowsTransientHttpRequestException()
    {
        var port = FreePort();
        using var store = new InfluxDbStore(new InfluxDbOptions { Url = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(5) });

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => store.WriteAsync(new[] { Number("P", Ts, 1) }, CancellationToken.None));

        Assert.Null(ex.StatusCode);
        Assert.False(await store.IsReachableAsync(CancellationToken.None));
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

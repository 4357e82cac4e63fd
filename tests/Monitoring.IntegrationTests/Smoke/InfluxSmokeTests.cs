using System.Net;
using System.Text;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Smoke;

[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class InfluxSmokeTests(RealServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Influx_WriteOneLineThenQuery_ReturnsThePointWithTimeTagsAndField()
    {
        var database = await servers.CreateInfluxDatabaseAsync("smoke");
        using var http = new HttpClient { BaseAddress = servers.InfluxUrl };
        using var line = new StringContent("smoke,gateway=gw-1,sensor=t1 value=42.5 1700000000123", Encoding.UTF8);

        using var response = await http.PostAsync(new Uri($"write?db={database}&precision=ms", UriKind.Relative), line);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        var rows = await Eventually.MatchAsync(
            () => servers.QueryInfluxAsync(database, "SELECT * FROM smoke"),
            r => r.Count > 0,
            Timeout,
            $"the written point in {database}");
        var row = Assert.Single(rows);
        Assert.Equal(1700000000123, row["time"].GetInt64());
        Assert.Equal(42.5, row["value"].GetDouble());
        Assert.Equal("gw-1", row["gateway"].GetString());
        Assert.Equal("t1", row["sensor"].GetString());
    }

    [Fact]
    public async Task QueryInfluxAsync_GroupByTag_AddsTheSeriesTagsToEachRow()
    {
        var database = await servers.CreateInfluxDatabaseAsync("smoke");
        using var http = new HttpClient { BaseAddress = servers.InfluxUrl };
        using var lines = new StringContent("m,gateway=a value=1 1000\nm,gateway=b value=2 2000", Encoding.UTF8);
        using var response = await http.PostAsync(new Uri($"write?db={database}&precision=ms", UriKind.Relative), lines);
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);

        var rows = await servers.QueryInfluxAsync(database, "SELECT value FROM m GROUP BY gateway");

        Assert.Collection(
            rows.OrderBy(r => r["time"].GetInt64()),
            r => Assert.Equal(("a", 1000L, 1.0), (r["gateway"].GetString(), r["time"].GetInt64(), r["value"].GetDouble())),
            r => Assert.Equal(("b", 2000L, 2.0), (r["gateway"].GetString(), r["time"].GetInt64(), r["value"].GetDouble())));
    }

    [Fact]
    public async Task QueryInfluxAsync_InvalidQuery_ThrowsWithInfluxError()
    {
        var database = await servers.CreateInfluxDatabaseAsync("smoke");

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => servers.QueryInfluxAsync(database, "SELEKT nothing"));

        Assert.Contains("error parsing query", error.Message, StringComparison.Ordinal);
    }
}

using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Monitoring.LoadTests;

/// <summary>The few InfluxDB 1.x calls the driver needs: create a database, count, write line protocol.</summary>
public sealed class Influx : IDisposable
{
    private readonly HttpClient _http;

    public Influx(Uri url) => _http = new HttpClient { BaseAddress = url, Timeout = TimeSpan.FromSeconds(120) };

    public async Task CreateDatabaseAsync(string database, CancellationToken cancellationToken)
    {
        using var content = new FormUrlEncodedContent([new("q", $"CREATE DATABASE \"{database}\"")]);
        using var response = await _http.PostAsync(new Uri("query", UriKind.Relative), content, cancellationToken);
        response.EnsureSuccessStatusCode();
    }

    /// <summary>Runs a query whose first series' first row holds one integer (a count); 0 when there is no row.</summary>
    public async Task<long> ScalarAsync(string database, string query, CancellationToken cancellationToken)
    {
        var uri = new Uri($"query?db={Uri.EscapeDataString(database)}&epoch=ms&q={Uri.EscapeDataString(query)}", UriKind.Relative);
        using var response = await _http.GetAsync(uri, cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"InfluxDB refused '{query}': {(int)response.StatusCode} {body}");
        using var document = JsonDocument.Parse(body);
        var result = document.RootElement.GetProperty("results")[0];
        if (result.TryGetProperty("error", out var error))
            throw new InvalidOperationException($"InfluxDB failed '{query}': {error.GetString()}");
        if (!result.TryGetProperty("series", out var series) || series.GetArrayLength() == 0)
            return 0;
        return series[0].GetProperty("values")[0][1].GetInt64();
    }

    /// <summary>Readings stored for the run's enterprises with a sensor time in [from, to] (ms).</summary>
    public Task<long> CountAsync(string database, string enterprisePrefix, long fromMs, long toMs, CancellationToken cancellationToken) =>
        ScalarAsync(database, string.Create(CultureInfo.InvariantCulture, $"SELECT count(value) FROM telemetry WHERE ent =~ /^{enterprisePrefix}/ AND time >= {fromMs}ms AND time <= {toMs}ms"), cancellationToken);

    /// <summary>Whether one reading (series and sensor time) is readable yet.</summary>
    public async Task<bool> ExistsAsync(string database, string enterprise, string gateway, string point, long timestampMs, CancellationToken cancellationToken) =>
        await ScalarAsync(database, string.Create(CultureInfo.InvariantCulture, $"SELECT count(value) FROM telemetry WHERE ent = '{enterprise}' AND gw = '{gateway}' AND point = '{point}' AND time = {timestampMs}ms"), cancellationToken) > 0;

    public async Task<bool> WriteAsync(string database, string lines, CancellationToken cancellationToken)
    {
        using var content = new StringContent(lines, Encoding.UTF8, "text/plain");
        using var response = await _http.PostAsync(new Uri($"write?db={Uri.EscapeDataString(database)}&precision=ms", UriKind.Relative), content, cancellationToken);
        return response.IsSuccessStatusCode;
    }

    public void Dispose() => _http.Dispose();
}

using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Monitoring.Contracts.LineProtocol;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// Writes readings to InfluxDB through its HTTP line-protocol API (1.x <c>/write</c> or 2.x/3.x
/// <c>/api/v2/write</c>), one request per batch. No client library exists in the registry here, so
/// the request is built by hand; the format itself is <see cref="LineProtocolFormatter"/>.
/// </summary>
/// <remarks>
/// Thread-safe: several partition workers call <see cref="WriteAsync"/> at once. Each call rents a
/// body buffer from a small pool, so a steady stream of batches reuses the same arrays.
/// Error model: 2xx is success; 400, 413 and 422 mean InfluxDB refused the data itself and become
/// <see cref="TimeSeriesWriteRejectedException"/> (with a 1.x 400 the well-formed lines of the batch may
/// already be written: a replay is idempotent, so that is harmless); everything else, timeouts
/// included, throws <see cref="HttpRequestException"/> or <see cref="TimeoutException"/> and is worth
/// retrying. Caller cancellation surfaces as <see cref="OperationCanceledException"/>.
/// </remarks>
internal sealed class InfluxDbStore : ITimeSeriesStore, ITimeSeriesReader, IDisposable
{
    // Buffers above this size are left to the GC rather than kept alive by the pool.
    private const int MaxPooledBufferBytes = 4 * 1024 * 1024;
    private const int MaxPooledBuffers = 16;
    private const int MaxErrorTextChars = 2048;
    private const string Measurement = "telemetry";

    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly InfluxDbOptions _options;
    private readonly Uri _writeUri;
    private readonly Uri _pingUri;
    private readonly string _queryPathAndQuery;
    private readonly string _measurement;
    private readonly AuthenticationHeaderValue? _authorization;
    private readonly ConcurrentQueue<ArrayBufferWriter<byte>> _buffers = new();

    /// <summary>
    /// Checks the options (incomplete ones throw <see cref="ArgumentException"/> with a clear message for start-up).
    /// <paramref name="http"/> is optional and owned by the caller (e.g. from IHttpClientFactory); its own Timeout
    /// should be infinite or longer than <see cref="InfluxDbOptions.Timeout"/>. When null the store makes and
    /// disposes its own client.
    /// </summary>
    public InfluxDbStore(InfluxDbOptions options, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        Validate(options);

        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler
        {
            // Re-resolve DNS now and then: the server may move (container, fail-over).
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
        })
        {
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
        };
        _options = options;
        var baseUri = WithTrailingSlash(options.Url);
        _writeUri = new Uri(baseUri, BuildWritePathAndQuery(options));
        _pingUri = new Uri(baseUri, "ping");
        _queryPathAndQuery = BuildQueryPathAndQuery(options);
        _measurement = string.IsNullOrEmpty(options.RetentionPolicy) || options.ApiVersion != InfluxApiVersion.V1
            ? QuoteIdentifier(Measurement)
            : QuoteIdentifier(options.RetentionPolicy) + "." + QuoteIdentifier(Measurement);
        _authorization = BuildAuthorization(options);
    }

    public string Name => "influxdb";

    /// <summary>The address every batch is posted to (for logs and tests).</summary>
    public Uri WriteUri => _writeUri;

    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        if (_options.ApiVersion != InfluxApiVersion.V1 || !_options.CreateDatabase)
        {
            return;
        }

        var queryUri = new Uri(WithTrailingSlash(_options.Url), "query");
        using var content = new FormUrlEncodedContent([new("q", "CREATE DATABASE " + QuoteIdentifier(_options.Database))]);
        using var response = await SendAsync(HttpMethod.Post, queryUri, content, cancellationToken);
        var text = await ReadErrorTextAsync(response, cancellationToken);

        // InfluxQL reports statement errors with HTTP 200 and an "error" member in the JSON body.
        if (!response.IsSuccessStatusCode || text.Contains("\"error\"", StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"InfluxDB at {_options.Url} refused CREATE DATABASE {_options.Database} (HTTP {(int)response.StatusCode}): {text}");
        }
    }

    public async Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
    {
        if (readings.IsEmpty)
        {
            return;
        }

        var buffer = RentBuffer();
        try
        {
            Format(buffer, readings.Span);
            using var content = CreateContent(buffer.WrittenMemory);
            using var response = await SendAsync(HttpMethod.Post, _writeUri, content, cancellationToken);
            if (response.IsSuccessStatusCode)
            {
                return;
            }

            var error = await ReadErrorTextAsync(response, cancellationToken);
            if (response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.RequestEntityTooLarge or HttpStatusCode.UnprocessableEntity)
            {
                throw new TimeSeriesWriteRejectedException(
                    $"InfluxDB rejected a batch of {readings.Length} readings (HTTP {(int)response.StatusCode}): {error}");
            }

            throw new HttpRequestException(
                $"InfluxDB write failed (HTTP {(int)response.StatusCode} {response.ReasonPhrase}): {error}",
                inner: null,
                response.StatusCode);
        }
        finally
        {
            ReturnBuffer(buffer);
        }
    }

    public async Task<bool> IsReachableAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var response = await SendAsync(HttpMethod.Get, _pingUri, content: null, cancellationToken);
            return response.StatusCode == HttpStatusCode.NoContent;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException)
        {
            return false;
        }
    }

    public async Task<IReadOnlyList<StoredReading>> ReadAsync(
        string enterprise, string gateway, string point, DateTimeOffset from, DateTimeOffset to, int limit, CancellationToken ct)
    {
        var query = string.Create(CultureInfo.InvariantCulture,
            $"SELECT \"value\", \"state\", \"quality\" FROM {_measurement} WHERE \"ent\" = {QuoteString(enterprise)} AND \"gw\" = {QuoteString(gateway)} AND \"point\" = {QuoteString(point)} AND time >= {from.ToUnixTimeMilliseconds()}ms AND time < {to.ToUnixTimeMilliseconds()}ms ORDER BY time ASC LIMIT {Math.Clamp(limit, 1, ITimeSeriesReader.MaxLimit)}");
        var result = new List<StoredReading>();
        await QueryAsync(query, (_, columns, row) => result.Add(ReadRow(columns, row)), ct);
        return result;
    }

    public async Task<IReadOnlyList<StoredPointReading>> ReadGatewayAsync(
        string enterprise, string gateway, DateTimeOffset from, DateTimeOffset to, CancellationToken ct)
    {
        // GROUP BY point gives one series per point with the tag beside it; merged and sorted by time below.
        var query = string.Create(CultureInfo.InvariantCulture,
            $"SELECT \"value\", \"state\", \"quality\" FROM {_measurement} WHERE \"ent\" = {QuoteString(enterprise)} AND \"gw\" = {QuoteString(gateway)} AND time >= {from.ToUnixTimeMilliseconds()}ms AND time < {to.ToUnixTimeMilliseconds()}ms GROUP BY \"point\" ORDER BY time ASC");
        var result = new List<StoredPointReading>();
        await QueryAsync(query, (point, columns, row) => result.Add(new StoredPointReading(point, ReadRow(columns, row))), ct);
        result.Sort(static (a, b) =>
        {
            var byTime = a.Reading.Timestamp.CompareTo(b.Reading.Timestamp);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.Point, b.Point);
        });
        return result;
    }

    private static StoredReading ReadRow(QueryColumns columns, JsonElement row)
    {
        var time = row[columns.Time].GetInt64();
        double? value = columns.Value >= 0 && row[columns.Value].ValueKind == JsonValueKind.Number ? row[columns.Value].GetDouble() : null;
        bool? state = columns.State >= 0 && row[columns.State].ValueKind is JsonValueKind.True or JsonValueKind.False ? row[columns.State].GetBoolean() : null;
        var quality = columns.Quality >= 0 && row[columns.Quality].ValueKind == JsonValueKind.Number ? row[columns.Quality].GetInt32() : 0;
        return new StoredReading(DateTimeOffset.FromUnixTimeMilliseconds(time), value, state, quality);
    }

    /// <summary>Runs an InfluxQL query and hands over each row, with the series' <c>point</c> tag when grouped.</summary>
    private async Task QueryAsync(string influxQl, Action<string, QueryColumns, JsonElement> onRow, CancellationToken ct)
    {
        var uri = new Uri(WithTrailingSlash(_options.Url), _queryPathAndQuery + Uri.EscapeDataString(influxQl));
        using var response = await SendAsync(HttpMethod.Get, uri, content: null, ct);
        if (!response.IsSuccessStatusCode)
        {
            var error = await ReadErrorTextAsync(response, ct);
            throw new HttpRequestException(
                $"InfluxDB query failed (HTTP {(int)response.StatusCode} {response.ReasonPhrase}){V2Hint()}: {error}", inner: null, response.StatusCode);
        }

        await using var body = await response.Content.ReadAsStreamAsync(ct);
        using var document = await JsonDocument.ParseAsync(body, cancellationToken: ct);
        var root = document.RootElement;
        if (root.TryGetProperty("error", out var topError))
            throw new InvalidOperationException($"InfluxDB refused the query{V2Hint()}: {topError.GetString()}");
        if (!root.TryGetProperty("results", out var results))
            return;
        foreach (var statement in results.EnumerateArray())
        {
            if (statement.TryGetProperty("error", out var error))
                throw new InvalidOperationException($"InfluxDB refused the query{V2Hint()}: {error.GetString()}");
            if (!statement.TryGetProperty("series", out var seriesList))
                continue;
            foreach (var series in seriesList.EnumerateArray())
            {
                var columns = QueryColumns.From(series.GetProperty("columns"));
                var point = series.TryGetProperty("tags", out var tags) && tags.TryGetProperty("point", out var p) ? p.GetString() ?? "" : "";
                foreach (var row in series.GetProperty("values").EnumerateArray())
                {
                    onRow(point, columns, row);
                }
            }
        }
    }

    private string V2Hint() => _options.ApiVersion == InfluxApiVersion.V2
        ? $" (InfluxDB 2.x/3.x is read through its InfluxQL compatibility API: bucket '{_options.EffectiveBucket}' needs a database/retention-policy mapping, see docs/storage.md)"
        : "";

    /// <summary>Column positions of one result series; -1 when the column is absent.</summary>
    private readonly record struct QueryColumns(int Time, int Value, int State, int Quality)
    {
        public static QueryColumns From(JsonElement columns)
        {
            int time = -1, value = -1, state = -1, quality = -1, i = 0;
            foreach (var column in columns.EnumerateArray())
            {
                switch (column.GetString())
                {
                    case "time": time = i; break;
                    case "value": value = i; break;
                    case "state": state = i; break;
                    case "quality": quality = i; break;
                }

                i++;
            }

            if (time < 0)
                throw new InvalidOperationException("InfluxDB answered a query without a time column.");
            return new QueryColumns(time, value, state, quality);
        }
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static void Format(ArrayBufferWriter<byte> buffer, ReadOnlySpan<Reading> readings)
    {
        for (var i = 0; i < readings.Length; i++)
        {
            try
            {
                LineProtocolFormatter.Append(buffer, in readings[i]);
            }
            catch (ArgumentException ex)
            {
                // The decoder never lets such a reading through; if one arrives, the batch cannot be written
                // by retrying, so it is a rejection, not a transient failure.
                throw new TimeSeriesWriteRejectedException(
                    $"Reading {i} of the batch cannot be written as line protocol: {ex.Message}", ex);
            }
        }
    }

    private HttpContent CreateContent(ReadOnlyMemory<byte> body)
    {
        HttpContent content = _options.Gzip ? new GzipContent(body) : new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" };
        if (_options.Gzip)
        {
            content.Headers.ContentEncoding.Add("gzip");
        }

        return content;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, Uri uri, HttpContent? content, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (_authorization is not null)
        {
            request.Headers.Authorization = _authorization;
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.Timeout);
        try
        {
            // Headers only: the bodies read later are small (an error text at most).
            return await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        }
        catch (OperationCanceledException ex) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TimeoutException($"InfluxDB at {_options.Url} did not answer within {_options.Timeout}.", ex);
        }
    }

    private static async Task<string> ReadErrorTextAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (text.Length > MaxErrorTextChars)
        {
            text = string.Concat(text.AsSpan(0, MaxErrorTextChars), "...");
        }

        // 1.x puts the reason in the "X-Influxdb-Error" header too; the body is enough but keep it when the body is empty.
        if (text.Length == 0 && response.Headers.TryGetValues("X-Influxdb-Error", out var values))
        {
            text = string.Join("; ", values);
        }

        return text;
    }

    private ArrayBufferWriter<byte> RentBuffer()
    {
        if (_buffers.TryDequeue(out var buffer))
        {
            buffer.ResetWrittenCount();
            return buffer;
        }

        return new ArrayBufferWriter<byte>(64 * 1024);
    }

    private void ReturnBuffer(ArrayBufferWriter<byte> buffer)
    {
        // Count is approximate under concurrency; the bound only has to stop unlimited growth.
        if (buffer.Capacity <= MaxPooledBufferBytes && _buffers.Count < MaxPooledBuffers)
        {
            _buffers.Enqueue(buffer);
        }
    }

    private static void Validate(InfluxDbOptions options)
    {
        if (!options.Url.IsAbsoluteUri || (options.Url.Scheme != Uri.UriSchemeHttp && options.Url.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException($"InfluxDB Url must be an absolute http(s) address, not '{options.Url}'.", nameof(options));
        }

        if (options.Timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("InfluxDB Timeout must be positive.", nameof(options));
        }

        if (options.ApiVersion == InfluxApiVersion.V1 && string.IsNullOrWhiteSpace(options.Database))
        {
            throw new ArgumentException("InfluxDB Database is required for the v1 API.", nameof(options));
        }

        if (options.ApiVersion == InfluxApiVersion.V2)
        {
            if (string.IsNullOrWhiteSpace(options.Org))
            {
                throw new ArgumentException("InfluxDB Org is required for the v2 API.", nameof(options));
            }

            if (string.IsNullOrWhiteSpace(options.EffectiveBucket))
            {
                throw new ArgumentException("InfluxDB Bucket (or Database) is required for the v2 API.", nameof(options));
            }
        }
    }

    private static string BuildWritePathAndQuery(InfluxDbOptions options)
    {
        var query = new StringBuilder();
        if (options.ApiVersion == InfluxApiVersion.V1)
        {
            query.Append("write?db=").Append(Uri.EscapeDataString(options.Database));
            if (!string.IsNullOrEmpty(options.RetentionPolicy))
            {
                query.Append("&rp=").Append(Uri.EscapeDataString(options.RetentionPolicy));
            }
        }
        else
        {
            query.Append("api/v2/write?org=").Append(Uri.EscapeDataString(options.Org!))
                .Append("&bucket=").Append(Uri.EscapeDataString(options.EffectiveBucket));
        }

        return query.Append("&precision=ms").ToString();
    }

    // GET /query with epoch=ms: timestamps come back as integer milliseconds. v2/v3 answer the same
    // endpoint (InfluxQL compatibility API) for a bucket mapped to a database name, with token auth.
    private static string BuildQueryPathAndQuery(InfluxDbOptions options)
    {
        var db = options.ApiVersion == InfluxApiVersion.V1 ? options.Database : options.EffectiveBucket;
        return "query?db=" + Uri.EscapeDataString(db) + "&epoch=ms&q=";
    }

    private static AuthenticationHeaderValue? BuildAuthorization(InfluxDbOptions options)
    {
        if (options.ApiVersion == InfluxApiVersion.V2)
        {
            return string.IsNullOrEmpty(options.Token) ? null : new AuthenticationHeaderValue("Token", options.Token);
        }

        if (string.IsNullOrEmpty(options.Username))
        {
            return null;
        }

        var credentials = Encoding.UTF8.GetBytes(options.Username + ":" + options.Password);
        return new AuthenticationHeaderValue("Basic", Convert.ToBase64String(credentials));
    }

    private static Uri WithTrailingSlash(Uri uri) =>
        uri.AbsolutePath.EndsWith('/') ? uri : new Uri(uri.GetLeftPart(UriPartial.Path) + "/");

    // InfluxQL: a single-quoted string literal escapes '\'' and '\' with a backslash; newlines cannot end it.
    private static string QuoteString(string value) =>
        "'" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    // InfluxQL: a double-quoted identifier escapes '"' and '\' with a backslash.
    private static string QuoteIdentifier(string name) =>
        "\"" + name.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>Compresses while sending, so no second buffer holds the compressed body.</summary>
    private sealed class GzipContent(ReadOnlyMemory<byte> body) : HttpContent
    {
        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            await SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var gzip = new GZipStream(stream, CompressionLevel.Fastest, leaveOpen: true);
            await using (gzip.ConfigureAwait(false))
            {
                await gzip.WriteAsync(body, cancellationToken);
            }
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

using System.IO.Compression;
using System.Net;
using System.Text;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Tests.Storage;

/// <summary>The HTTP requests the store makes, checked against a fake handler (no InfluxDB 2.x server exists here).</summary>
public sealed class InfluxDbStoreTests
{
    private const long Ts = 1_763_800_000_000;

    private static readonly Reading[] TwoReadings =
    [
        new("E1", "G1", "CAST1.MOULD.WATER.P", Ts, PointValueKind.Number, 0.182, false, PointQuality.Good),
        new("E1", "G1", "CAST1.FAST_CUTOFF.CLOSED", Ts - 500, PointValueKind.Boolean, 0, false, PointQuality.Good),
    ];

    private const string TwoLines =
        "telemetry,ent=E1,gw=G1,point=CAST1.MOULD.WATER.P value=0.182 1763800000000\n" +
        "telemetry,ent=E1,gw=G1,point=CAST1.FAST_CUTOFF.CLOSED state=false 1763799999500\n";

    private static InfluxDbOptions V2(Action<InfluxDbOptions>? configure = null)
    {
        var options = new InfluxDbOptions
        {
            Url = new Uri("https://influx.example:8086"),
            ApiVersion = InfluxApiVersion.V2,
            Org = "plant ops",
            Bucket = "mon/itoring",
            Token = "s3cr3t==",
        };
        configure?.Invoke(options);
        return options;
    }

    [Fact]
    public async Task WriteAsync_V2_PostsLineProtocolWithTokenToApiV2Write()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal(HttpMethod.Post, request.Method);
        Assert.Equal("https://influx.example:8086/api/v2/write?org=plant%20ops&bucket=mon%2Fitoring&precision=ms", request.Uri.AbsoluteUri);
        Assert.Equal("Token s3cr3t==", request.Authorization);
        Assert.Equal("text/plain; charset=utf-8", request.ContentType);
        Assert.Null(request.ContentEncoding);
        Assert.Equal(TwoLines, Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task WriteAsync_V2WithoutBucket_UsesDatabaseAsBucket()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(o => o.Bucket = null), http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);

        Assert.Equal("/api/v2/write?org=plant%20ops&bucket=monitoring&precision=ms", handler.Requests[0].Uri.PathAndQuery);
    }

    [Fact]
    public async Task WriteAsync_UrlWithPathPrefix_KeepsPrefix()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(o => o.Url = new Uri("http://proxy.example/influx")), http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);

        Assert.StartsWith("http://proxy.example/influx/api/v2/write?", handler.Requests[0].Uri.AbsoluteUri, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_V1_PostsToWriteWithDatabaseRetentionPolicyAndBasicAuth()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(new InfluxDbOptions
        {
            Url = new Uri("http://127.0.0.1:8086/"),
            Database = "mon db",
            RetentionPolicy = "one_week",
            Username = "writer",
            Password = "p:ss",
        }, http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("/write?db=mon%20db&rp=one_week&precision=ms", request.Uri.PathAndQuery);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes("writer:p:ss")), request.Authorization);
        Assert.Equal(TwoLines, Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task WriteAsync_V1WithoutCredentials_SendsNoAuthorization()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(new InfluxDbOptions(), http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);

        Assert.Equal("http://127.0.0.1:8086/write?db=monitoring&precision=ms", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Null(handler.Requests[0].Authorization);
    }

    [Fact]
    public async Task WriteAsync_Gzip_SendsCompressedBodyWithContentEncoding()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(o => o.Gzip = true), http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);

        var request = handler.Requests[0];
        Assert.Equal("gzip", request.ContentEncoding);
        using var unzip = new GZipStream(new MemoryStream(request.Body), CompressionMode.Decompress);
        using var reader = new StreamReader(unzip, Encoding.UTF8);
        Assert.Equal(TwoLines, await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task WriteAsync_ConsecutiveBatches_BodiesDoNotLeakIntoEachOther()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        await store.WriteAsync(TwoReadings, CancellationToken.None);
        await store.WriteAsync(TwoReadings.AsMemory(1), CancellationToken.None);

        Assert.Equal(TwoLines.Split('\n')[1] + "\n", Encoding.UTF8.GetString(handler.Requests[1].Body));
    }

    [Fact]
    public async Task WriteAsync_EmptyBatch_SendsNothing()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        await store.WriteAsync(ReadOnlyMemory<Reading>.Empty, CancellationToken.None);

        Assert.Empty(handler.Requests);
    }

    [Theory]
    [InlineData(HttpStatusCode.BadRequest)]
    [InlineData(HttpStatusCode.RequestEntityTooLarge)]
    [InlineData(HttpStatusCode.UnprocessableEntity)]
    public async Task WriteAsync_DataRefused_ThrowsRejectedWithServerText(HttpStatusCode status)
    {
        var handler = new RecordingHandler(status, """{"code":"invalid","message":"unable to parse 'x': bad timestamp"}""");
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        var ex = await Assert.ThrowsAsync<TimeSeriesWriteRejectedException>(() => store.WriteAsync(TwoReadings, CancellationToken.None));

        Assert.Contains("bad timestamp", ex.Message, StringComparison.Ordinal);
        Assert.Contains(((int)status).ToString(System.Globalization.CultureInfo.InvariantCulture), ex.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError)]
    [InlineData(HttpStatusCode.ServiceUnavailable)]
    [InlineData(HttpStatusCode.Unauthorized)]
    [InlineData(HttpStatusCode.TooManyRequests)]
    public async Task WriteAsync_OtherFailure_ThrowsTransientHttpRequestException(HttpStatusCode status)
    {
        var handler = new RecordingHandler(status, "overloaded");
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        var ex = await Assert.ThrowsAsync<HttpRequestException>(() => store.WriteAsync(TwoReadings, CancellationToken.None));

        Assert.Equal(status, ex.StatusCode);
        Assert.Contains("overloaded", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WriteAsync_ReadingThatCannotBeFormatted_ThrowsRejectedWithoutSending()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);
        Reading[] bad = [TwoReadings[0], TwoReadings[0] with { Tag = "x\ntelemetry,ent=other" }];

        var ex = await Assert.ThrowsAsync<TimeSeriesWriteRejectedException>(() => store.WriteAsync(bad, CancellationToken.None));

        Assert.IsType<ArgumentException>(ex.InnerException);
        Assert.Contains("Reading 1", ex.Message, StringComparison.Ordinal);
        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task WriteAsync_ServerNeverAnswers_ThrowsTimeoutAfterConfiguredTimeout()
    {
        using var http = new HttpClient(new HangingHandler());
        var store = new InfluxDbStore(V2(o => o.Timeout = TimeSpan.FromMilliseconds(50)), http);

        await Assert.ThrowsAsync<TimeoutException>(() => store.WriteAsync(TwoReadings, CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_CallerCancels_ThrowsOperationCanceledNotTimeout()
    {
        using var http = new HttpClient(new HangingHandler());
        var store = new InfluxDbStore(V2(), http);
        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();

        var ex = await Assert.ThrowsAnyAsync<OperationCanceledException>(() => store.WriteAsync(TwoReadings, cancel.Token));

        Assert.IsNotType<TimeoutException>(ex);
    }

    [Theory]
    [InlineData(HttpStatusCode.NoContent, true)]
    [InlineData(HttpStatusCode.OK, false)]
    [InlineData(HttpStatusCode.ServiceUnavailable, false)]
    public async Task IsReachableAsync_PingStatus_MapsToReachable(HttpStatusCode status, bool expected)
    {
        var handler = new RecordingHandler(status);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        Assert.Equal(expected, await store.IsReachableAsync(CancellationToken.None));
        Assert.Equal("https://influx.example:8086/ping", handler.Requests[0].Uri.AbsoluteUri);
        Assert.Equal(HttpMethod.Get, handler.Requests[0].Method);
    }

    [Fact]
    public async Task IsReachableAsync_ConnectionRefused_ReturnsFalse()
    {
        using var http = new HttpClient(new ThrowingHandler());
        var store = new InfluxDbStore(V2(), http);

        Assert.False(await store.IsReachableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task InitializeAsync_V2_SendsNothing()
    {
        var handler = new RecordingHandler(HttpStatusCode.NoContent);
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(V2(), http);

        await store.InitializeAsync(CancellationToken.None);

        Assert.Empty(handler.Requests);
    }

    [Fact]
    public async Task InitializeAsync_V1_PostsQuotedCreateDatabase()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"results":[{"statement_id":0}]}""");
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(new InfluxDbOptions { Database = "mon\"db" }, http);

        await store.InitializeAsync(CancellationToken.None);

        var request = Assert.Single(handler.Requests);
        Assert.Equal("/query", request.Uri.AbsolutePath);
        Assert.Equal("q=" + Uri.EscapeDataString("CREATE DATABASE \"mon\\\"db\"").Replace("%20", "+", StringComparison.Ordinal), Encoding.UTF8.GetString(request.Body));
    }

    [Fact]
    public async Task InitializeAsync_V1StatementError_Throws()
    {
        var handler = new RecordingHandler(HttpStatusCode.OK, """{"results":[{"statement_id":0,"error":"unauthorized"}]}""");
        using var http = new HttpClient(handler);
        var store = new InfluxDbStore(new InfluxDbOptions(), http);

        var ex = await Assert.ThrowsAsync<InvalidOperationException>(() => store.InitializeAsync(CancellationToken.None));

        Assert.Contains("unauthorized", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Constructor_IncompleteOptions_ThrowsClearly()
    {
        Assert.Throws<ArgumentException>(() => new InfluxDbStore(V2(o => o.Org = null)));
        Assert.Throws<ArgumentException>(() => new InfluxDbStore(new InfluxDbOptions { Database = " " }));
        Assert.Throws<ArgumentException>(() => new InfluxDbStore(new InfluxDbOptions { Url = new Uri("ftp://x/") }));
        Assert.Throws<ArgumentException>(() => new InfluxDbStore(new InfluxDbOptions { Timeout = TimeSpan.Zero }));
    }

    private sealed record RecordedRequest(HttpMethod Method, Uri Uri, string? Authorization, string? ContentType, string? ContentEncoding, byte[] Body);

    private sealed class RecordingHandler(HttpStatusCode status, string responseBody = "") : HttpMessageHandler
    {
        public List<RecordedRequest> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
            lock (Requests)
            {
                Requests.Add(new RecordedRequest(
                    request.Method,
                    request.RequestUri!,
                    request.Headers.Authorization?.ToString(),
                    request.Content?.Headers.ContentType?.ToString(),
                    request.Content?.Headers.ContentEncoding.SingleOrDefault(),
                    body));
            }

            return new HttpResponseMessage(status) { Content = new StringContent(responseBody) };
        }
    }

    private sealed class HangingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed class ThrowingHandler : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new HttpRequestException("Connection refused", new System.Net.Sockets.SocketException(111));
    }
}

using Microsoft.Extensions.Time.Testing;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Tests.Storage;

public sealed class DeadLetterStoreTests : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2025, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private readonly TempFolder _folder = new();
    private readonly FakeTimeProvider _time = new(T0);

    public void Dispose() => _folder.Dispose();

    private DeadLetterStore Create(DeadLetterOptions? options = null, string name = "deadletters.db") =>
        new(_folder.File(name), _time, logger: null, options);

    private static DeadLetter Letter(int n, string enterprise = "E1", string gateway = "G1", string reason = "invalid_json", string? raw = null) =>
        new(T0.AddSeconds(n), $"mon/v1/{enterprise}/{gateway}/telemetry", enterprise, gateway, reason, "detail " + n, n % 2 == 0 ? n : null, raw ?? "{raw " + n + "}");

    [Fact]
    public async Task Enqueue_ThenStop_PersistsAndListsNewestFirst()
    {
        await using var store = Create();
        await store.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(store.Enqueue(Letter(i)));
        }

        await store.StopAsync(CancellationToken.None);

        var rows = await store.ListAsync(new DeadLetterQuery());
        Assert.Equal([4, 3, 2, 1, 0], rows.Select(r => (int)(r.ReceivedAt - T0).TotalSeconds));
        Assert.True(rows[0].Id > rows[1].Id);
        var first = rows[^1];
        Assert.Equal("mon/v1/E1/G1/telemetry", first.Topic);
        Assert.Equal("E1", first.Enterprise);
        Assert.Equal("G1", first.Gateway);
        Assert.Equal("invalid_json", first.Reason);
        Assert.Equal("detail 0", first.Detail);
        Assert.Equal(0, first.PointIndex);
        Assert.Null(rows[^2].PointIndex);
        Assert.Equal("{raw 0}", first.Raw);
        Assert.False(first.RawTruncated);
        Assert.Equal(5, await store.CountAsync());
        Assert.Equal(5, store.Written);
        Assert.Equal(0, store.Dropped);
    }

    [Fact]
    public async Task ListAsync_Filters_MatchEnterpriseGatewayAndReason()
    {
        await using var store = Create();
        await store.StartAsync(CancellationToken.None);
        store.Enqueue(Letter(1, "E1", "G1", "invalid_json"));
        store.Enqueue(Letter(2, "E1", "G2", "invalid_tag"));
        store.Enqueue(Letter(3, "E2", "G1", "invalid_tag"));
        store.Enqueue(Letter(4, "E1", "G1", "invalid_tag"));
        await store.FlushAsync(CancellationToken.None);

        var byEnterprise = await store.ListAsync(new DeadLetterQuery { Enterprise = "E1" });
        var byGateway = await store.ListAsync(new DeadLetterQuery { Enterprise = "E1", Gateway = "G1" });
        var byReason = await store.ListAsync(new DeadLetterQuery { Reason = "invalid_tag" });
        var combined = await store.ListAsync(new DeadLetterQuery { Gateway = "G1", Reason = "invalid_tag" });

        Assert.Equal(["detail 4", "detail 2", "detail 1"], byEnterprise.Select(r => r.Detail));
        Assert.Equal(["detail 4", "detail 1"], byGateway.Select(r => r.Detail));
        Assert.Equal(["detail 4", "detail 3", "detail 2"], byReason.Select(r => r.Detail));
        Assert.Equal(["detail 4", "detail 3"], combined.Select(r => r.Detail));
    }

    [Fact]
    public async Task ListAsync_LimitAndBeforeId_PageThroughNewestFirst()
    {
        await using var store = Create();
        await store.StartAsync(CancellationToken.None);
        for (var i = 0; i < 5; i++)
        {
            store.Enqueue(Letter(i));
        }

        await store.FlushAsync(CancellationToken.None);

        var page1 = await store.ListAsync(new DeadLetterQuery { Limit = 2 });
        var page2 = await store.ListAsync(new DeadLetterQuery { Limit = 2, BeforeId = page1[^1].Id });
        var clamped = await store.ListAsync(new DeadLetterQuery { Limit = 0 });

        Assert.Equal(["detail 4", "detail 3"], page1.Select(r => r.Detail));
        Assert.Equal(["detail 2", "detail 1"], page2.Select(r => r.Detail));
        Assert.Single(clamped);
    }

    [Fact]
    public async Task Retention_MoreThanMaxRows_KeepsOnlyTheNewest()
    {
        await using var store = Create(new DeadLetterOptions { MaxRows = 5, BatchSize = 3 });
        await store.StartAsync(CancellationToken.None);
        for (var i = 0; i < 12; i++)
        {
            store.Enqueue(Letter(i));
        }

        await store.StopAsync(CancellationToken.None);

        Assert.Equal(5, await store.CountAsync());
        var rows = await store.ListAsync(new DeadLetterQuery { Limit = 100 });
        Assert.Equal(["detail 11", "detail 10", "detail 9", "detail 8", "detail 7"], rows.Select(r => r.Detail));
    }

    [Fact]
    public async Task Enqueue_QueueFull_DropsAndCountsWithoutBlocking()
    {
        // Not started: nothing drains, so the queue fills deterministically.
        await using var store = Create(new DeadLetterOptions { QueueCapacity = 3 });

        var accepted = Enumerable.Range(0, 10).Select(i => store.Enqueue(Letter(i))).ToList();

        Assert.Equal([true, true, true, false, false, false, false, false, false, false], accepted);
        Assert.Equal(7, store.Dropped);
        Assert.Equal(3, store.Pending);

        await store.StartAsync(CancellationToken.None);
        await store.StopAsync(CancellationToken.None);
        Assert.Equal(["detail 2", "detail 1", "detail 0"], (await store.ListAsync(new DeadLetterQuery())).Select(r => r.Detail));
    }

    [Fact]
    public async Task Enqueue_AfterStop_IsDroppedAndCounted()
    {
        await using var store = Create();
        await store.StartAsync(CancellationToken.None);
        await store.StopAsync(CancellationToken.None);

        Assert.False(store.Enqueue(Letter(1)));

        Assert.Equal(1, store.Dropped);
    }

    [Fact]
    public async Task Enqueue_RawLongerThanLimit_IsTruncatedAndMarked()
    {
        await using var store = Create(new DeadLetterOptions { MaxRawChars = 10 });
        await store.StartAsync(CancellationToken.None);
        store.Enqueue(Letter(1, raw: new string('x', 25)));
        store.Enqueue(Letter(2, raw: "short"));

        await store.StopAsync(CancellationToken.None);

        var rows = await store.ListAsync(new DeadLetterQuery());
        Assert.Equal(("short", 5, false), (rows[0].Raw, rows[0].RawLength, rows[0].RawTruncated));
        Assert.Equal((new string('x', 10), 25, true), (rows[1].Raw, rows[1].RawLength, rows[1].RawTruncated));
    }

    [Fact]
    public async Task Enqueue_InvalidUtf16AndMultilineRaw_StoredSafely()
    {
        await using var store = Create();
        await store.StartAsync(CancellationToken.None);
        var raw = "a" + (char)0xD800 + "b\r\n\0c" + "\uFFFD";
        store.Enqueue(Letter(1, raw: raw));

        await store.StopAsync(CancellationToken.None);

        var row = Assert.Single(await store.ListAsync(new DeadLetterQuery()));
        Assert.Equal("a\uFFFDb\r\n\0c\uFFFD", row.Raw);
    }

    [Theory]
    [InlineData("abcdef", 4, "abcd", true)]
    [InlineData("abc😀", 4, "abc", true)]
    [InlineData("abc😀", 5, "abc😀", false)]
    [InlineData("ab", 4, "ab", false)]
    public void Sanitize_Truncation_NeverSplitsASurrogatePair(string value, int max, string expected, bool truncated)
    {
        Assert.Equal(expected, DeadLetterStore.Sanitize(value, max, out var wasTruncated));
        Assert.Equal(truncated, wasTruncated);
    }

    [Fact]
    public async Task Rows_AfterReopen_ArePersistedAndIdsKeepGrowing()
    {
        long lastId;
        await using (var first = Create(name: "reopen.db"))
        {
            await first.StartAsync(CancellationToken.None);
            first.Enqueue(Letter(1));
            await first.StopAsync(CancellationToken.None);
            lastId = Assert.Single(await first.ListAsync(new DeadLetterQuery())).Id;
        }

        await using var second = Create(name: "reopen.db");
        await second.StartAsync(CancellationToken.None);
        second.Enqueue(Letter(2));
        await second.StopAsync(CancellationToken.None);

        var rows = await second.ListAsync(new DeadLetterQuery());
        Assert.Equal(["detail 2", "detail 1"], rows.Select(r => r.Detail));
        Assert.True(rows[0].Id > lastId);
    }

    [Fact]
    public async Task FlushAsync_WhileRunning_CompletesWhenEnqueuedLettersAreWritten()
    {
        await using var store = Create();
        await store.StartAsync(CancellationToken.None);
        for (var i = 0; i < 100; i++)
        {
            store.Enqueue(Letter(i));
        }

        await store.FlushAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.Equal(100, await store.CountAsync());
        Assert.Equal(0, store.Pending);
    }

    [Fact]
    public async Task StopAsync_CancelledWhileWritesFail_CountsUnwrittenLettersAsDropped()
    {
        var path = _folder.File("broken.db");
        await using var store = new DeadLetterStore(path, _time, logger: null, new DeadLetterOptions { BatchSize = 2 });
        await store.StartAsync(CancellationToken.None);
        // Every insert now fails; the retry delay runs on the fake clock, so the loop waits until the stop gives up.
        await using (var other = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=False"))
        {
            await other.OpenAsync();
            await using var drop = other.CreateCommand();
            drop.CommandText = "DROP TABLE dead_letters";
            await drop.ExecuteNonQueryAsync();
        }

        for (var i = 0; i < 5; i++)
        {
            store.Enqueue(Letter(i));
        }

        using var cancel = new CancellationTokenSource();
        await cancel.CancelAsync();
        await store.StopAsync(cancel.Token);

        Assert.Equal(5, store.Dropped);
        Assert.Equal(0, store.Written);
    }
}

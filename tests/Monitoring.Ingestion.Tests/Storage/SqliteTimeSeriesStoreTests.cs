using Microsoft.Data.Sqlite;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Tests.Storage;

public sealed class SqliteTimeSeriesStoreTests : IDisposable
{
    private const long Ts = 1_763_800_000_000;
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    private async Task<SqliteTimeSeriesStore> OpenAsync(string name = "timeseries.db")
    {
        var store = new SqliteTimeSeriesStore(_folder.File(name));
        await store.InitializeAsync(CancellationToken.None);
        return store;
    }

    private static Reading Number(string tag, long ts, double value, PointQuality quality = PointQuality.Good) =>
        new("E1", "G1", tag, ts, PointValueKind.Number, value, false, quality);

    [Fact]
    public async Task WriteAsync_EachKind_RoundTrips()
    {
        using var store = await OpenAsync();
        Reading[] readings =
        [
            Number("P", Ts, 0.182),
            new("E1", "G1", "B", Ts, PointValueKind.Boolean, 0, true, PointQuality.Good),
            new("E1", "G1", "B", Ts + 1, PointValueKind.Boolean, 0, false, PointQuality.Uncertain),
            new("E1", "G1", "N", Ts, PointValueKind.Null, 0, false, PointQuality.Bad),
        ];

        await store.WriteAsync(readings, CancellationToken.None);

        var p = Assert.Single(await store.QueryAsync("E1", "G1", "P", Ts, Ts + 1, 10));
        Assert.Equal(new StoredReadingRow("E1", "G1", "P", Ts, 0.182, null, PointQuality.Good), p);
        var b = await store.QueryAsync("E1", "G1", "B", 0, long.MaxValue, 10);
        Assert.Equal(
            [
                new StoredReadingRow("E1", "G1", "B", Ts, null, true, PointQuality.Good),
                new StoredReadingRow("E1", "G1", "B", Ts + 1, null, false, PointQuality.Uncertain),
            ],
            b);
        var n = Assert.Single(await store.QueryAsync("E1", "G1", "N", 0, long.MaxValue, 10));
        Assert.Equal(new StoredReadingRow("E1", "G1", "N", Ts, null, null, PointQuality.Bad), n);
    }

    [Fact]
    public async Task WriteAsync_ExtremeNumbers_RoundTripExactly()
    {
        using var store = await OpenAsync();
        double[] values = [double.MaxValue, -double.MaxValue, double.Epsilon, -0.0, 0.1 + 0.2];
        var readings = new Reading[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            readings[i] = Number("X", Ts + i, values[i]);
        }

        await store.WriteAsync(readings, CancellationToken.None);

        var rows = await store.QueryAsync("E1", "G1", "X", Ts, Ts + values.Length, 100);
        Assert.Equal(values, rows.Select(r => r.Value!.Value));
    }

    [Fact]
    public async Task WriteAsync_SameSeriesAndTimestampTwice_OverwritesIdempotently()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(new[] { Number("P", Ts, 1.0), Number("P", Ts + 1, 2.0) }, CancellationToken.None);

        await store.WriteAsync(new[] { Number("P", Ts, 1.0), Number("P", Ts + 1, 2.0) }, CancellationToken.None);
        await store.WriteAsync(new[] { Number("P", Ts + 1, 3.0, PointQuality.Bad) }, CancellationToken.None);

        Assert.Equal(2, await store.CountAsync());
        var rows = await store.QueryAsync("E1", "G1", "P", 0, long.MaxValue, 10);
        Assert.Equal(1.0, rows[0].Value);
        Assert.Equal(new StoredReadingRow("E1", "G1", "P", Ts + 1, 3.0, null, PointQuality.Bad), rows[1]);
    }

    [Fact]
    public async Task WriteAsync_KindChangesAtSameTimestamp_ReplacesWholeRow()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(new[] { Number("P", Ts, 1.0) }, CancellationToken.None);

        await store.WriteAsync(new Reading[] { new("E1", "G1", "P", Ts, PointValueKind.Boolean, 0, true, PointQuality.Good) }, CancellationToken.None);

        var row = Assert.Single(await store.QueryAsync("E1", "G1", "P", 0, long.MaxValue, 10));
        Assert.Null(row.Value);
        Assert.True(row.State);
    }

    [Fact]
    public async Task WriteAsync_ConcurrentWriters_StoreEveryReading()
    {
        using var store = await OpenAsync();
        const int Writers = 8;
        const int Batches = 20;
        const int BatchSize = 50;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(w => Task.Run(async () =>
        {
            for (var b = 0; b < Batches; b++)
            {
                var batch = new Reading[BatchSize];
                for (var i = 0; i < BatchSize; i++)
                {
                    batch[i] = new Reading("E1", "G" + w, "P", Ts + (b * BatchSize) + i, PointValueKind.Number, i, false, PointQuality.Good);
                }

                await store.WriteAsync(batch, CancellationToken.None);
            }
        })));

        Assert.Equal(Writers * Batches * BatchSize, await store.CountAsync());
        for (var w = 0; w < Writers; w++)
        {
            Assert.Equal(Batches * BatchSize, await store.CountAsync("E1", "G" + w, "P"));
        }
    }

    [Fact]
    public async Task WriteAsync_NonFiniteNumber_RejectsWholeBatch()
    {
        using var store = await OpenAsync();

        await Assert.ThrowsAsync<TimeSeriesWriteRejectedException>(
            () => store.WriteAsync(new[] { Number("P", Ts, 1), Number("P", Ts + 1, double.NaN) }, CancellationToken.None));

        Assert.Equal(0, await store.CountAsync());
        await store.WriteAsync(new[] { Number("P", Ts, 1) }, CancellationToken.None);
        Assert.Equal(1, await store.CountAsync());
    }

    [Fact]
    public async Task WriteAsync_AfterReopen_DataIsStillThere()
    {
        var path = _folder.File("reopen.db");
        using (var first = new SqliteTimeSeriesStore(path))
        {
            await first.InitializeAsync(CancellationToken.None);
            await first.WriteAsync(new[] { Number("P", Ts, 42) }, CancellationToken.None);
        }

        using var second = new SqliteTimeSeriesStore(path);
        await second.InitializeAsync(CancellationToken.None);

        Assert.Equal(42, Assert.Single(await second.QueryAsync("E1", "G1", "P", 0, long.MaxValue, 1)).Value);
    }

    [Fact]
    public async Task InitializeAsync_NewFile_UsesWalAndFullSync()
    {
        using var store = await OpenAsync();

        await using var connection = new SqliteConnection($"Data Source={store.Path};Pooling=False");
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", (string?)await command.ExecuteScalarAsync());
        command.CommandText = "SELECT sql FROM sqlite_master WHERE name = 'readings'";
        var sql = (string?)await command.ExecuteScalarAsync();
        Assert.Contains("WITHOUT ROWID", sql, StringComparison.Ordinal);
        Assert.Contains("PRIMARY KEY (enterprise, gateway, point, ts)", sql, StringComparison.Ordinal);
    }

    [Fact]
    public async Task QueryAsync_Range_IsHalfOpenOrderedAndLimited()
    {
        using var store = await OpenAsync();
        await store.WriteAsync(new[] { Number("P", Ts + 2, 2), Number("P", Ts, 0), Number("P", Ts + 1, 1), Number("P", Ts + 3, 3) }, CancellationToken.None);

        var range = await store.QueryAsync("E1", "G1", "P", Ts + 1, Ts + 3, 10);
        var limited = await store.QueryAsync("E1", "G1", "P", 0, long.MaxValue, 2);

        Assert.Equal([Ts + 1, Ts + 2], range.Select(r => r.TimestampMs));
        Assert.Equal([Ts, Ts + 1], limited.Select(r => r.TimestampMs));
    }

    [Fact]
    public async Task IsReachableAsync_InitializedVersusMissingFile_ReflectsState()
    {
        using var store = await OpenAsync();
        using var missing = new SqliteTimeSeriesStore(_folder.File("never-initialized.db"));

        Assert.True(await store.IsReachableAsync(CancellationToken.None));
        Assert.False(await missing.IsReachableAsync(CancellationToken.None));
    }

    [Fact]
    public async Task WriteAsync_EmptyBatch_DoesNothing()
    {
        using var store = await OpenAsync();

        await store.WriteAsync(ReadOnlyMemory<Reading>.Empty, CancellationToken.None);

        Assert.Equal(0, await store.CountAsync());
        Assert.Equal("embedded", store.Name);
    }
}

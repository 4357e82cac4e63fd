using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>
/// Late data (older than what a sensor's live rules evaluated, e.g. a back-fill after an outage): a
/// transition found in it is recorded as historical, and it never clears or re-raises a live alarm.
/// </summary>
public sealed class LateDataTests : IAsyncLifetime
{
    private const string Site = """
        enterprise: ENT
        industry: aluminium-casting
        gateways:
          - id: gw01
            points:
              - tag: P
                unit: MPa
                rules:
                  - id: LOW_PRESSURE
                    type: limit
                    ll: 0.14
        """;

    private static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "late-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(Start);
    private readonly OutboxSignal _signal = new();
    private long _seq;
    private AlarmJournal _journal = null!;
    private DeadLetterStore _deadLetters = null!;
    private IngestionPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _deadLetters = new DeadLetterStore(Path.Combine(_folder, "dl.db"), _time);
        await _deadLetters.StartAsync(CancellationToken.None);
        var rules = RuleCompiler.Compile([SiteConfigurationParser.Parse(Site, "test.yaml").Site!]).RuleSet!;
        _pipeline = new IngestionPipeline(TestPipelines.Dependencies(
            new PipelineOptions { Partitions = 1, FlushInterval = TimeSpan.Zero, LateDataSettle = TimeSpan.FromSeconds(2) },
            _time, _journal, _deadLetters, new RuleSetHolder(rules), signal: _signal));
        _pipeline.Start();
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DrainAsync(TimeSpan.FromSeconds(10));
        await _deadLetters.StopAsync(CancellationToken.None);
        await _deadLetters.DisposeAsync();
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>Publishes one reading of P at sensor time <paramref name="ts"/> and waits until it is acknowledged (its events journalled).</summary>
    private async Task ReadingAsync(long ts, double value)
    {
        var payload = Encoding.UTF8.GetBytes(string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"seq":{{++_seq}},"ts":{{ts}},"points":[{"tag":"P","v":{{value}}}]}"""));
        var acknowledged = new Acknowledger();
        Assert.Equal(Admission.Queued, await _pipeline.AdmitAsync("mon/v1/ENT/gw01/telemetry", new ReadOnlySequence<byte>(payload), acknowledged, NowMs, CancellationToken.None));
        await acknowledged.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    private async Task<List<(string Type, bool Historical, DateTimeOffset OccurredAt)>> EventsAsync()
    {
        var items = await _journal.ReadOutboxAsync(100, CancellationToken.None);
        return [.. items.Where(i => i.MessageType is nameof(AlarmRaised) or nameof(AlarmCleared)).Select(i =>
        {
            using var json = JsonDocument.Parse(i.Payload);
            return (i.MessageType, json.RootElement.GetProperty("historical").GetBoolean(), json.RootElement.GetProperty("occurredAt").GetDateTimeOffset());
        })];
    }

    [Fact]
    public async Task BackFill_WithAnEpisodeOlderThanLiveData_IsRecordedAsHistoricalRaiseAndClear()
    {
        var live = NowMs;
        await ReadingAsync(live, 0.2);

        await ReadingAsync(live - 10_000, 0.1);
        await ReadingAsync(live - 9_000, 0.2);

        var events = await EventsAsync();
        Assert.Equal(
            [(nameof(AlarmRaised), true, Start.AddSeconds(-10)), (nameof(AlarmCleared), true, Start.AddSeconds(-9))],
            events);
    }

    [Fact]
    public async Task OutOfOrderReading_WithinTheReorderWindow_IsPagedNotHistorical()
    {
        var live = NowMs;
        await ReadingAsync(live, 0.2);

        await ReadingAsync(live - 1_500, 0.1);

        Assert.Equal([(nameof(AlarmRaised), false, Start.AddMilliseconds(-1_500))], await EventsAsync());
    }

    [Fact]
    public async Task BackFill_DuringALiveAlarm_NeitherRaisesAgainNorClearsIt()
    {
        var live = NowMs;
        await ReadingAsync(live, 0.1);
        Assert.Equal([(nameof(AlarmRaised), false, Start)], await EventsAsync());

        await ReadingAsync(live - 5_000, 0.1);
        await ReadingAsync(live - 4_000, 0.2);

        Assert.Equal([(nameof(AlarmRaised), false, Start)], await EventsAsync());
    }

    [Fact]
    public async Task BackFill_EndingInsideAnEpisode_IsClearedAsHistoricalOnceSettled()
    {
        var live = NowMs;
        await ReadingAsync(live, 0.2);
        await ReadingAsync(live - 10_000, 0.1);
        await ReadingAsync(live - 8_000, 0.1);
        Assert.Equal([(nameof(AlarmRaised), true, Start.AddSeconds(-10))], await EventsAsync());

        _time.Advance(TimeSpan.FromSeconds(3));
        var events = await WaitForAsync(e => e.Count == 2);

        Assert.Equal((nameof(AlarmCleared), true, Start.AddSeconds(-8)), events[1]);
    }

    private async Task<List<(string Type, bool Historical, DateTimeOffset OccurredAt)>> WaitForAsync(Func<List<(string, bool, DateTimeOffset)>, bool> done)
    {
        for (var i = 0; i < 20; i++)
        {
            var events = await EventsAsync();
            if (done(events))
                return events;
            await _signal.WaitAsync(TimeSpan.FromSeconds(1), CancellationToken.None);
        }

        return await EventsAsync();
    }
}

using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Hosting;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>One alarm event as journalled in the outbox.</summary>
internal sealed record JournalledEvent(string Type, string RuleId, long Sequence, bool Historical, DateTimeOffset OccurredAt, double? Value);

/// <summary>
/// The ingestion path without servers, on a fake clock: a one-partition pipeline with a real SQLite journal and
/// a real SQLite time-series store in a temporary folder, started the way the service starts it (RuleStateReplay
/// restores the journal and replays the store). <see cref="RestartAsync"/> stops it and starts a new one on the
/// same files, with no state but what they hold (as after a kill -9 between messages). Messages are published one at a time and awaited until acknowledged.
/// </summary>
internal sealed class PipelineHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pipeline-" + Guid.NewGuid().ToString("N"));
    private readonly string _site;
    private readonly PipelineOptions _options;
    private long _seq;
    private SqliteTimeSeriesStore _store = null!;
    private AlarmJournal _journal = null!;
    private DeadLetterStore _deadLetters = null!;
    private IngestionPipeline _pipeline = null!;

    private PipelineHarness(string site, PipelineOptions options)
    {
        _site = site;
        _options = options;
    }

    public FakeTimeProvider Time { get; } = new(Start);

    public OutboxSignal Signal { get; } = new();

    public AlarmTracker Alarms { get; private set; } = null!;

    public GatewayRegistry Gateways { get; private set; } = null!;

    public RuleSetHolder Rules { get; private set; } = null!;

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public static async Task<PipelineHarness> StartAsync(string site, PipelineOptions? options = null)
    {
        var harness = new PipelineHarness(site, options ?? new PipelineOptions());
        Directory.CreateDirectory(harness._folder);
        await harness.OpenAsync();
        return harness;
    }

    private async Task OpenAsync()
    {
        _store = new SqliteTimeSeriesStore(Path.Combine(_folder, "timeseries.db"));
        await _store.InitializeAsync(CancellationToken.None);
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _deadLetters = new DeadLetterStore(Path.Combine(_folder, "dl.db"), Time);
        await _deadLetters.StartAsync(CancellationToken.None);
        var options = new PipelineOptions
        {
            Partitions = 1,
            FlushInterval = TimeSpan.Zero,
            LateDataSettle = _options.LateDataSettle,
            HistoricalAfter = _options.HistoricalAfter,
            BacklogHoldLimit = _options.BacklogHoldLimit,
            ClockSkewLimit = _options.ClockSkewLimit,
            ReplayOnStart = _options.ReplayOnStart,
        };
        var compile = new RuleSetOptions { ClockSkewLimit = options.ClockSkewLimit };
        Rules = new RuleSetHolder(RuleCompiler.Compile([SiteConfigurationParser.Parse(_site, "test.yaml").Site!], compile).RuleSet!);
        Alarms = new AlarmTracker(Time);
        Gateways = new GatewayRegistry();
        _pipeline = new IngestionPipeline(TestPipelines.Dependencies(
            options, Time, _journal, _deadLetters, Rules, store: _store, alarms: Alarms, signal: Signal, gateways: Gateways));
        var replay = new RuleStateReplay(_store, Rules, Alarms, _journal, Gateways, _pipeline, Options.Create(options), Options.Create(new TelemetryOptions()), Time, NullLogger<RuleStateReplay>.Instance);
        await replay.RunAsync(CancellationToken.None);
        _pipeline.Start();
    }

    /// <summary>As kill -9 between messages: the journal and the store keep what was committed. Then a fresh start on the same files.</summary>
    public async Task RestartAsync(TimeSpan downtime)
    {
        await CloseAsync();
        Time.Advance(downtime);
        await OpenAsync();
    }

    /// <summary>Publishes one telemetry message of gateway gw01 and waits until it is acknowledged (its events journalled).</summary>
    public async Task PublishAsync(long ts, params (string Tag, double Value)[] points)
    {
        var body = string.Join(",", points.Select(p => string.Create(CultureInfo.InvariantCulture, $$"""{"tag":"{{p.Tag}}","v":{{p.Value}}}""")));
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{++_seq}},"ts":{{ts}},"points":[{{body}}]}"""));
        var acknowledged = new Acknowledger();
        Assert.Equal(Admission.Queued, await _pipeline.AdmitAsync("mon/v1/ENT/gw01/telemetry", new ReadOnlySequence<byte>(payload), acknowledged, NowMs, CancellationToken.None));
        await acknowledged.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>Runs an operator action on the gateway's worker, as the HTTP API does; returns once its events are durable.</summary>
    public Task<OperatorOutcome> PublishCommandAsync(Func<List<JournalEntry>, OperatorOutcome> action) =>
        _pipeline.ExecuteAsync("ENT", "gw01", action, CancellationToken.None);

    /// <summary>Writes a reading straight to the store, as if the service had stored it and died before anything else.</summary>
    public Task StoreOnlyAsync(string tag, long ts, double value) =>
        _store.WriteAsync(new[] { new Reading("ENT", "gw01", tag, ts, PointValueKind.Number, value, false, PointQuality.Good) }, CancellationToken.None);

    /// <summary>Advances the fake clock and waits until the worker's timers ran for it.</summary>
    public async Task AdvanceAsync(TimeSpan by)
    {
        Time.Advance(by);
        _pipeline.Tick();
        // A command queued behind the tick completes after it: the timers have run and their events are journalled.
        // (An outcome of Done completes only after the journal commit that follows it.)
        await _pipeline.ExecuteAsync("ENT", "gw01", static _ => OperatorOutcome.Done(null), CancellationToken.None);
    }

    /// <summary>Alarm events in the outbox (nothing publishes it here), in commit order.</summary>
    public async Task<List<JournalledEvent>> EventsAsync(string? ruleId = null)
    {
        var items = await _journal.ReadOutboxAsync(10_000, CancellationToken.None);
        return [.. items.Where(i => i.MessageType is nameof(AlarmRaised) or nameof(AlarmCleared)).Select(i =>
        {
            using var json = JsonDocument.Parse(i.Payload);
            var e = json.RootElement;
            return new JournalledEvent(i.MessageType, e.GetProperty("ruleId").GetString()!, e.GetProperty("sequence").GetInt64(),
                e.GetProperty("historical").GetBoolean(), e.GetProperty("occurredAt").GetDateTimeOffset(),
                e.GetProperty("value").ValueKind == JsonValueKind.Number ? e.GetProperty("value").GetDouble() : null);
        }).Where(e => ruleId is null || e.RuleId == ruleId)];
    }

    /// <summary>Reasons of the dead letters so far, oldest first.</summary>
    public async Task<IReadOnlyList<string>> DeadLetterReasonsAsync()
    {
        await _deadLetters.FlushAsync(CancellationToken.None);
        return [.. (await _deadLetters.ListAsync(new DeadLetterQuery())).Reverse().Select(d => d.Reason)];
    }

    // Every published message was awaited until acknowledged, so nothing is left to drain: stopping the workers
    // here leaves the files exactly as a kill -9 at this moment would.
    private async Task CloseAsync()
    {
        await _pipeline.DrainAsync(TimeSpan.FromSeconds(10));
        await _deadLetters.StopAsync(CancellationToken.None);
        await _deadLetters.DisposeAsync();
        _journal.Dispose();
        await _store.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await CloseAsync();
        Directory.Delete(_folder, recursive: true);
    }
}

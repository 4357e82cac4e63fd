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

/// <summary>A gateway that stops talking is reported silent on the worker's timer, and online again when data resumes.</summary>
public sealed class GatewaySilenceTests : IAsyncLifetime
{
    private const string Site = """
        enterprise: ENT
        industry: dust
        gateways:
          - id: gw01
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "silence-" + Guid.NewGuid().ToString("N"));
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2026, 11, 22, 8, 0, 0, TimeSpan.Zero));
    private readonly OutboxSignal _signal = new();
    private readonly GatewayRegistry _gateways = new();
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
        _gateways.Expect("ENT", "gw01", _time.GetUtcNow().ToUnixTimeMilliseconds());
        _pipeline = new IngestionPipeline(TestPipelines.Dependencies(
            new PipelineOptions { Partitions = 1, FlushInterval = TimeSpan.Zero, GatewaySilentAfter = TimeSpan.FromSeconds(30) },
            _time, _journal, _deadLetters, new RuleSetHolder(rules), signal: _signal, gateways: _gateways));
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

    private async Task<List<GatewayStatusChanged>> StatusEventsAsync()
    {
        var items = await _journal.ReadOutboxAsync(100, CancellationToken.None);
        return [.. items.Where(i => i.MessageType == nameof(GatewayStatusChanged)).Select(i => JsonSerializer.Deserialize<GatewayStatusChanged>(i.Payload, AlarmJournal.JsonOptions)!)];
    }

    [Fact]
    public async Task ConfiguredGateway_SilentPastTimeout_IsReportedSilent_ThenOnlineWhenDataResumes()
    {
        _time.Advance(TimeSpan.FromSeconds(29));
        Assert.Empty(await StatusEventsAsync());

        _time.Advance(TimeSpan.FromSeconds(2));
        Assert.True(await _signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "no journal commit after the silence timeout");
        var silent = Assert.Single(await StatusEventsAsync());
        Assert.Equal(GatewayStates.Silent, silent.State);
        Assert.Equal("gw01", silent.Gateway);

        var now = _time.GetUtcNow().ToUnixTimeMilliseconds();
        var payload = Encoding.UTF8.GetBytes($$"""{"ts":{{now}},"points":[{"tag":"X","v":1}]}""");
        Assert.Equal(Admission.Queued, await _pipeline.AdmitAsync("mon/v1/ENT/gw01/telemetry", new ReadOnlySequence<byte>(payload), null, now, CancellationToken.None));

        Assert.True(await _signal.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None), "no journal commit after data resumed");
        var events = await StatusEventsAsync();
        Assert.Equal([GatewayStates.Silent, GatewayStates.Online], events.Select(e => e.State));
    }
}

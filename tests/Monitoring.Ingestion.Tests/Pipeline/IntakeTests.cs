using System.Buffers;
using System.Text;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>
/// The intake (<see cref="IngestionPipeline.AdmitAsync"/>) is the one place a message is admitted or refused before
/// decoding: a refused message is counted on its gateway and kept as a dead letter, an admitted one reaches the worker
/// that owns its gateway, found from the topic once.
/// </summary>
public sealed class IntakeTests : IAsyncLifetime
{
    private const string Site = """
        enterprise: ENT
        industry: steel
        gateways:
          - id: gw01
            points:
              - tag: P
        """;

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "intake-" + Guid.NewGuid().ToString("N"));
    private readonly GatewayRegistry _gateways = new();
    private AlarmJournal _journal = null!;
    private DeadLetterStore _deadLetters = null!;
    private IngestionPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _deadLetters = new DeadLetterStore(Path.Combine(_folder, "dl.db"), TimeProvider.System);
        await _deadLetters.StartAsync(CancellationToken.None);
        var rules = RuleCompiler.Compile([SiteConfigurationParser.Parse(Site, "test.yaml").Site!]).RuleSet!;
        _pipeline = new IngestionPipeline(TestPipelines.Dependencies(
            new PipelineOptions { Partitions = 3, FlushInterval = TimeSpan.Zero }, TimeProvider.System, _journal, _deadLetters, new RuleSetHolder(rules),
            gateways: _gateways, decoder: TelemetryDecoderOptions.Default with { MaxPayloadBytes = 1024 }, topicRoot: "plant/v1"));
        _pipeline.Start();
    }

    public async Task DisposeAsync()
    {
        await _pipeline.DrainAsync(TimeSpan.FromSeconds(5));
        await _deadLetters.StopAsync(CancellationToken.None);
        await _deadLetters.DisposeAsync();
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [Theory]
    [InlineData("mon/v1/ENT/gw01/telemetry")] // another root
    [InlineData("plant/v1/ENT/gw01/readings")]
    [InlineData("plant/v1/ENT/telemetry")]
    [InlineData("plant/v1/E NT/gw01/telemetry")]
    public async Task TopicThatNamesNoGateway_IsRefusedAndKept(string topic)
    {
        var admission = await _pipeline.AdmitAsync(topic, Payload("""{"ts":1,"points":[]}"""), null, Now(), CancellationToken.None);

        Assert.Equal(Admission.Rejected, admission);
        await _deadLetters.FlushAsync(CancellationToken.None);
        var letter = Assert.Single(await _deadLetters.ListAsync(new DeadLetterQuery()));
        Assert.Equal("invalid_topic", letter.Reason);
        Assert.Equal(topic, letter.Topic);
        Assert.Contains("\"points\"", letter.Raw, StringComparison.Ordinal);
        Assert.Empty(_gateways.All());
    }

    [Fact]
    public async Task OversizedPayload_IsRefusedBeforeQueueing_CountedOnItsGatewayAndKeptWithItsFirstBytes()
    {
        var big = """{"ts":1,"points":[""" + string.Join(',', Enumerable.Repeat("""{"tag":"P","v":1}""", 200)) + "]}";

        var admission = await _pipeline.AdmitAsync("plant/v1/ENT/gw01/telemetry", Payload(big), null, Now(), CancellationToken.None);

        Assert.Equal(Admission.Rejected, admission);
        var gateway = _gateways.Get("ENT", "gw01");
        Assert.Equal(1, gateway.Rejections["too_large"]);
        Assert.False(gateway.HasQueuedMessages);
        await _deadLetters.FlushAsync(CancellationToken.None);
        var letter = Assert.Single(await _deadLetters.ListAsync(new DeadLetterQuery { Enterprise = "ENT", Gateway = "gw01" }));
        Assert.Equal("too_large", letter.Reason);
        Assert.StartsWith($"{big.Length} bytes, limit 1024", letter.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AdmittedMessage_ReachesTheWorkerOfItsGateway_AndIsAcknowledgedOnceStored()
    {
        var ack = new Acknowledger();

        var admission = await _pipeline.AdmitAsync("plant/v1/ENT/gw01/telemetry", Payload($$"""{"ts":{{Now()}},"points":[{"tag":"P","v":2}]}"""), ack, Now(), CancellationToken.None);

        Assert.Equal(Admission.Queued, admission);
        await ack.Done.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var gateway = _gateways.Get("ENT", "gw01");
        Assert.Equal(1, gateway.Messages);
        Assert.Equal(1, gateway.Readings);
        Assert.Equal(Partitioning.Of("ENT", "gw01", 3), gateway.Partition);
        Assert.Contains(gateway, _gateways.OwnedBy(gateway.Partition));
    }

    private static ReadOnlySequence<byte> Payload(string json) => new(Encoding.UTF8.GetBytes(json));

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
}

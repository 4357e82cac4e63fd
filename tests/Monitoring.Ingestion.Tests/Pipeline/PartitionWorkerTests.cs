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
/// The acknowledgement discipline of one partition, with an in-process store whose writes the test
/// controls: a message is acknowledged only after its readings are written and its alarm events are
/// in the outbox. (The same path against real servers: Monitoring.IntegrationTests.)
/// </summary>
public sealed class PartitionWorkerTests : IAsyncLifetime
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

    private readonly string _folder = Path.Combine(Path.GetTempPath(), "pw-" + Guid.NewGuid().ToString("N"));
    private readonly GatedStore _store = new();
    private AlarmJournal _journal = null!;
    private DeadLetterStore _deadLetters = null!;
    private IngestionPipeline _pipeline = null!;

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(_folder);
        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _deadLetters = new DeadLetterStore(Path.Combine(_folder, "dl.db"), TimeProvider.System);
        await _deadLetters.StartAsync(CancellationToken.None);
        var site = SiteConfigurationParser.Parse(Site, "test.yaml");
        var rules = RuleCompiler.Compile([site.Site!]).RuleSet!;
        _pipeline = new IngestionPipeline(TestPipelines.Dependencies(
            new PipelineOptions { Partitions = 1, FlushInterval = TimeSpan.Zero }, TimeProvider.System, _journal, _deadLetters, new RuleSetHolder(rules), store: _store));
        _pipeline.Start();
    }

    public async Task DisposeAsync()
    {
        _store.Release();
        await _pipeline.DrainAsync(TimeSpan.FromSeconds(10));
        await _deadLetters.StopAsync(CancellationToken.None);
        await _deadLetters.DisposeAsync();
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private async Task SendAsync(string json, IMessageAcknowledger acknowledger) =>
        Assert.Equal(Admission.Queued, await _pipeline.AdmitAsync("mon/v1/ENT/gw01/telemetry", new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json)), acknowledger,
            TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), CancellationToken.None));

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    [Fact]
    public async Task Message_IsAcknowledgedOnlyAfterTheStoreWriteCompleted()
    {
        var ack = new RecordingAcknowledger();
        await SendAsync($$"""{"ts":{{Now()}},"points":[{"tag":"P","v":0.2}]}""", ack);

        await _store.WriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.False(ack.Acknowledged.IsCompleted);

        _store.Release();
        await ack.Acknowledged.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(1, _store.Written);
    }

    [Fact]
    public async Task LimitCrossing_EventIsInTheOutboxBeforeTheMessageIsAcknowledged()
    {
        _store.Release();
        var ack = new RecordingAcknowledger(async () => Assert.Single(await _journal.ReadOutboxAsync(10, CancellationToken.None)));
        await SendAsync($$"""{"ts":{{Now()}},"points":[{"tag":"P","v":0.1}]}""", ack);

        await ack.Acknowledged.WaitAsync(TimeSpan.FromSeconds(10));
        var outbox = await _journal.ReadOutboxAsync(10, CancellationToken.None);
        Assert.Equal(nameof(Monitoring.Contracts.AlarmRaised), Assert.Single(outbox).MessageType);
        Assert.Single(await _journal.LoadActiveAsync(CancellationToken.None));
    }

    [Fact]
    public async Task LimitCrossing_EventIsJournalledWhileTheStoreWriteIsStillPending()
    {
        // The store is gated (never released here until dispose): the alarm must not wait for it.
        var ack = new RecordingAcknowledger();
        await SendAsync($$"""{"ts":{{Now()}},"points":[{"tag":"P","v":0.1}]}""", ack);

        await _store.WriteStarted.WaitAsync(TimeSpan.FromSeconds(10));
        var outbox = await _journal.ReadOutboxAsync(10, CancellationToken.None);

        Assert.Equal(nameof(Monitoring.Contracts.AlarmRaised), Assert.Single(outbox).MessageType);
        Assert.Equal(0, _store.Written);
        Assert.False(ack.Acknowledged.IsCompleted);
    }

    [Fact]
    public async Task MessageWithOneBadPoint_GoodPointsWrittenAndMessageAcknowledged()
    {
        _store.Release();
        var ack = new RecordingAcknowledger();
        await SendAsync($$"""{"ts":{{Now()}},"points":[{"tag":"P","v":0.2},{"tag":"bad tag","v":1},{"tag":"Q","v":true}]}""", ack);

        await ack.Acknowledged.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(2, _store.Written);
    }

    /// <summary>A store whose writes wait until the test releases them.</summary>
    private sealed class GatedStore : ITimeSeriesStore
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _started = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _written;

        public string Name => "gated";
        public Task WriteStarted => _started.Task;
        public int Written => Volatile.Read(ref _written);

        public void Release() => _gate.TrySetResult();

        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public async Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken)
        {
            _started.TrySetResult();
            await _gate.Task.WaitAsync(cancellationToken);
            Interlocked.Add(ref _written, readings.Length);
        }

        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }

    private sealed class RecordingAcknowledger(Func<Task>? beforeAck = null) : IMessageAcknowledger
    {
        private readonly TaskCompletionSource _acknowledged = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Acknowledged => _acknowledged.Task;

        public async Task AcknowledgeAsync(CancellationToken cancellationToken)
        {
            if (beforeAck is not null)
                await beforeAck();
            _acknowledged.TrySetResult();
        }
    }
}

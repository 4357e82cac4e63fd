using System.Buffers;
using System.Text;
using BenchmarkDotNet.Attributes;
using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Polly;

namespace Monitoring.Benchmarks;

/// <summary>
/// The service's path from the MQTT callback to the acknowledgement, in process: <see cref="IngestionPipeline.AdmitAsync"/>
/// (topic parse, gateway lookup, pooled payload copy, queue), the partition worker (decode, each point into the batch and
/// through its four-stage limit rule), the store write (a store that accepts at once) and the acknowledgement. Quiet
/// data: no alarm changes. One operation is one message; with one and with fifty readings a message, so that the bytes
/// per message, compared between the two, show the bytes per reading (zero: only the message itself allocates).
/// </summary>
[MemoryDiagnoser]
public class IntakeBenchmarks
{
    private const int Messages = 1_000;
    private const string Topic = "mon/v1/91441800BENCHSTEEL/gw01/telemetry";

    private readonly CountingAcknowledger _acknowledger = new();
    private string _folder = "";
    private AlarmJournal _journal = null!;
    private DeadLetterStore _deadLetters = null!;
    private IngestionPipeline _pipeline = null!;
    private ReadOnlySequence<byte>[] _payloads = [];
    private long _timestampMs;

    [Params(1, 50)]
    public int ReadingsPerMessage { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _folder = Path.Combine(Path.GetTempPath(), "intake-bench-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(_folder);
        var site = new StringBuilder("enterprise: 91441800BENCHSTEEL\nindustry: steel\ngateways:\n  - id: gw01\n    points:\n");
        for (var i = 0; i < 50; i++)
            site.Append($"      - tag: T.{i}\n        rules:\n          - id: R\n            type: limit\n            ll: 10\n            l: 20\n            h: 80\n            hh: 90\n");
        var parsed = SiteConfigurationParser.Parse(site.ToString(), "bench.yaml");
        var rules = RuleCompiler.Compile([parsed.Site ?? throw new InvalidOperationException(string.Join("; ", parsed.Errors))]).RuleSet
            ?? throw new InvalidOperationException("benchmark site does not compile");

        _journal = new AlarmJournal(Path.Combine(_folder, "alarms.db"));
        _deadLetters = new DeadLetterStore(Path.Combine(_folder, "dead-letters.db"), TimeProvider.System);
        _deadLetters.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        _pipeline = new IngestionPipeline(new PipelineDependencies(
            new PipelineOptions { Partitions = 1, QueueCapacity = Messages * 2, FlushInterval = TimeSpan.Zero },
            TelemetryDecoderOptions.Default,
            TimeProvider.System,
            new AcceptingStore(),
            ResiliencePipeline.Empty,
            _journal,
            ResiliencePipeline.Empty,
            new AlarmTracker(TimeProvider.System),
            new OutboxSignal(),
            _deadLetters,
            new GatewayRegistry(),
            new RuleSetHolder(rules),
            NullLogger.Instance,
            TelemetryTopic.DefaultRoot));
        _pipeline.Start();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _pipeline.DrainAsync(TimeSpan.FromSeconds(10)).GetAwaiter().GetResult();
        _deadLetters.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        _deadLetters.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _journal.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    [IterationSetup]
    public void MakePayloads()
    {
        // Built outside the measurement: a gateway's bytes arrive from the network, they are not ours to allocate.
        _payloads = new ReadOnlySequence<byte>[Messages];
        var random = new Random(42);
        var json = new StringBuilder();
        // Sensor time rises by 1 ms a message and never runs ahead of the server clock: a gateway clock ahead would be
        // judged skewed (an alarm), one far ahead refused. So an iteration waits, unmeasured, for the clock to catch up.
        var nowMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        _timestampMs = Math.Max(_timestampMs, nowMs - (2 * Messages));
        if (_timestampMs + Messages > nowMs)
            Task.Delay(TimeSpan.FromMilliseconds(_timestampMs + Messages - nowMs), TimeProvider.System).GetAwaiter().GetResult();
        for (var m = 0; m < Messages; m++)
        {
            _timestampMs++;
            json.Clear().Append("{\"ts\":").Append(_timestampMs).Append(",\"points\":[");
            for (var p = 0; p < ReadingsPerMessage; p++)
                json.Append(p == 0 ? "" : ",").Append("{\"tag\":\"T.").Append(p).Append("\",\"v\":").Append(30 + random.Next(40)).Append('}');
            _payloads[m] = new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(json.Append("]}").ToString()));
        }
    }

    [Benchmark(OperationsPerInvoke = Messages)]
    public long Message()
    {
        var target = _acknowledger.Expect(Messages);
        var receivedAtMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var payload in _payloads)
        {
            var admitted = _pipeline.AdmitAsync(Topic, payload, _acknowledger, receivedAtMs, CancellationToken.None);
            if (!admitted.IsCompletedSuccessfully || admitted.Result != Admission.Queued)
                throw new InvalidOperationException("the benchmark's queue must take every message at once");
        }

        _acknowledger.WaitFor(target);
        return target;
    }

    private sealed class AcceptingStore : ITimeSeriesStore
    {
        public string Name => "accepting";
        public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task WriteAsync(ReadOnlyMemory<Reading> readings, CancellationToken cancellationToken) => Task.CompletedTask;
        public Task<bool> IsReachableAsync(CancellationToken cancellationToken) => Task.FromResult(true);
    }

    /// <summary>Counts acknowledgements; the benchmark thread spins until a target count (no allocation per message).</summary>
    private sealed class CountingAcknowledger : IMessageAcknowledger
    {
        private long _count;
        private long _expected;

        public long Expect(int messages) => _expected += messages;

        public void WaitFor(long target)
        {
            var spin = new SpinWait();
            while (Interlocked.Read(ref _count) < target)
                spin.SpinOnce();
        }

        public Task AcknowledgeAsync(CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _count);
            return Task.CompletedTask;
        }
    }
}

using System.Buffers;
using System.Threading.Channels;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Storage;
using Polly;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>What every partition worker shares. Built once. <see cref="TopicRoot"/>: Monitoring:Mqtt:TopicRoot, the root the intake admits.</summary>
internal sealed record PipelineDependencies(
    PipelineOptions Options,
    TelemetryDecoderOptions DecoderOptions,
    TimeProvider Time,
    ITimeSeriesStore Store,
    ResiliencePipeline StoreRetry,
    AlarmJournal Journal,
    ResiliencePipeline JournalRetry,
    AlarmTracker Alarms,
    OutboxSignal OutboxSignal,
    DeadLetterStore DeadLetters,
    GatewayRegistry Gateways,
    RuleSetHolder RuleSets,
    ILogger Logger,
    string TopicRoot)
{
    public Rejections Rejections { get; } = new(DeadLetters, Time);
}

/// <summary>What became of a message offered to the pipeline (<see cref="IngestionPipeline.AdmitAsync"/>).</summary>
internal enum Admission
{
    /// <summary>Queued for its partition: the worker acknowledges it once what it carries is durable.</summary>
    Queued,
    /// <summary>Refused before decoding (topic, size): recorded (<see cref="Rejections"/>); the caller acknowledges it now.</summary>
    Rejected,
    /// <summary>The service is stopping: not acknowledged, so the broker redelivers it to the next run.</summary>
    Stopping,
}

/// <summary>
/// The partitioned intake: decides whether a message is admitted (its topic names a gateway, its size is within the
/// limit), finds the gateway's state once, and routes the message to the worker that owns the gateway through a
/// bounded queue. When a queue is full the caller (the MQTT receive loop) waits: MQTT has no back-pressure to
/// publishers, but the broker is built to hold messages while we catch up.
/// </summary>
internal sealed class IngestionPipeline
{
    /// <summary>How much of a payload refused before decoding is kept as its dead letter.</summary>
    private const int RefusedHeadBytes = 4096;

    private readonly PartitionWorker[] _workers;
    private readonly Task[] _running;
    private readonly TelemetryDecoderOptions _decoderOptions;
    private readonly Rejections _rejections;
    private readonly TimeProvider _time;
    private readonly GatewayRegistry _gateways;
    private readonly string _topicRoot;
    private readonly ArrayPool<byte> _payloads;
    private CancellationTokenSource? _hardStop;
    private ITimer? _ticker;

    public IngestionPipeline(PipelineDependencies deps)
    {
        _decoderOptions = deps.DecoderOptions;
        _rejections = deps.Rejections;
        _time = deps.Time;
        _gateways = deps.Gateways;
        _topicRoot = deps.TopicRoot;
        _workers = new PartitionWorker[deps.Options.Partitions];
        _running = new Task[_workers.Length];
        _gateways.UsePartitions(_workers.Length);
        var partitions = _workers.Length;
        deps.Alarms.UsePartitions(partitions, (enterprise, gateway) => Partitioning.Of(enterprise, gateway, partitions));
        // The payload copies of every message in flight (queued, or read and awaiting its batch's write): the shared
        // pool keeps only a few arrays per size, so under load, with queues full, it would allocate a copy per message.
        var inFlight = deps.Options.Partitions * (deps.Options.QueueCapacity + deps.Options.BatchSize);
        _payloads = ArrayPool<byte>.Create(deps.DecoderOptions.MaxPayloadBytes, inFlight);
        for (var i = 0; i < _workers.Length; i++)
            _workers[i] = new PartitionWorker(i, deps);
    }

    public void Start()
    {
        _hardStop = new CancellationTokenSource();
        _ticker = _time.CreateTimer(static state => ((IngestionPipeline)state!).Tick(), this,
            TimeSpan.FromMilliseconds(PartitionWorker.TimerPeriodMs), TimeSpan.FromMilliseconds(PartitionWorker.TimerPeriodMs));
        for (var i = 0; i < _workers.Length; i++)
        {
            var worker = _workers[i];
            _running[i] = Task.Run(() => worker.RunAsync(_hardStop.Token));
        }
    }

    /// <summary>
    /// The one way in for an MQTT message. A topic that names no gateway, or a payload over the size limit, is refused
    /// here, before its payload is copied; otherwise the message is queued for the worker that owns its gateway
    /// (possibly after waiting for room). Allocates nothing per message but the message itself and its pooled copy.
    /// </summary>
    /// <param name="acknowledger">Null for QoS 0: nothing to acknowledge.</param>
    public async ValueTask<Admission> AdmitAsync(string topic, ReadOnlySequence<byte> payload, IMessageAcknowledger? acknowledger, long receivedAtMs, CancellationToken cancellationToken)
    {
        if (!TelemetryTopic.TryParse(topic.AsSpan(), _topicRoot.AsSpan(), out var enterprise, out var gateway, out var kind))
        {
            _rejections.Record(RejectReason.InvalidTopic, topic, null, null, null, Head(payload));
            return Admission.Rejected;
        }

        // Enterprise and gateway ids contain no '/': "enterprise/gateway" is one stretch of the topic.
        var (from, enterpriseLength) = enterprise.GetOffsetAndLength(topic.Length);
        var to = gateway.End.GetOffset(topic.Length);
        var state = _gateways.Resolve(topic.AsSpan(from, to - from), enterpriseLength);
        if (payload.Length > _decoderOptions.MaxPayloadBytes)
        {
            _rejections.Record(RejectReason.TooLarge, topic, state,
                $"{payload.Length} bytes, limit {_decoderOptions.MaxPayloadBytes}; first bytes kept", null, Head(payload));
            return Admission.Rejected;
        }

        var message = new InboundMessage(topic, state, kind, payload, acknowledger, receivedAtMs, _payloads);
        try
        {
            await EnqueueAsync(message, cancellationToken);
            return Admission.Queued;
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            message.ReleasePayload();
            IngestionMetrics.AddPipelineQueued(-1);
            state.MessageTaken();
            return Admission.Stopping;
        }
    }

    private static byte[] Head(ReadOnlySequence<byte> payload) => payload.Slice(0, Math.Min(payload.Length, RefusedHeadBytes)).ToArray();

    private ValueTask EnqueueAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        IngestionMetrics.MessagesReceived.Add(1, new KeyValuePair<string, object?>("kind", message.Kind == TopicKind.Status ? "status" : "telemetry"));
        IngestionMetrics.AddPipelineQueued(1);
        message.State.MessageQueued();
        var writer = _workers[message.State.Partition].Writer;
        if (writer.TryWrite(message))
            return ValueTask.CompletedTask;

        IngestionMetrics.IntakeBlocked.Add(1);
        return writer.WriteAsync(message, cancellationToken);
    }

    /// <summary>Stops intake and lets every worker write and acknowledge what it has read.</summary>
    public async Task DrainAsync(TimeSpan timeout)
    {
        if (_ticker is not null)
            await _ticker.DisposeAsync();
        foreach (var worker in _workers)
            worker.Writer.TryComplete();

        var all = Task.WhenAll(_running.Where(t => t is not null));
        if (await Task.WhenAny(all, Task.Delay(timeout, _time)) != all)
            await _hardStop!.CancelAsync();
        try
        {
            await all;
        }
        catch (OperationCanceledException)
        {
            // Hard stop after the timeout: unacknowledged messages are redelivered by the broker.
        }
    }

    private int PartitionOf(string enterprise, string gateway) => Partitioning.Of(enterprise, gateway, _workers.Length);

    /// <summary>
    /// The evaluator of the worker that owns a gateway. Only for the start-up replay, which runs before
    /// <see cref="Start"/> (the workers are the single writers of rule state once they run).
    /// </summary>
    public ReadingEvaluator EvaluatorOf(string enterprise, string gateway) => _hardStop is null
        ? _workers[PartitionOf(enterprise, gateway)].Evaluator
        : throw new InvalidOperationException("The workers run: rule state is theirs to change.");

    /// <summary>Runs an operator action on the worker that owns the gateway; completes once its events are durable.</summary>
    public async Task<OperatorOutcome> ExecuteAsync(string enterprise, string gateway, Func<List<JournalEntry>, OperatorOutcome> action, CancellationToken cancellationToken)
    {
        var command = new AlarmCommand(action);
        await _workers[PartitionOf(enterprise, gateway)].Writer.WriteAsync(command, cancellationToken);
        return await command.Completion.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Wakes idle workers so their timers run; a busy worker runs them between messages anyway.</summary>
    public void Tick()
    {
        foreach (var worker in _workers)
            worker.Writer.TryWrite(TimerTick.Instance);
    }
}

/// <summary>Which partition owns a gateway. Stable across runs and processes.</summary>
internal static class Partitioning
{
    public static int Of(string enterprise, string gateway, int partitions)
    {
        // string.GetHashCode is randomised per process; FNV-1a over both ids is cheap and stable.
        uint hash = 2166136261;
        foreach (var c in enterprise)
            hash = (hash ^ c) * 16777619;
        hash = (hash ^ '/') * 16777619;
        foreach (var c in gateway)
            hash = (hash ^ c) * 16777619;
        return (int)(hash % (uint)partitions);
    }
}

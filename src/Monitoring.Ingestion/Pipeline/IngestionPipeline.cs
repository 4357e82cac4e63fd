using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Storage;
using Polly;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>What every partition worker shares. Built once.</summary>
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
    ILogger Logger);

/// <summary>
/// The partitioned intake: routes each message to the worker that owns its gateway, through a
/// bounded queue. When a queue is full the caller (the MQTT receive loop) waits: MQTT has no
/// back-pressure to publishers, but the broker is built to hold messages while we catch up.
/// </summary>
internal sealed class IngestionPipeline
{
    private readonly PartitionWorker[] _workers;
    private readonly Task[] _running;
    private readonly TelemetryDecoderOptions _decoderOptions;
    private readonly DeadLetterStore _deadLetters;
    private readonly TimeProvider _time;
    private readonly GatewayRegistry _gateways;
    private CancellationTokenSource? _hardStop;
    private ITimer? _ticker;

    public IngestionPipeline(PipelineDependencies deps)
    {
        _decoderOptions = deps.DecoderOptions;
        _deadLetters = deps.DeadLetters;
        _time = deps.Time;
        _gateways = deps.Gateways;
        _workers = new PartitionWorker[deps.Options.Partitions];
        _running = new Task[_workers.Length];
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
    /// Hands a message to its partition. Rejects oversized payloads before copying them.
    /// Completes when the message is queued (possibly after waiting for room).
    /// </summary>
    public ValueTask EnqueueAsync(InboundMessage message, CancellationToken cancellationToken)
    {
        IngestionMetrics.MessagesReceived.Add(1, new KeyValuePair<string, object?>("kind", message.Kind == TopicKind.Status ? "status" : "telemetry"));
        IngestionMetrics.AddPipelineQueued(1);
        message.State = _gateways.Get(message.Enterprise, message.Gateway);
        message.State.MessageQueued();
        var writer = _workers[PartitionOf(message.Enterprise, message.Gateway)].Writer;
        if (writer.TryWrite(message))
            return ValueTask.CompletedTask;

        IngestionMetrics.IntakeBlocked.Add(1);
        return writer.WriteAsync(message, cancellationToken);
    }

    /// <summary>True when the payload is over the size limit; the caller acknowledges it without queueing it.</summary>
    public bool RejectIfOversized(string topic, string? enterprise, string? gateway, long length, ReadOnlySpan<byte> head)
    {
        if (length <= _decoderOptions.MaxPayloadBytes)
            return false;

        var reason = RejectReasons.Name(RejectReason.TooLarge);
        IngestionMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _deadLetters.Enqueue(new DeadLetter(_time.GetUtcNow(), topic, enterprise, gateway, reason,
            $"{length} bytes, limit {_decoderOptions.MaxPayloadBytes}; first bytes kept", null, System.Text.Encoding.UTF8.GetString(head)));
        return true;
    }

    /// <summary>A message on a topic that does not follow the contract: counted, kept, acknowledged.</summary>
    public void RejectTopic(string topic, ReadOnlySpan<byte> head)
    {
        var reason = RejectReasons.Name(RejectReason.InvalidTopic);
        IngestionMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
        _deadLetters.Enqueue(new DeadLetter(_time.GetUtcNow(), topic, null, null, reason, null, null, System.Text.Encoding.UTF8.GetString(head)));
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

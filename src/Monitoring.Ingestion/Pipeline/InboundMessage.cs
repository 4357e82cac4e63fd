using System.Buffers;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// A message taken from MQTT, waiting for its partition worker. The payload is copied into a pooled
/// buffer because MQTTnet may reuse its own buffer once the receive callback returns.
/// </summary>
internal sealed class InboundMessage : WorkItem
{
    private byte[]? _buffer;

    private readonly ArrayPool<byte> _pool;

    /// <param name="pool">Where the payload's copy is rented (and returned to by <see cref="ReleasePayload"/>).</param>
    public InboundMessage(string topic, GatewayState state, TopicKind kind, ReadOnlySequence<byte> payload, IMessageAcknowledger? acknowledger, long receivedAtMs, ArrayPool<byte> pool)
    {
        _pool = pool;
        Topic = topic;
        State = state;
        Kind = kind;
        Acknowledger = acknowledger;
        ReceivedAtMs = receivedAtMs;
        Length = checked((int)payload.Length);
        _buffer = pool.Rent(Math.Max(Length, 1));
        payload.CopyTo(_buffer);
    }

    public string Topic { get; }
    public string Enterprise => State.Enterprise;
    public string Gateway => State.Gateway;
    public TopicKind Kind { get; }
    public int Length { get; }
    public long ReceivedAtMs { get; }

    /// <summary>The gateway's state, found once at intake from the topic (<see cref="IngestionPipeline.AdmitAsync"/>) and used by the worker.</summary>
    public GatewayState State { get; }

    /// <summary>Null for QoS 0 messages: nothing to acknowledge.</summary>
    public IMessageAcknowledger? Acknowledger { get; }

    public ReadOnlySpan<byte> Payload => _buffer is null ? throw new ObjectDisposedException(nameof(InboundMessage)) : _buffer.AsSpan(0, Length);

    /// <summary>Returns the buffer to the pool. Called once, after the message was acknowledged.</summary>
    public void ReleasePayload()
    {
        var buffer = Interlocked.Exchange(ref _buffer, null);
        if (buffer is not null)
            _pool.Return(buffer);
    }
}

/// <summary>Sends the MQTT acknowledgement (PUBACK) of one message.</summary>
internal interface IMessageAcknowledger
{
    Task AcknowledgeAsync(CancellationToken cancellationToken);
}

/// <summary>Something for a partition worker to do, in order with the messages of its gateways.</summary>
internal abstract class WorkItem;

/// <summary>Wakes an idle worker so it runs its timers (shelf expiry, rule timers, silence).</summary>
internal sealed class TimerTick : WorkItem
{
    public static readonly TimerTick Instance = new();
}

/// <summary>
/// An operator action on an alarm, run by the worker that owns the alarm's gateway so that the
/// alarm's events are created and committed in sequence order. Completes after the commit.
/// </summary>
internal sealed class AlarmCommand(Func<List<JournalEntry>, OperatorOutcome> action) : WorkItem
{
    public Func<List<JournalEntry>, OperatorOutcome> Action { get; } = action;

    public TaskCompletionSource<OperatorOutcome> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public OperatorOutcome? Outcome { get; set; }
}

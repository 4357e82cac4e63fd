using System.Diagnostics.Metrics;

namespace Monitoring.Ingestion.Observability;

/// <summary>
/// Every instrument of the service, created once. Tags are low-cardinality only (reason, kind,
/// priority, store): never a gateway, enterprise or sensor id. Per-gateway counts live in the
/// gateways API instead.
/// </summary>
internal static class IngestionMetrics
{
    public const string MeterName = "Monitoring.Ingestion";

    private static readonly Meter Meter = new(MeterName);

    public static readonly Counter<long> MessagesReceived =
        Meter.CreateCounter<long>("monitoring.mqtt.messages.received", "{message}", "MQTT messages handed to the pipeline, by topic kind.");

    public static readonly Counter<long> MessagesAcknowledged =
        Meter.CreateCounter<long>("monitoring.mqtt.messages.acknowledged", "{message}", "MQTT messages acknowledged (PUBACK) after their readings were durable.");

    public static readonly Counter<long> IntakeBlocked =
        Meter.CreateCounter<long>("monitoring.pipeline.intake.blocked", "{message}", "Messages that found their partition queue full: the MQTT receive loop waited (back-pressure to the broker).");

    public static readonly Counter<long> ReadingsAccepted =
        Meter.CreateCounter<long>("monitoring.readings.accepted", "{reading}", "Points that passed validation.");

    public static readonly Counter<long> Rejections =
        Meter.CreateCounter<long>("monitoring.rejections", "{rejection}", "Rejected messages and points, by reason (see docs/contract.md).");

    public static readonly Counter<long> DuplicateMessages =
        Meter.CreateCounter<long>("monitoring.messages.duplicate", "{message}", "Messages whose seq was already seen (redelivery or re-send): stored idempotently, not evaluated twice.");

    public static readonly Counter<long> SequenceGaps =
        Meter.CreateCounter<long>("monitoring.messages.lost", "{message}", "Messages missing according to the gateways' seq counters.");

    public static readonly Counter<long> ReadingsNotEvaluated =
        Meter.CreateCounter<long>("monitoring.readings.not_evaluated", "{reading}", "Readings stored but not evaluated, by outcome (duplicate, late, bad_quality).");

    public static readonly Counter<long> ReadingsWritten =
        Meter.CreateCounter<long>("monitoring.store.readings.written", "{reading}", "Readings written durably to the time-series store.");

    public static readonly Counter<long> StoreWriteFailures =
        Meter.CreateCounter<long>("monitoring.store.write.failures", "{attempt}", "Failed time-series write attempts (retried; the messages stay unacknowledged).");

    public static readonly Counter<long> StoreWritesRejected =
        Meter.CreateCounter<long>("monitoring.store.readings.rejected", "{reading}", "Readings the store refused as malformed (dead-lettered).");

    public static readonly Histogram<double> StoreWriteDuration =
        Meter.CreateHistogram<double>("monitoring.store.write.duration", "ms", "Duration of one batch write to the time-series store.");

    public static readonly Histogram<double> EventTimeLag =
        Meter.CreateHistogram<double>("monitoring.readings.lag", "ms", "Server receive time minus sensor time, per message (first point).");

    public static readonly Counter<long> AlarmTransitions =
        Meter.CreateCounter<long>("monitoring.alarms.transitions", "{event}", "Alarm events written to the outbox, by type and priority.");

    public static readonly Counter<long> TransitionsDropped =
        Meter.CreateCounter<long>("monitoring.alarms.transitions.dropped", "{transition}",
            "Rule transitions not published, by reason: replayed (the start-up replay found one already journalled), older_than_alarm (late data older than the open alarm's last event).");

    public static readonly Counter<long> HeldRaisesReleased =
        Meter.CreateCounter<long>("monitoring.alarms.held.released", "{alarm}",
            "Raises found in a backlog and published once the gateway's data was current again (caught_up) or after the hold limit (hold_limit), or recorded historical with the backlog's own clear (ended_in_backlog).");

    public static readonly Histogram<double> ClockOffset =
        Meter.CreateHistogram<double>("monitoring.gateway.clock.offset", "s",
            "Estimated gateway clock offsets (gateway minus server, seconds; positive = ahead), recorded when an estimate changes.");

    public static readonly Counter<long> EventsPublished =
        Meter.CreateCounter<long>("monitoring.bus.events.published", "{event}", "Events published from the outbox to the bus.");

    public static readonly Counter<long> PublishFailures =
        Meter.CreateCounter<long>("monitoring.bus.publish.failures", "{attempt}", "Failed publish attempts (the event stays in the outbox and is retried).");

    public static readonly Counter<long> MqttReconnects =
        Meter.CreateCounter<long>("monitoring.mqtt.reconnects", "{connect}", "MQTT connection attempts after a loss, by result.");

    // Observed values, set by their owners and read by observable gauges.
    private static long _brokerQueuedMessages = -1;
    private static long _brokerDroppedMessages = -1;
    private static long _outboxDepth;
    private static long _activeAlarms;
    private static long _pipelineQueued;
    private static long _heldRaises;
    private static long _skewedGateways;

    public static void SetBrokerQueuedMessages(long value) => Interlocked.Exchange(ref _brokerQueuedMessages, value);
    public static void SetBrokerDroppedMessages(long value) => Interlocked.Exchange(ref _brokerDroppedMessages, value);
    public static void SetBrokerDroppedMessagesIfUnknown(long value) => Interlocked.CompareExchange(ref _brokerDroppedMessages, value, -1);
    public static void AddBrokerDroppedMessages(long delta) => Interlocked.Add(ref _brokerDroppedMessages, delta);
    public static void SetOutboxDepth(long value) => Interlocked.Exchange(ref _outboxDepth, value);
    public static void SetActiveAlarms(long value) => Interlocked.Exchange(ref _activeAlarms, value);
    public static void AddPipelineQueued(long delta) => Interlocked.Add(ref _pipelineQueued, delta);
    public static void SetHeldRaises(long value) => Interlocked.Exchange(ref _heldRaises, value);
    public static void AddSkewedGateways(long delta) => Interlocked.Add(ref _skewedGateways, delta);

    public static long BrokerQueuedMessages => Interlocked.Read(ref _brokerQueuedMessages);
    public static long BrokerDroppedMessages => Interlocked.Read(ref _brokerDroppedMessages);
    public static long PipelineQueued => Interlocked.Read(ref _pipelineQueued);

    private static Func<long>? _suppressedByMode;
    private static Func<(long Open, long Overdue)>? _hazards;

    /// <summary>Where the counts of open and overdue major-hazard records come from (the hazard register).</summary>
    public static void ObserveHazards(Func<(long Open, long Overdue)> source) => _hazards = source;

    /// <summary>Where the count of rule evaluations suppressed by a closed mode gate comes from (the rule set in force).</summary>
    public static void ObserveSuppressedByMode(Func<long> source) => _suppressedByMode = source;

    static IngestionMetrics()
    {
        // -1 means "not known yet" (no $SYS report from the broker so far); such values are not exported.
        Meter.CreateObservableGauge("monitoring.broker.queued_messages", ObserveBrokerQueued, "{message}",
            "Messages held by the MQTT broker (Mosquitto $SYS/broker/store/messages/count, or the embedded broker's pending queues).");
        Meter.CreateObservableGauge("monitoring.broker.dropped_messages", ObserveBrokerDropped, "{message}",
            "Messages the MQTT broker dropped because a queue overflowed (Mosquitto $SYS/broker/publish/messages/dropped, or the embedded broker's overflow count).");
        Meter.CreateObservableGauge("monitoring.pipeline.queued_messages", () => PipelineQueued, "{message}",
            "Messages received from MQTT and not yet acknowledged.");
        Meter.CreateObservableGauge("monitoring.outbox.depth", () => Interlocked.Read(ref _outboxDepth), "{event}",
            "Alarm events waiting in the outbox for the bus.");
        Meter.CreateObservableCounter("monitoring.rules.suppressed_by_mode", () => _suppressedByMode?.Invoke() ?? 0, "{evaluation}",
            "Evaluations that found a condition true while its mode gate (armedWhen) was closed: suppression is counted, never silent.");
        Meter.CreateObservableGauge("monitoring.alarms.held", () => Interlocked.Read(ref _heldRaises), "{alarm}",
            "Raises found in data behind their gateway's clock (a backlog), waiting for it to catch up or for the hold limit.");
        Meter.CreateObservableGauge("monitoring.gateway.clock.skewed", () => Interlocked.Read(ref _skewedGateways), "{gateway}",
            "Gateways whose clock is off the server's by more than Pipeline:ClockSkewLimit (GATEWAY_CLOCK_SKEW raised).");
        Meter.CreateObservableGauge("monitoring.alarms.active", () => Interlocked.Read(ref _activeAlarms), "{alarm}",
            "Alarms currently active.");
        Meter.CreateObservableGauge("monitoring.hazards.open", () => _hazards?.Invoke().Open ?? 0, "{hazard}",
            "Major-hazard records not closed out (重大事故隐患; the target is zero).");
        Meter.CreateObservableGauge("monitoring.hazards.overdue", () => _hazards?.Invoke().Overdue ?? 0, "{hazard}",
            "Open major-hazard records past the deadline of their step (plan, rectification, verification).");
    }

    private static IEnumerable<Measurement<long>> ObserveBrokerQueued()
    {
        var value = BrokerQueuedMessages;
        return value < 0 ? [] : [new Measurement<long>(value)];
    }

    private static IEnumerable<Measurement<long>> ObserveBrokerDropped()
    {
        var value = BrokerDroppedMessages;
        return value < 0 ? [] : [new Measurement<long>(value)];
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Storage;
using Polly;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>
/// The pipeline's dependencies as the unit tests build them, declared once: no retries (a failure shows at once),
/// no logging, the default topic root; each test passes the parts it looks at.
/// </summary>
internal static class TestPipelines
{
    public static PipelineDependencies Dependencies(
        PipelineOptions options,
        TimeProvider time,
        AlarmJournal journal,
        DeadLetterStore deadLetters,
        RuleSetHolder rules,
        ITimeSeriesStore? store = null,
        AlarmTracker? alarms = null,
        OutboxSignal? signal = null,
        GatewayRegistry? gateways = null,
        TelemetryDecoderOptions? decoder = null,
        string topicRoot = TelemetryTopic.DefaultRoot)
        => new(
            options,
            decoder ?? TelemetryDecoderOptions.Default,
            time,
            store ?? new NullStore(),
            ResiliencePipeline.Empty,
            journal,
            ResiliencePipeline.Empty,
            alarms ?? new AlarmTracker(time),
            signal ?? new OutboxSignal(),
            deadLetters,
            gateways ?? new GatewayRegistry(),
            rules,
            NullLogger.Instance,
            topicRoot);
}

using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>Configuration section <c>Monitoring:Pipeline</c>.</summary>
internal sealed class PipelineOptions
{
    public const string Section = "Monitoring:Pipeline";

    /// <summary>Partition workers. A gateway always maps to the same one (single writer of its sensors).</summary>
    [Range(1, 256)]
    public int Partitions { get; set; } = 4;

    /// <summary>
    /// Messages queued per partition. When full, the MQTT receive loop waits, so the broker holds the
    /// rest (it is built to queue). Bounded memory: capacity x 256 KiB worst case per partition.
    /// </summary>
    [Range(16, 1_000_000)]
    public int QueueCapacity { get; set; } = 4096;

    /// <summary>A batch is written when it reaches this many readings...</summary>
    [Range(1, 1_000_000)]
    public int BatchSize { get; set; } = 5000;

    /// <summary>
    /// ...or when the partition's queue is empty and this long has passed since the batch's first
    /// reading (0 = write as soon as the queue is empty: lowest latency, batches grow with load).
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// Data whose sensor time is older than this against its gateway's own clock (GatewayClock: its estimated
    /// offset, never the server's clock) is a backlog: a raise found in it is held until the gateway's data is
    /// current again (then paged, the condition being still true) or the backlog itself clears it (then the
    /// episode was wholly in the past and is recorded historical). See docs/rules.md, "Clocks".
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00", ErrorMessage = "Monitoring:Pipeline:HistoricalAfter must be between 1 s and 1 day")]
    public TimeSpan HistoricalAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Longest a raise found in a backlog waits for the gateway's data to catch up (server time). Past it the raise
    /// is paged anyway: a backlog that does not drain, or a clock estimate gone wrong, may delay an alarm, never
    /// silence it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00", ErrorMessage = "Monitoring:Pipeline:BacklogHoldLimit must be between 0 and 10 minutes")]
    public TimeSpan BacklogHoldLimit { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>A gateway whose clock is off the server's by more than this raises GATEWAY_CLOCK_SKEW (cleared below 80 % of it).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00", ErrorMessage = "Monitoring:Pipeline:ClockSkewLimit must be between 1 s and 365 days")]
    public TimeSpan ClockSkewLimit { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a sample of a gateway's clock counts in its estimate (GatewayClock takes the smallest offset seen within it).</summary>
    [Range(typeof(TimeSpan), "00:00:10", "1.00:00:00", ErrorMessage = "Monitoring:Pipeline:ClockWindow must be between 10 s and 1 day")]
    public TimeSpan ClockWindow { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Bounded reorder window. A reading older than its sensor's newest evaluated one never rewinds the
    /// live rules (that would delay every alarm by the window); it goes to the late-data rules. A transition
    /// found there in a reading late by no more than this is paged like a live one (out-of-order delivery
    /// over several connections); later than this it is recorded as historical (a back-fill).
    /// </summary>
    public TimeSpan ReorderWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// An alarm raised from late data (a back-fill) whose end the back-fill did not show is cleared, as
    /// historical, once no late data has come for this long and the live rules do not hold its condition.
    /// </summary>
    public TimeSpan LateDataSettle { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// A gateway that sent nothing (telemetry or status) for this long is reported <c>silent</c>
    /// (GatewayStatusChanged), unless it said <c>offline</c>; configured gateways count from the start.
    /// </summary>
    public TimeSpan GatewaySilentAfter { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// At start, the stored readings of this last stretch are run through the rules before any message is
    /// taken, so on-delays, windows and last values survive a restart or a kill -9 (0 = off). Cover the
    /// longest delay or window of the site's rules; longer costs start-up time (one store query per gateway).
    /// </summary>
    public TimeSpan ReplayOnStart { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Longest wait for one gateway's stored readings at start; past it that gateway's rules start fresh.</summary>
    public TimeSpan ReplayTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Readings kept per configured sensor for an alarm's <c>context</c> (contract: up to 60).</summary>
    [Range(0, 60)]
    public int ContextReadings { get; set; } = 60;
}

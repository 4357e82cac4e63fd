using System.ComponentModel.DataAnnotations;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// Configuration section <c>Monitoring:Telemetry</c>: the timestamp limits of docs/contract.md 1 ("a point more
/// than 5 minutes in the future ... or older than the accepted history window (default 7 days) is rejected"),
/// measured from the gateway's own clock as well as the server's (see GatewayClock). The size and point-count
/// limits are the contract's and are not configurable.
/// </summary>
internal sealed class TelemetryOptions
{
    public const string Section = "Monitoring:Telemetry";

    /// <summary>A point further ahead than this of both the server's and the gateway's clock is rejected (future_timestamp).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "365.00:00:00", ErrorMessage = "Monitoring:Telemetry:MaxFutureSkew must be between 1 s and 365 days")]
    public TimeSpan MaxFutureSkew { get; set; } = TelemetryDecoderOptions.Default.MaxFutureSkew;

    /// <summary>A point older than this before both clocks is rejected (too_old).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "3650.00:00:00", ErrorMessage = "Monitoring:Telemetry:HistoryWindow must be between 1 minute and 3650 days")]
    public TimeSpan HistoryWindow { get; set; } = TelemetryDecoderOptions.Default.HistoryWindow;

    public TelemetryDecoderOptions ToDecoderOptions() => TelemetryDecoderOptions.Default with { MaxFutureSkew = MaxFutureSkew, HistoryWindow = HistoryWindow };
}

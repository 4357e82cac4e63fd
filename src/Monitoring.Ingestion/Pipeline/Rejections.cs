using System.Text;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// The one place a message or a point is refused. Every rejection is counted by reason
/// (<c>monitoring_rejections_total</c>), per gateway when the topic named one (<c>/api/gateways</c>), and kept with
/// its raw bytes as a dead letter (<c>/api/dead-letters</c>), so that nothing is refused silently and nothing else
/// of the message is lost with it. The reasons are those of docs/contract.md ("Rejections").
/// </summary>
internal sealed class Rejections(DeadLetterStore deadLetters, TimeProvider time)
{
    /// <summary>A status payload (<c>…/status</c>) that is not the contract's JSON; telemetry reasons are <see cref="RejectReasons"/>.</summary>
    public const string InvalidStatus = "invalid_status";

    /// <summary>At most this much of a refused payload is kept.</summary>
    public const int RawLimit = 64 * 1024;

    public void Record(RejectReason reason, string topic, GatewayState? gateway, string? detail, int? pointIndex, ReadOnlySpan<byte> raw)
        => Record(RejectReasons.Name(reason), topic, gateway, detail, pointIndex, raw);

    public void Record(string reason, string topic, GatewayState? gateway, string? detail, int? pointIndex, ReadOnlySpan<byte> raw)
    {
        Count(reason, gateway);
        deadLetters.Enqueue(new DeadLetter(time.GetUtcNow(), topic, gateway?.Enterprise, gateway?.Gateway, reason, detail, pointIndex,
            Encoding.UTF8.GetString(raw.Length > RawLimit ? raw[..RawLimit] : raw)));
    }

    /// <summary>Counted only: a message with no valid point, whose points were each kept as they were refused.</summary>
    public static void Count(string reason, GatewayState? gateway)
    {
        IngestionMetrics.Rejections.Add(1, new KeyValuePair<string, object?>("reason", reason));
        gateway?.CountRejection(reason);
    }
}

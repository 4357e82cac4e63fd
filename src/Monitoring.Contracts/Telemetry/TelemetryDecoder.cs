namespace Monitoring.Contracts.Telemetry;

/// <summary>Limits applied while decoding (docs/contract.md 1). Defaults are the contract's.</summary>
public sealed record TelemetryDecoderOptions
{
    public int MaxPayloadBytes { get; init; } = 256 * 1024;
    public int MaxPoints { get; init; } = 10_000;
    public TimeSpan MaxFutureSkew { get; init; } = TimeSpan.FromMinutes(5);
    public TimeSpan HistoryWindow { get; init; } = TimeSpan.FromDays(7);

    public static TelemetryDecoderOptions Default { get; } = new();
}

/// <summary>The batch-level fields of a telemetry message.</summary>
public readonly record struct TelemetryEnvelope(ulong? Seq, long? TimestampMs, bool Simulated, int PointCount);

/// <summary>One accepted point. <see cref="Tag"/> points into the payload (UTF-8, ASCII by contract).</summary>
public readonly ref struct DecodedPoint
{
    public DecodedPoint(int index, ReadOnlySpan<byte> tag, long timestampMs, PointValueKind kind, double number, bool boolean, PointQuality quality)
    {
        Index = index;
        Tag = tag;
        TimestampMs = timestampMs;
        Kind = kind;
        Number = number;
        Boolean = boolean;
        Quality = quality;
    }

    /// <summary>Position of the point in <c>points</c>, from 0.</summary>
    public int Index { get; }
    public ReadOnlySpan<byte> Tag { get; }
    /// <summary>The point's own <c>ts</c>, else the batch <c>ts</c>.</summary>
    public long TimestampMs { get; }
    public PointValueKind Kind { get; }
    public double Number { get; }
    public bool Boolean { get; }
    public PointQuality Quality { get; }
}

/// <summary>
/// Receives what the decoder finds. Implemented by a struct (or ref struct) so that the generic
/// TelemetryDecoder.Decode call is devirtualised and nothing is boxed.
/// </summary>
public interface ITelemetryVisitor
{
    /// <summary>Called once, before any point, when the message-level checks passed.</summary>
    void OnEnvelope(in TelemetryEnvelope envelope);

    void OnPoint(in DecodedPoint point);

    /// <summary>A point rejected alone. <paramref name="rawPoint"/> is the point's JSON text.</summary>
    void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint);
}

/// <summary>The outcome of decoding one message.</summary>
public readonly record struct DecodeResult(
    RejectReason? MessageRejection,
    TelemetryEnvelope Envelope,
    int AcceptedPoints,
    int RejectedPoints)
{
    public bool IsRejected => MessageRejection is not null;
}

/// <summary>
/// Decodes a telemetry batch (docs/contract.md 1) with <see cref="System.Text.Json.Utf8JsonReader"/>.
/// Allocates nothing on the happy path. Never throws on bad input: every problem becomes a
/// <see cref="RejectReason"/>.
/// </summary>
public static partial class TelemetryDecoder
{
}

using System.Text;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.Tests.Telemetry;

internal sealed record RecordedPoint(int Index, string Tag, long TimestampMs, PointValueKind Kind, double Number, bool Boolean, PointQuality Quality);

internal sealed record RecordedRejection(RejectReason Reason, int Index, string RawPoint);

/// <summary>Everything a decode reported, in order, copied out of the spans.</summary>
internal sealed class Recording
{
    public List<TelemetryEnvelope> Envelopes { get; } = [];
    public List<RecordedPoint> Points { get; } = [];
    public List<RecordedRejection> Rejections { get; } = [];
    public List<string> Calls { get; } = [];

    public IEnumerable<string> AcceptedTags => Points.Select(p => p.Tag);
}

internal readonly struct RecordingVisitor(Recording recording) : ITelemetryVisitor
{
    public void OnEnvelope(in TelemetryEnvelope envelope)
    {
        recording.Envelopes.Add(envelope);
        recording.Calls.Add("envelope");
    }

    public void OnPoint(in DecodedPoint point)
    {
        recording.Points.Add(new RecordedPoint(
            point.Index,
            Encoding.UTF8.GetString(point.Tag),
            point.TimestampMs,
            point.Kind,
            point.Number,
            point.Boolean,
            point.Quality));
        recording.Calls.Add("point " + point.Index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint)
    {
        recording.Rejections.Add(new RecordedRejection(reason, index, Encoding.UTF8.GetString(rawPoint)));
        recording.Calls.Add("rejected " + index.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }
}

/// <summary>Counts only: no references, so decoding with it must allocate nothing.</summary>
internal struct CountingVisitor : ITelemetryVisitor
{
    public int Envelopes;
    public int Points;
    public int Rejected;
    public double Sum;

    public void OnEnvelope(in TelemetryEnvelope envelope) => Envelopes++;

    public void OnPoint(in DecodedPoint point)
    {
        Points++;
        Sum += point.Number + point.Tag.Length;
    }

    public void OnPointRejected(RejectReason reason, int index, ReadOnlySpan<byte> rawPoint) => Rejected++;
}

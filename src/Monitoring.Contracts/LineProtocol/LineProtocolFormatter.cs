namespace Monitoring.Contracts.LineProtocol;

/// <summary>
/// Formats readings as InfluxDB line protocol (CONTRACT.md 2), millisecond precision:
/// <c>telemetry,ent=E,gw=G,point=T value=0.182 1763800000000</c>.
/// </summary>
public static partial class LineProtocolFormatter
{
    public const string Measurement = "telemetry";
}

using System.Security.Cryptography;
using System.Text;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>Deterministic event ids for gateway status changes: the same report always yields the same id.</summary>
internal static class GatewayEventIds
{
    public static Guid For(string enterprise, string gateway, string state, long occurredAtMs)
    {
        var name = $"gateway-status/{enterprise}/{gateway}/{state}/{occurredAtMs}";
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(name), hash);
        // Shape it as an RFC 9562 version 8 (custom) UUID.
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}

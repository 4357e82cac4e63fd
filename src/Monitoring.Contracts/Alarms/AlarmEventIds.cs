using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Monitoring.Contracts;

/// <summary>
/// Derives <c>eventId</c> from (alarm, sequence), so that a redelivered or re-published event carries
/// the same id and consumers can drop the copy (docs/contract.md 3).
/// </summary>
public static class AlarmEventIds
{
    /// <summary>
    /// A name-based UUID, RFC 4122 version 5 (RFC 9562 section 5.5): SHA-1 over the 16 bytes of
    /// <paramref name="alarmId"/> in network order (the namespace) followed by <paramref name="sequence"/>
    /// as 8 bytes big-endian (the name). Any language can recompute it.
    /// </summary>
    public static Guid For(Guid alarmId, long sequence)
    {
        Span<byte> input = stackalloc byte[24];
        alarmId.TryWriteBytes(input, bigEndian: true, out _);
        BinaryPrimitives.WriteInt64BigEndian(input[16..], sequence);

        Span<byte> hash = stackalloc byte[20];
        // SHA-1 is what version 5 specifies; it names events, it does not protect anything.
#pragma warning disable CA5350
        SHA1.HashData(input, hash);
#pragma warning restore CA5350

        hash[6] = (byte)((hash[6] & 0x0F) | 0x50); // version 5
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16], bigEndian: true);
    }
}

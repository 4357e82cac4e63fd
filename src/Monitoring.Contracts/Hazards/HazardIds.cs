using System.Security.Cryptography;
using System.Text;

namespace Monitoring.Contracts;

/// <summary>
/// The id of a major-hazard record, derived from what the record is about, so that it is the same after a restart, on
/// every recurrence, and for any consumer that recomputes it (docs/contract.md, "Major-hazard events").
/// </summary>
public static class HazardIds
{
    /// <summary>The namespace of hazard ids (a fixed random UUID).</summary>
    public static readonly Guid Namespace = Guid.Parse("6c1f3a52-9d0e-4b7a-8e35-2f4d8b1c7a90");

    /// <summary>
    /// A name-based UUID, RFC 4122 version 5: SHA-1 over <see cref="Namespace"/> (16 bytes, network order) followed by
    /// the UTF-8 of <c>enterprise \n clause \n equipment</c> (an absent clause is empty).
    /// </summary>
    public static Guid For(string enterprise, string? clause, string equipment)
    {
        var name = Encoding.UTF8.GetBytes($"{enterprise}\n{clause}\n{equipment}");
        var input = new byte[16 + name.Length];
        Namespace.TryWriteBytes(input, bigEndian: true, out _);
        name.CopyTo(input, 16);

        Span<byte> hash = stackalloc byte[20];
        // SHA-1 is what version 5 specifies; it names records, it does not protect anything.
#pragma warning disable CA5350
        SHA1.HashData(input, hash);
#pragma warning restore CA5350

        hash[6] = (byte)((hash[6] & 0x0F) | 0x50);
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}

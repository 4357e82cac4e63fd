using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Ingestion.Storage;

/// <summary>
/// The spool on disk: a folder of segment files <c>{id:D16}.spool</c>, each a sequence of records
/// <c>[magic "SPL1" u32][payload length u32][CRC-32 of payload u32][payload]</c>, little-endian.
/// A payload is one batch: <c>[count i32]</c> then per reading <c>enterprise, gateway, tag</c>
/// (u16 byte length + UTF-8), <c>timestamp ms i64, kind u8, number f64, boolean u8, quality u8</c>.
/// Every append is fsync'd before it returns. On open, each segment is scanned and cut after its
/// last intact record: a record torn by a crash (kill -9, power loss) was never acknowledged, so
/// dropping it loses nothing. Records are read back in append order; a segment is deleted only
/// after all its records were committed (written to the store).
/// Not thread-safe: <see cref="SpoolingTimeSeriesStore"/> serialises every call.
/// </summary>
internal sealed class SpoolSegments : IDisposable
{
    public const uint Magic = 0x314C5053; // "SPL1" read as little-endian bytes
    public const int HeaderSize = 12;
    private const int MaxPayload = 256 << 20;
    private const string Extension = ".spool";

    private readonly string _directory;
    private readonly long _segmentBytes;
    private readonly List<Segment> _segments = [];
    private readonly ArrayBufferWriter<byte> _buffer = new(64 * 1024);
    private FileStream? _writer;
    private FileStream? _reader;
    private long _readerSegmentId = -1;
    private long _nextId;

    // Read cursor: the first record not yet committed, in the first segment.
    private long _readOffset;

    private SpoolSegments(string directory, long segmentBytes)
    {
        _directory = directory;
        _segmentBytes = segmentBytes;
    }

    /// <summary>Bytes of all segment files, including records replayed but not yet deleted with their segment.</summary>
    public long TotalBytes { get; private set; }

    /// <summary>Records (batches) appended and not yet committed.</summary>
    public long PendingRecords { get; private set; }

    /// <summary>Torn or damaged records cut off when the spool was opened.</summary>
    public long DroppedAtOpen { get; private set; }

    public bool IsEmpty => PendingRecords == 0;

    public static SpoolSegments Open(string directory, long segmentBytes)
    {
        Directory.CreateDirectory(directory);
        var spool = new SpoolSegments(directory, segmentBytes);
        var ids = new List<long>();
        foreach (var file in Directory.EnumerateFiles(directory, "*" + Extension))
        {
            if (long.TryParse(Path.GetFileNameWithoutExtension(file), NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                ids.Add(id);
        }

        ids.Sort();
        foreach (var id in ids)
        {
            var path = spool.PathOf(id);
            var (validLength, records, damaged) = Scan(path);
            spool.DroppedAtOpen += damaged;
            if (records == 0)
            {
                File.Delete(path);
                continue;
            }

            if (damaged > 0)
            {
                using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
                fs.SetLength(validLength);
                fs.Flush(flushToDisk: true);
            }

            spool._segments.Add(new Segment(id, validLength, records));
            spool.TotalBytes += validLength;
            spool.PendingRecords += records;
        }

        spool._nextId = ids.Count == 0 ? 1 : ids[^1] + 1;
        return spool;
    }

    /// <summary>Appends one batch durably (written and fsync'd), or throws and leaves the spool as it was.</summary>
    public void Append(ReadOnlySpan<Reading> readings)
    {
        _buffer.ResetWrittenCount();
        _buffer.GetSpan(HeaderSize);
        _buffer.Advance(HeaderSize);
        Encode(_buffer, readings);
        // The header goes in last (length and checksum are known only now), through the written memory
        // because the buffer may have grown since.
        var bytes = MemoryMarshal.AsMemory(_buffer.WrittenMemory).Span;
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, Magic);
        BinaryPrimitives.WriteInt32LittleEndian(bytes[4..], bytes.Length - HeaderSize);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes[8..], SpoolChecksum.Compute(bytes[HeaderSize..]));

        if (_writer is null || _segments.Count == 0 || (_segments[^1].Length + bytes.Length > _segmentBytes && _segments[^1].Length > 0))
            StartSegment();

        var segment = _segments[^1];
        var writer = _writer!;
        try
        {
            writer.Write(bytes);
            writer.Flush(flushToDisk: true);
        }
        catch
        {
            // Cut the partial record off, so a later append does not follow garbage.
            try
            {
                writer.SetLength(segment.Length);
                writer.Position = segment.Length;
            }
            catch (IOException)
            {
                // The segment ends in a torn record now; Open cuts it off. Start afresh next time.
                CloseWriter();
            }

            throw;
        }

        segment.Length += bytes.Length;
        segment.Records++;
        TotalBytes += bytes.Length;
        PendingRecords++;
    }

    /// <summary>
    /// Reads records from the cursor on, without consuming them, until about <paramref name="maxReadings"/>
    /// readings were added to <paramref name="into"/> (at least one record when there is one).
    /// Returns the number of records read; pass it to <see cref="Commit"/> after the store took them.
    /// </summary>
    public int ReadPending(List<Reading> into, int maxReadings)
    {
        var records = 0;
        var segmentIndex = 0;
        var offset = _readOffset;
        Span<byte> header = stackalloc byte[HeaderSize];
        while (segmentIndex < _segments.Count && (records == 0 || into.Count < maxReadings))
        {
            var segment = _segments[segmentIndex];
            if (offset >= segment.Length)
            {
                segmentIndex++;
                offset = 0;
                continue;
            }

            var reader = ReaderFor(segment.Id);
            reader.Position = offset;
            reader.ReadExactly(header);
            var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            var crc = BinaryPrimitives.ReadUInt32LittleEndian(header[8..]);
            var payload = ArrayPool<byte>.Shared.Rent(length);
            try
            {
                var span = payload.AsSpan(0, length);
                reader.ReadExactly(span);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || SpoolChecksum.Compute(span) != crc)
                    throw new InvalidDataException($"Spool segment {segment.Id} is damaged at offset {offset}.");
                Decode(span, into);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(payload);
            }

            offset += HeaderSize + length;
            records++;
        }

        return records;
    }

    /// <summary>Consumes <paramref name="records"/> records from the cursor; deletes segments that are used up.</summary>
    public void Commit(int records)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        for (var i = 0; i < records; i++)
        {
            var segment = _segments[0];
            var reader = ReaderFor(segment.Id);
            reader.Position = _readOffset;
            reader.ReadExactly(header);
            _readOffset += HeaderSize + BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
            PendingRecords--;
            if (_readOffset >= segment.Length)
                DeleteFirstSegment();
        }
    }

    public void Dispose()
    {
        CloseWriter();
        CloseReader();
    }

    private void DeleteFirstSegment()
    {
        var segment = _segments[0];
        CloseReader();
        if (_segments.Count == 1)
            CloseWriter();
        File.Delete(PathOf(segment.Id));
        _segments.RemoveAt(0);
        TotalBytes -= segment.Length;
        _readOffset = 0;
    }

    private void StartSegment()
    {
        CloseWriter();
        var id = _nextId++;
        _writer = new FileStream(PathOf(id), FileMode.CreateNew, FileAccess.Write, FileShare.Read, bufferSize: 0);
        _segments.Add(new Segment(id, 0, 0));
    }

    private FileStream ReaderFor(long id)
    {
        if (_reader is null || _readerSegmentId != id)
        {
            CloseReader();
            _reader = new FileStream(PathOf(id), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 64 * 1024);
            _readerSegmentId = id;
        }

        return _reader;
    }

    private void CloseWriter()
    {
        _writer?.Dispose();
        _writer = null;
    }

    private void CloseReader()
    {
        _reader?.Dispose();
        _reader = null;
        _readerSegmentId = -1;
    }

    private string PathOf(long id) => Path.Combine(_directory, id.ToString("D16", CultureInfo.InvariantCulture) + Extension);

    /// <summary>Valid length, intact records, and whether anything after them was cut (torn or damaged).</summary>
    private static (long ValidLength, long Records, long Damaged) Scan(string path)
    {
        using var fs = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 64 * 1024);
        var fileLength = fs.Length;
        long offset = 0;
        long records = 0;
        Span<byte> header = stackalloc byte[HeaderSize];
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (offset + HeaderSize <= fileLength)
            {
                fs.Position = offset;
                fs.ReadExactly(header);
                var length = BinaryPrimitives.ReadInt32LittleEndian(header[4..]);
                if (BinaryPrimitives.ReadUInt32LittleEndian(header) != Magic || length < 4 || length > MaxPayload || offset + HeaderSize + length > fileLength)
                    break;
                if (buffer.Length < length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                fs.ReadExactly(buffer.AsSpan(0, length));
                if (SpoolChecksum.Compute(buffer.AsSpan(0, length)) != BinaryPrimitives.ReadUInt32LittleEndian(header[8..]))
                    break;
                offset += HeaderSize + length;
                records++;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        return (offset, records, offset < fileLength ? 1 : 0);
    }

    private static void Encode(ArrayBufferWriter<byte> buffer, ReadOnlySpan<Reading> readings)
    {
        BinaryPrimitives.WriteInt32LittleEndian(buffer.GetSpan(4), readings.Length);
        buffer.Advance(4);
        foreach (ref readonly var r in readings)
        {
            WriteString(buffer, r.Enterprise);
            WriteString(buffer, r.Gateway);
            WriteString(buffer, r.Tag);
            var span = buffer.GetSpan(19);
            BinaryPrimitives.WriteInt64LittleEndian(span, r.TimestampMs);
            span[8] = (byte)r.Kind;
            BinaryPrimitives.WriteDoubleLittleEndian(span[9..], r.Number);
            span[17] = r.Boolean ? (byte)1 : (byte)0;
            span[18] = (byte)r.Quality;
            buffer.Advance(19);
        }
    }

    private static void WriteString(ArrayBufferWriter<byte> buffer, string value)
    {
        var max = Encoding.UTF8.GetMaxByteCount(value.Length);
        var span = buffer.GetSpan(2 + max);
        var written = Encoding.UTF8.GetBytes(value, span[2..]);
        if (written > ushort.MaxValue)
            throw new ArgumentException("An identifier is too long for the spool.", nameof(value));
        BinaryPrimitives.WriteUInt16LittleEndian(span, (ushort)written);
        buffer.Advance(2 + written);
    }

    private static void Decode(ReadOnlySpan<byte> payload, List<Reading> into)
    {
        var count = BinaryPrimitives.ReadInt32LittleEndian(payload);
        var p = payload[4..];
        // Batches repeat the same few identifiers: reuse the previous string instead of allocating again.
        string enterprise = "", gateway = "", tag = "";
        for (var i = 0; i < count; i++)
        {
            enterprise = ReadString(ref p, enterprise);
            gateway = ReadString(ref p, gateway);
            tag = ReadString(ref p, tag);
            var ts = BinaryPrimitives.ReadInt64LittleEndian(p);
            var kind = (PointValueKind)p[8];
            var number = BinaryPrimitives.ReadDoubleLittleEndian(p[9..]);
            var boolean = p[17] != 0;
            var quality = (PointQuality)p[18];
            p = p[19..];
            into.Add(new Reading(enterprise, gateway, tag, ts, kind, number, boolean, quality));
        }
    }

    private static string ReadString(ref ReadOnlySpan<byte> p, string previous)
    {
        int length = BinaryPrimitives.ReadUInt16LittleEndian(p);
        var bytes = p.Slice(2, length);
        p = p[(2 + length)..];
        return Utf8Equals(bytes, previous) ? previous : Encoding.UTF8.GetString(bytes);
    }

    private static bool Utf8Equals(ReadOnlySpan<byte> utf8, string value)
    {
        if (utf8.Length != value.Length)
            return false;
        for (var i = 0; i < utf8.Length; i++)
        {
            // Only ASCII compares byte for char; anything else is decoded properly.
            if (utf8[i] >= 0x80 || utf8[i] != value[i])
                return false;
        }

        return true;
    }

    private sealed class Segment(long id, long length, long records)
    {
        public long Id { get; } = id;
        public long Length { get; set; } = length;
        public long Records { get; set; } = records;
    }
}

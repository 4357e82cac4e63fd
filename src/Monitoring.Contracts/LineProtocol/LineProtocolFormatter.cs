using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.LineProtocol;

/// <summary>
/// Formats readings as InfluxDB line protocol (docs/contract.md 2), millisecond precision:
/// <c>telemetry,ent=E,gw=G,point=T value=0.182 1763800000000</c>.
/// </summary>
/// <remarks>
/// <para>
/// Escaping must hold against untrusted text even though the decoder already restricts identifiers
/// to <c>[A-Za-z0-9_.:/-]</c>: a line that parses into another series, another field or a second line
/// would corrupt someone else's data. So every tag value is checked here again and anything that
/// cannot be written so that InfluxDB reads back exactly the same string throws
/// <see cref="ArgumentException"/> before a single byte is committed to the output:
/// </para>
/// <list type="bullet">
/// <item>comma, equals sign and space are escaped with a backslash (the line-protocol rule for tag values);</item>
/// <item>control characters (C0, DEL, C1: CR, LF, TAB, NEL...) throw: LF ends a line, and InfluxDB 1.6 keeps
/// TAB and CR as literal bytes of the tag, so they cannot be represented safely;</item>
/// <item>a backslash throws: InfluxDB 1.6 has no escape for it (<c>a\\b</c> is stored as two backslashes
/// while 2.x stores one, and a trailing backslash escapes the separator that follows, so <c>ent=a\</c>
/// followed by <c>,gw=G</c> would become the single tag value <c>a\,gw=G</c>): no encoding round-trips on both;</item>
/// <item>an empty tag value throws (InfluxDB rejects it as "missing tag value");</item>
/// <item>unpaired UTF-16 surrogates throw (they have no UTF-8 form);</item>
/// <item>a non-finite number, a timestamp outside InfluxDB's nanosecond range, a null value with good
/// quality (no field left to write) or an undefined <see cref="PointValueKind"/> throw.</item>
/// </list>
/// <para>
/// Numbers are written with the shortest round-trip form, invariant culture (<c>0.182</c>, <c>-0</c>,
/// <c>1E+20</c>, <c>5E-324</c>). InfluxDB 1.6.7 was checked to accept every exponent form .NET produces,
/// and a number without an <c>i</c> suffix is always a float field, so <c>1</c> does not become an integer.
/// </para>
/// <para>Formatting allocates nothing: the UTF-8 bytes are written straight into the output's span.</para>
/// </remarks>
public static partial class LineProtocolFormatter
{
    public const string Measurement = "telemetry";

    /// <summary>Earliest timestamp InfluxDB accepts, in ms (its limit is <c>long.MinValue + 2</c> ns).</summary>
    public const long MinTimestampMs = -9_223_372_036_854;

    /// <summary>Latest timestamp InfluxDB accepts, in ms (its limit is <c>long.MaxValue - 1</c> ns).</summary>
    public const long MaxTimestampMs = 9_223_372_036_854;

    // Everything but the three tag values: "telemetry,ent=" ",gw=" ",point=" " value=" 24-byte double
    // ",quality=255i" " " 14-digit signed timestamp "\n", rounded up generously.
    private const int FixedOverhead = 128;

    // One UTF-16 unit becomes at most 3 UTF-8 bytes; an escaped ASCII character takes 2.
    private const int MaxBytesPerChar = 3;

    /// <summary>Appends one line, terminated by <c>\n</c>.</summary>
    /// <exception cref="ArgumentException">The reading cannot be represented exactly (see remarks); nothing was written.</exception>
    public static void Append(IBufferWriter<byte> output, in Reading reading)
    {
        ArgumentNullException.ThrowIfNull(output);

        long maxLength = FixedOverhead
            + ((long)(reading.Enterprise?.Length ?? 0) + (reading.Gateway?.Length ?? 0) + (reading.Tag?.Length ?? 0)) * MaxBytesPerChar;
        if (maxLength > int.MaxValue)
        {
            ThrowInvalid("Identifiers are too long for one line.", nameof(reading));
        }

        var span = output.GetSpan((int)maxLength);
        var written = Write(span, in reading);
        output.Advance(written);
    }

    /// <summary>Appends one line per reading. Throws on the first reading that cannot be represented; the lines before it stay written.</summary>
    public static void Append(IBufferWriter<byte> output, ReadOnlySpan<Reading> readings)
    {
        for (var i = 0; i < readings.Length; i++)
        {
            Append(output, in readings[i]);
        }
    }

    private static int Write(Span<byte> span, in Reading reading)
    {
        "telemetry,ent="u8.CopyTo(span);
        var w = 14;
        w += WriteTagValue(reading.Enterprise, span[w..], "Enterprise");
        ",gw="u8.CopyTo(span[w..]);
        w += 4;
        w += WriteTagValue(reading.Gateway, span[w..], "Gateway");
        ",point="u8.CopyTo(span[w..]);
        w += 7;
        w += WriteTagValue(reading.Tag, span[w..], "Tag");
        span[w++] = (byte)' ';

        switch (reading.Kind)
        {
            case PointValueKind.Number:
                if (!double.IsFinite(reading.Number))
                {
                    ThrowInvalid("A non-finite number cannot be written (InfluxDB rejects NaN and infinity).", nameof(reading));
                }

                "value="u8.CopyTo(span[w..]);
                w += 6;
                reading.Number.TryFormat(span[w..], out var numberLength, default, CultureInfo.InvariantCulture);
                w += numberLength;
                w += WriteQuality(reading.Quality, span[w..], leadingComma: true);
                break;
            case PointValueKind.Boolean:
                if (reading.Boolean)
                {
                    "state=true"u8.CopyTo(span[w..]);
                    w += 10;
                }
                else
                {
                    "state=false"u8.CopyTo(span[w..]);
                    w += 11;
                }

                w += WriteQuality(reading.Quality, span[w..], leadingComma: true);
                break;
            case PointValueKind.Null:
                if (reading.Quality == PointQuality.Good)
                {
                    // Quality is the only field of a null reading; with good quality there is nothing to write.
                    ThrowInvalid("A null value must not have good quality: the line would have no field.", nameof(reading));
                }

                w += WriteQuality(reading.Quality, span[w..], leadingComma: false);
                break;
            default:
                ThrowInvalid("Undefined value kind.", nameof(reading));
                break;
        }

        if (reading.TimestampMs is < MinTimestampMs or > MaxTimestampMs)
        {
            ThrowInvalid("The timestamp is outside the range InfluxDB accepts.", nameof(reading));
        }

        span[w++] = (byte)' ';
        reading.TimestampMs.TryFormat(span[w..], out var timestampLength, default, CultureInfo.InvariantCulture);
        w += timestampLength;
        span[w++] = (byte)'\n';
        return w;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int WriteQuality(PointQuality quality, Span<byte> span, bool leadingComma)
    {
        if (quality == PointQuality.Good)
        {
            return 0;
        }

        var w = 0;
        if (leadingComma)
        {
            span[w++] = (byte)',';
        }

        "quality="u8.CopyTo(span[w..]);
        w += 8;
        ((byte)quality).TryFormat(span[w..], out var digits, default, CultureInfo.InvariantCulture);
        w += digits;
        span[w++] = (byte)'i';
        return w;
    }

    private static int WriteTagValue(string? value, Span<byte> span, string name)
    {
        if (string.IsNullOrEmpty(value))
        {
            ThrowInvalid(name + " is empty: InfluxDB has no empty tag values.", name);
        }

        var w = 0;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c < 0x80)
            {
                if (c < 0x20 || c == 0x7F)
                {
                    ThrowInvalid(name + " contains a control character, which line protocol cannot represent.", name);
                }

                if (c == '\\')
                {
                    ThrowInvalid(name + " contains a backslash, which InfluxDB 1.x cannot read back exactly.", name);
                }

                if (c is ',' or '=' or ' ')
                {
                    span[w++] = (byte)'\\';
                }

                span[w++] = (byte)c;
            }
            else
            {
                if (Rune.DecodeFromUtf16(value.AsSpan(i), out var rune, out var consumed) != OperationStatus.Done)
                {
                    ThrowInvalid(name + " is not valid UTF-16 (unpaired surrogate).", name);
                }

                if (Rune.IsControl(rune))
                {
                    ThrowInvalid(name + " contains a control character, which line protocol cannot represent.", name);
                }

                w += rune.EncodeToUtf8(span[w..]);
                i += consumed - 1;
            }
        }

        return w;
    }

    [DoesNotReturn]
    private static void ThrowInvalid(string message, string paramName) => throw new ArgumentException(message, paramName);
}

using System.Globalization;
using System.Text;

namespace Monitoring.Contracts.Tests.Fuzz;

/// <summary>
/// A seeded generator of hostile telemetry payloads (issue 5, bad input): truncated JSON, deep nesting,
/// huge numbers, NaN/Infinity, non-ASCII and control characters in tags, line-protocol metacharacters,
/// large payloads, wrong types, duplicate keys, flipped bytes and invalid UTF-8. The same seed gives the
/// same cases, so a failure names its case number and can be replayed.
/// </summary>
internal sealed class HostilePayloads(int seed)
{
    private static readonly string[] TagPieces =
    [
        "CAST1.MOULD.WATER.P", "A", "a_b-c:d/e.f", ",", "=", " ", "\\", "\\,", "\\ ", "\"", "\\\"", "\\n", "\\r", "\\t",
        "\\u0000", "\\u001f", "\\u007f", "\\u0085", "\\ud800", "\\udc00", "\\ud83d\\ude00", "é", "中文", "🔥", "\u2028",
        "'", "`", "#", "\\\\", "value=1", ",gw=X", " value=1 1", "\n", "\t", "x\u0001y",
    ];

    private static readonly string[] HostileValues =
    [
        "NaN", "Infinity", "-Infinity", "1e999", "-1e999", "1e308", "-1e308", "4.9e-324", "1e-400", "0", "-0",
        "123456789012345678901234567890123456789012345678901234567890", "0.1", "-12.5", "1E+20", "true", "false",
        "null", "\"1.5\"", "\"NaN\"", "{}", "[]", "[1]", "{\"v\":1}", "01", "1.", ".5", "+1", "0x10", "1e", "--1",
    ];

    private const string JsonMetacharacters = "\",:{}[]\\ \n";

    private readonly Random _random = new(seed);

    public string LastKind { get; private set; } = "";

    public byte[] Next(long nowMs)
    {
        var pick = _random.Next(100);
        (LastKind, var payload) = pick switch
        {
            < 25 => ("hostile-tags", Encode(Message(nowMs, hostileTags: true, hostileValues: false))),
            < 45 => ("hostile-values", Encode(Message(nowMs, hostileTags: false, hostileValues: true))),
            < 55 => ("truncated", Truncate(Encode(Message(nowMs, hostileTags: _random.Next(2) == 0, hostileValues: _random.Next(2) == 0)))),
            < 62 => ("deep-nesting", Encode(DeepNesting(nowMs))),
            < 72 => ("duplicate-keys", Encode(DuplicateKeys(nowMs))),
            < 82 => ("wrong-types", Encode(WrongTypes(nowMs))),
            < 92 => ("byte-flips", FlipBytes(Encode(Message(nowMs, hostileTags: false, hostileValues: false)))),
            < 99 => ("random-bytes", RandomBytes(_random.Next(0, 512))),
            _ => ("large", Large(nowMs)),
        };
        return payload;
    }

    private static byte[] Encode(string json) => Encoding.UTF8.GetBytes(json);

    private string Message(long nowMs, bool hostileTags, bool hostileValues)
    {
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"{{\"seq\":{_random.Next()},\"ts\":{nowMs - _random.Next(100_000)},\"points\":[");
        var points = _random.Next(1, 12);
        for (var i = 0; i < points; i++)
        {
            if (i > 0)
                sb.Append(',');
            // Hostile on some points only, so the rest of the message still reaches the formatter.
            var tag = hostileTags && _random.Next(2) == 0 ? HostileTag() : "P." + i.ToString(CultureInfo.InvariantCulture);
            var value = hostileValues && _random.Next(3) == 0 ? HostileValues[_random.Next(HostileValues.Length)] : (_random.NextDouble() * 100).ToString("R", CultureInfo.InvariantCulture);
            sb.Append("{\"tag\":\"").Append(tag).Append("\",\"v\":").Append(value);
            if (_random.Next(4) == 0)
                sb.Append(",\"q\":").Append(_random.Next(-1, 4).ToString(CultureInfo.InvariantCulture));
            if (_random.Next(4) == 0)
                sb.Append(",\"ts\":").Append((nowMs - _random.Next(1000)).ToString(CultureInfo.InvariantCulture));
            sb.Append('}');
        }

        return sb.Append("]}").ToString();
    }

    private string HostileTag()
    {
        var sb = new StringBuilder();
        var pieces = _random.Next(1, 5);
        for (var i = 0; i < pieces; i++)
        {
            sb.Append(TagPieces[_random.Next(TagPieces.Length)]);
        }

        if (_random.Next(20) == 0)
            sb.Append('X', _random.Next(100, 300));
        return sb.ToString();
    }

    private byte[] Truncate(byte[] payload) => payload[..(payload.Length == 0 ? 0 : _random.Next(payload.Length))];

    private string DeepNesting(long nowMs)
    {
        var depth = _random.Next(2) == 0 ? _random.Next(1, 70) : _random.Next(70, 20_000);
        var open = _random.Next(2) == 0 ? "[" : "{\"a\":";
        var close = open == "[" ? "]" : "}";
        var nested = string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth));
        return _random.Next(3) switch
        {
            0 => nested,
            1 => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"points\":[{{\"tag\":\"A\",\"v\":{nested}}}]}}"),
            _ => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"x\":{nested},\"points\":[{{\"tag\":\"A\",\"v\":1}}]}}"),
        };
    }

    private string DuplicateKeys(long nowMs) => _random.Next(5) switch
    {
        0 => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"points\":[{{\"tag\":\"A\",\"tag\":\"B\",\"v\":1}}]}}"),
        1 => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"points\":[{{\"tag\":\"A\",\"v\":1,\"v\":2}}]}}"),
        2 => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"points\":[{{\"tag\":\"A\",\"v\":1}}],\"points\":[{{\"tag\":\"B\",\"v\":2}}]}}"),
        3 => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"ts\":{nowMs + 1},\"points\":[{{\"tag\":\"A\",\"v\":1}}]}}"),
        _ => string.Create(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"points\":[{{\"tag\":\"A\",\"v\":1,\"q\":2,\"q\":0}}]}}"),
    };

    private string WrongTypes(long nowMs)
    {
        string[] forms =
        [
            "{\"ts\":\"abc\",\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"seq\":-1,\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"seq\":1.5,\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"seq\":18446744073709551616,\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"ts\":NOW,\"points\":\"x\"}",
            "{\"ts\":NOW,\"points\":{}}",
            "{\"ts\":NOW,\"points\":[]}",
            "{\"ts\":NOW,\"points\":[1,\"a\",null,[],true]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":1,\"v\":1}]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":null,\"v\":1}]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1,\"q\":\"2\"}]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1,\"ts\":\"now\"}]}",
            "{\"ts\":1e30,\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"ts\":-9223372036854775809,\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"ts\":NOW,\"sim\":\"yes\",\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "[{\"tag\":\"A\",\"v\":1}]",
            "\"points\"",
            "null",
            "",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":null}]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":null,\"q\":2}]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\"}]}",
            "{\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1}]} trailing",
            "{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1}]}{}",
            "\uFEFF{\"ts\":NOW,\"points\":[{\"tag\":\"A\",\"v\":1}]}",
            "{\"ts\":NOW,/*c*/\"points\":[{\"tag\":\"A\",\"v\":1,}]}",
        ];
        return forms[_random.Next(forms.Length)].Replace("NOW", nowMs.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    private byte[] FlipBytes(byte[] payload)
    {
        var flips = _random.Next(1, 6);
        for (var i = 0; i < flips && payload.Length > 0; i++)
        {
            payload[_random.Next(payload.Length)] = _random.Next(3) switch
            {
                0 => (byte)_random.Next(256),
                1 => (byte)JsonMetacharacters[_random.Next(JsonMetacharacters.Length)],
                _ => (byte)_random.Next(0x80, 0x100), // invalid UTF-8 on its own
            };
        }

        return payload;
    }

    private byte[] RandomBytes(int length)
    {
        var bytes = new byte[length];
        _random.NextBytes(bytes);
        return bytes;
    }

    private byte[] Large(long nowMs)
    {
        // Just under or far over the 256 KiB limit, up to 10 MB.
        var target = _random.Next(3) switch
        {
            0 => _random.Next(200_000, 262_000),
            1 => _random.Next(262_145, 1_000_000),
            _ => _random.Next(1_000_000, 10_000_001),
        };
        var sb = new StringBuilder(target + 64);
        sb.Append(CultureInfo.InvariantCulture, $"{{\"ts\":{nowMs},\"points\":[");
        var i = 0;
        while (sb.Length < target)
        {
            if (i > 0)
                sb.Append(',');
            sb.Append(CultureInfo.InvariantCulture, $"{{\"tag\":\"L.{i % 5000}\",\"v\":{i}.25}}");
            i++;
        }

        return Encode(sb.Append("]}").ToString());
    }
}

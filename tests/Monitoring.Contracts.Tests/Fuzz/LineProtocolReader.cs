using System.Text;

namespace Monitoring.Contracts.Tests.Fuzz;

/// <summary>
/// Reads line protocol back the way InfluxDB 1.x does for what the formatter may write: one line per
/// <c>\n</c>; measurement, tag set and field set separated by unescaped spaces; pairs by unescaped
/// commas; key and value by the first unescaped equals sign; <c>\,</c> <c>\=</c> <c>\ </c> unescape,
/// any other backslash stays literal.
/// </summary>
internal static class LineProtocolReader
{
    public sealed record Line(string Measurement, IReadOnlyList<KeyValuePair<string, string>> Tags, IReadOnlyList<KeyValuePair<string, string>> Fields, string Timestamp);

    public static IReadOnlyList<Line> Parse(string text)
    {
        var lines = new List<Line>();
        foreach (var raw in text.Split('\n'))
        {
            if (raw.Length > 0)
                lines.Add(ParseLine(raw));
        }

        return lines;
    }

    private static Line ParseLine(string line)
    {
        var sections = SplitUnescaped(line, ' ');
        if (sections.Count != 3)
            throw new FormatException($"expected 3 space-separated sections, got {sections.Count}: {line}");
        var seriesParts = SplitUnescaped(sections[0], ',');
        var tags = seriesParts.Skip(1).Select(Pair).ToList();
        var fields = SplitUnescaped(sections[1], ',').Select(Pair).ToList();
        return new Line(Unescape(seriesParts[0]), tags, fields, sections[2]);
    }

    private static KeyValuePair<string, string> Pair(string pair)
    {
        var parts = SplitUnescaped(pair, '=', max: 2);
        if (parts.Count != 2)
            throw new FormatException("a pair without '=': " + pair);
        return new(Unescape(parts[0]), Unescape(parts[1]));
    }

    private static List<string> SplitUnescaped(string s, char separator, int max = int.MaxValue)
    {
        var parts = new List<string>();
        var start = 0;
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length)
            {
                i++;
                continue;
            }

            if (s[i] == separator && parts.Count < max - 1)
            {
                parts.Add(s[start..i]);
                start = i + 1;
            }
        }

        parts.Add(s[start..]);
        return parts;
    }

    private static string Unescape(string s)
    {
        var sb = new StringBuilder(s.Length);
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\\' && i + 1 < s.Length && s[i + 1] is ',' or '=' or ' ')
            {
                sb.Append(s[i + 1]);
                i++;
            }
            else
            {
                sb.Append(s[i]);
            }
        }

        return sb.ToString();
    }
}

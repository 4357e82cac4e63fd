using System.Globalization;
using System.Text;

namespace Monitoring.Ingestion.Api;

/// <summary>The CSV exports' one way of writing a table (RFC 4180, CRLF, UTC ISO 8601 times), for an inspector's spreadsheet.</summary>
internal static class CsvText
{
    public static string Write<T>(string header, IEnumerable<T> rows, Func<T, string[]> fields)
    {
        var csv = new StringBuilder();
        csv.Append(header).Append("\r\n");
        foreach (var row in rows)
            csv.AppendJoin(',', fields(row).Select(Quote)).Append("\r\n");
        return csv.ToString();
    }

    public static string Invariant(IFormattable? value) => value?.ToString(null, CultureInfo.InvariantCulture) ?? "";

    public static string Time(DateTimeOffset? time) => time?.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture) ?? "";

    public static string Bool(bool value) => value ? "true" : "false";

    /// <summary>
    /// A field with a comma, quote or line break is quoted, its quotes doubled. A leading = + - @ is prefixed with ' so
    /// that a spreadsheet does not run a comment as a formula.
    /// </summary>
    private static string Quote(string field)
    {
        if (field.Length > 0 && field[0] is '=' or '+' or '-' or '@' && !double.TryParse(field, NumberStyles.Float, CultureInfo.InvariantCulture, out _))
            field = "'" + field;
        return field.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{field.Replace("\"", "\"\"", StringComparison.Ordinal)}\"" : field;
    }
}

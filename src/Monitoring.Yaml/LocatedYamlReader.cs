using System.Globalization;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Yaml;

/// <summary>
/// Reads YamlDotNet's representation model rather than deserializing into objects, so that every error names
/// the line and column of the node at fault, and so that unknown fields are errors: a misspelt field must not
/// silently disable a safety rule or leave an alarm with nobody to escalate to. Collects every error it finds
/// instead of stopping at the first. The site, roster and scenario parsers each derive their reader from it.
/// </summary>
public class LocatedYamlReader(string file, List<ConfigurationError> errors)
{
    public string File { get; } = file;

    public IReadOnlyList<ConfigurationError> Errors => errors;

    /// <summary>
    /// The root of the text's only document, or null (with an error) when the YAML is invalid or empty.
    /// A second document is an error too, but the first is still returned so that its errors are found as well.
    /// </summary>
    public YamlNode? LoadSingleDocument(string text, string emptyMessage, string secondDocumentMessage)
    {
        ArgumentNullException.ThrowIfNull(text);
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            errors.Add(new ConfigurationError(File, (int)e.Start.Line, (int)e.Start.Column, $"invalid YAML: {e.Message}"));
            return null;
        }

        if (stream.Documents.Count == 0)
        {
            errors.Add(new ConfigurationError(File, 1, 1, emptyMessage));
            return null;
        }

        if (stream.Documents.Count > 1)
            Error(stream.Documents[1].RootNode, secondDocumentMessage);
        return stream.Documents[0].RootNode;
    }

    public void Error(YamlNode node, string message) => Error(SourceMark.Of(node), message);

    public void Error(SourceMark mark, string message) => errors.Add(new ConfigurationError(File, mark.Line, mark.Column, message));

    /// <summary>The mapping's fields by name; reports non-text keys and names outside <paramref name="allowed"/>.</summary>
    public Dictionary<string, YamlNode> Fields(YamlMappingNode map, string what, string[] allowed)
    {
        var fields = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                Error(key, $"a {what} field name must be plain text");
                continue;
            }

            if (!allowed.Contains(name, StringComparer.Ordinal))
            {
                Error(key, $"unknown field '{name}' in {what}: expected one of {string.Join(", ", allowed)}");
                continue;
            }

            fields[name] = value;
        }

        return fields;
    }

    /// <summary>The items of a list field; an absent or null field is an empty list (an error when <paramref name="required"/>).</summary>
    public IEnumerable<YamlNode> Sequence(YamlMappingNode owner, Dictionary<string, YamlNode> fields, string name, bool required)
    {
        if (!fields.TryGetValue(name, out var node) || IsNull(node))
        {
            if (required)
                Error(owner, $"missing '{name}'");
            return [];
        }

        if (node is not YamlSequenceNode sequence)
        {
            Error(node, $"'{name}' must be a list");
            return [];
        }

        if (required && sequence.Children.Count == 0)
            Error(node, $"'{name}' must list at least one item");
        return sequence.Children;
    }

    /// <summary>A list field of plain values.</summary>
    public List<string> TextList(YamlMappingNode owner, Dictionary<string, YamlNode> fields, string name)
    {
        var values = new List<string>();
        foreach (var item in Sequence(owner, fields, name, required: false))
        {
            if (item is YamlScalarNode { Value: { Length: > 0 } value })
                values.Add(value);
            else
                Error(item, $"'{name}' lists plain values");
        }

        return values;
    }

    public string? RequiredText(YamlMappingNode owner, Dictionary<string, YamlNode> fields, string name)
    {
        if (!fields.TryGetValue(name, out var node) || IsNull(node))
        {
            Error(owner, $"missing '{name}'");
            return null;
        }

        var value = ScalarText(node, name);
        if (value is { Length: 0 })
        {
            Error(node, $"'{name}' must not be empty");
            return null;
        }

        return value;
    }

    public string? Text(Dictionary<string, YamlNode> fields, string name)
        => fields.TryGetValue(name, out var node) && !IsNull(node) ? ScalarText(node, name) : null;

    public string? ScalarText(YamlNode node, string name)
    {
        if (node is YamlScalarNode { Value: { } value })
            return value;
        Error(node, $"'{name}' must be a single value, not a list or mapping");
        return null;
    }

    public double? Number(Dictionary<string, YamlNode> fields, string name)
    {
        if (Text(fields, name) is not { } text)
            return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            Error(fields[name], $"'{name}' must be a finite number, not '{text}'");
            return null;
        }

        return value;
    }

    public int? Integer(Dictionary<string, YamlNode> fields, string name)
    {
        if (Text(fields, name) is not { } text)
            return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            Error(fields[name], $"'{name}' must be a whole number, not '{text}'");
            return null;
        }

        return value;
    }

    public bool? Boolean(Dictionary<string, YamlNode> fields, string name)
    {
        switch (Text(fields, name))
        {
            case null:
                return null;
            case "true":
                return true;
            case "false":
                return false;
            case var text:
                Error(fields[name], $"'{name}' must be true or false, not '{text}'");
                return null;
        }
    }

    /// <summary>A duration in the one syntax of <see cref="YamlDurations"/>.</summary>
    public TimeSpan? Duration(Dictionary<string, YamlNode> fields, string name)
    {
        if (Text(fields, name) is not { } text)
            return null;
        if (!YamlDurations.TryParse(text, out var duration))
        {
            Error(fields[name], $"'{name}' is not a duration: '{text}' (expected {YamlDurations.Hint})");
            return null;
        }

        return duration;
    }

    // "key:" with nothing, "~" and "null" are YAML's null; a quoted "" is an explicit empty string.
    public static bool IsNull(YamlNode node)
        => node is YamlScalarNode { Style: ScalarStyle.Plain, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}

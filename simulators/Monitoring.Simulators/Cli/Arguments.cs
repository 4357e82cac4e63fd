using System.Globalization;
using Monitoring.Simulators.Scenarios;

namespace Monitoring.Simulators.Cli;

/// <summary>Hand-rolled <c>--name value</c> / <c>--flag</c> parsing: positional arguments, options, and a clear error for anything unknown.</summary>
internal sealed class Arguments
{
    private readonly Dictionary<string, string?> _options = new(StringComparer.Ordinal);
    private readonly HashSet<string> _used = new(StringComparer.Ordinal);

    private Arguments(List<string> positional) => Positional = positional;

    public List<string> Positional { get; }

    public static Arguments Parse(IEnumerable<string> args, IReadOnlySet<string> flags)
    {
        var positional = new List<string>();
        var result = new Arguments(positional);
        using var e = args.GetEnumerator();
        while (e.MoveNext())
        {
            var arg = e.Current;
            if (!arg.StartsWith("--", StringComparison.Ordinal))
            {
                positional.Add(arg);
                continue;
            }

            var name = arg[2..];
            string? value = null;
            var eq = name.IndexOf('=', StringComparison.Ordinal);
            if (eq >= 0)
            {
                value = name[(eq + 1)..];
                name = name[..eq];
            }
            else if (!flags.Contains(name))
            {
                if (!e.MoveNext())
                    throw new UsageException($"--{name} needs a value");
                value = e.Current;
            }

            result._options[name] = value;
        }

        return result;
    }

    public bool Flag(string name)
    {
        _used.Add(name);
        return _options.ContainsKey(name);
    }

    public string? String(string name)
    {
        _used.Add(name);
        return _options.TryGetValue(name, out var value) ? value : null;
    }

    public string String(string name, string fallback) => String(name) ?? fallback;

    public int Int(string name, int fallback)
    {
        var text = String(name);
        if (text is null)
            return fallback;
        return int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value >= 0
            ? value
            : throw new UsageException($"--{name} must be a whole number: '{text}'");
    }

    public double Double(string name, double fallback)
    {
        var text = String(name);
        if (text is null)
            return fallback;
        if (text == "max")
            return 0;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value) && value >= 0
            ? value
            : throw new UsageException($"--{name} must be a number: '{text}'");
    }

    public TimeSpan Duration(string name, TimeSpan fallback)
    {
        var text = String(name);
        if (text is null)
            return fallback;
        var negative = text.StartsWith('-');
        return ScenarioTime.TryParseDuration(negative ? text[1..] : text, out var value)
            ? (negative ? -value : value)
            : throw new UsageException($"--{name} must be a duration such as 500ms, 2s, 1.5m: '{text}'");
    }

    /// <summary>Fails on options the command did not read, so a typo is never silently ignored.</summary>
    public void RejectUnknown(string command)
    {
        var unknown = _options.Keys.Where(k => !_used.Contains(k)).ToList();
        if (unknown.Count > 0)
            throw new UsageException($"'{command}' does not know {string.Join(", ", unknown.Select(u => "--" + u))}");
    }
}

/// <summary>A command line that cannot be run; the message says why.</summary>
public sealed class UsageException : Exception
{
    public UsageException()
    {
    }

    public UsageException(string message)
        : base(message)
    {
    }

    public UsageException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

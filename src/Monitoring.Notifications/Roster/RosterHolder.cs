using Monitoring.Yaml;

namespace Monitoring.Notifications.Roster;

/// <summary>The roster in force. A reload that finds any error keeps the previous roster and reports every error.</summary>
internal sealed class RosterHolder
{
    private readonly string _path;
    private readonly ILogger<RosterHolder> _logger;
    private readonly Lock _gate = new();
    private DateTime _loadedWriteTime;

    public RosterHolder(string path, ILogger<RosterHolder> logger)
    {
        _path = path;
        _logger = logger;
        var result = Read();
        if (result.Roster is null)
        {
            throw new InvalidOperationException("The duty roster is invalid:" + Environment.NewLine +
                                                string.Join(Environment.NewLine, result.Errors.Select(e => "  " + e)));
        }

        Current = result.Roster;
    }

    public DutyRoster Current { get; private set; }

    public string Path => _path;

    public DateTimeOffset? LastReloadAt { get; private set; }

    public IReadOnlyList<ConfigurationError> LastErrors { get; private set; } = [];

    public RosterLoadResult Reload(DateTimeOffset now)
    {
        lock (_gate)
        {
            var result = Read();
            LastReloadAt = now;
            LastErrors = result.Errors;
            if (result.Roster is not null)
            {
                Current = result.Roster;
                _logger.LogInformation("Duty roster reloaded from {Path}: {People} people, {Duty} duty assignments", _path, result.Roster.People.Count, result.Roster.Duty.Count);
            }
            else
            {
                _logger.LogError("Duty roster {Path} is invalid, keeping the previous one:{NewLine}{Errors}", _path, Environment.NewLine, string.Join(Environment.NewLine, result.Errors));
            }

            return result;
        }
    }

    /// <summary>Reloads when the file's timestamp changed since the last read.</summary>
    public void ReloadIfChanged(DateTimeOffset now)
    {
        var stamp = File.Exists(_path) ? File.GetLastWriteTimeUtc(_path) : default;
        if (stamp != _loadedWriteTime)
            Reload(now);
    }

    private RosterLoadResult Read()
    {
        _loadedWriteTime = File.Exists(_path) ? File.GetLastWriteTimeUtc(_path) : default;
        if (!File.Exists(_path))
            return new RosterLoadResult(null, [new ConfigurationError(_path, 1, 1, "the roster file does not exist")]);
        return RosterParser.Parse(File.ReadAllText(_path), _path);
    }
}

using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;

namespace Monitoring.Ingestion.Sites;

/// <summary>
/// Reloads the site configuration when a file changes or an administrator asks. A configuration
/// with any error is refused whole: the running rules stay, and the errors (file, line, problem) are
/// logged and shown at /api/config. A valid one replaces the rules at once; alarms that are active
/// stay active in the new rules (no alarm is raised twice), and rule timers start afresh.
/// </summary>
internal sealed partial class ConfigurationReloader(
    RuleSetHolder ruleSets,
    AlarmTracker alarms,
    GatewayRegistry gateways,
    SiteFiles files,
    TimeProvider time,
    ILogger<ConfigurationReloader> logger) : BackgroundService
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(500);
    private readonly SemaphoreSlim _reloading = new(1, 1);
    private readonly SemaphoreSlim _changed = new(0, int.MaxValue);

    public ReloadReport? LastReload { get; private set; }

    /// <summary>Loads, validates and (when valid) applies the configured site files.</summary>
    public async Task<ReloadReport> ReloadAsync(string trigger, CancellationToken cancellationToken)
    {
        await _reloading.WaitAsync(cancellationToken);
        try
        {
            var result = SiteLoader.Load(files, ruleSets.Current.Options);
            ReloadReport report;
            if (result.RuleSet is not { } next)
            {
                report = new ReloadReport(time.GetUtcNow(), trigger, Applied: false, ruleSets.Version, [.. result.Errors.Select(e => e.ToString())]);
                LogRefused(logger, trigger, string.Join(Environment.NewLine, report.Errors));
            }
            else
            {
                RuleStateReconciler.Reconcile(next, alarms);
                // Gateways added by the change are watched for silence from now on.
                var nowMs = time.GetUtcNow().ToUnixTimeMilliseconds();
                foreach (var site in next.Sites)
                {
                    foreach (var configured in site.Gateways)
                        gateways.ExpectIfUnknown(site.Enterprise, configured.Id, nowMs);
                }

                ruleSets.Replace(next);
                report = new ReloadReport(time.GetUtcNow(), trigger, Applied: true, ruleSets.Version, []);
                LogApplied(logger, trigger, ruleSets.Version, next.Conditions.Count);
            }

            LastReload = report;
            return report;
        }
        finally
        {
            _reloading.Release();
        }
    }

    /// <summary>Checks a site file's text without applying it.</summary>
    public static IReadOnlyList<string> Validate(string yaml, string fileName)
    {
        var parsed = SiteConfigurationParser.Parse(yaml, fileName);
        if (parsed.Site is null)
            return [.. parsed.Errors.Select(e => e.ToString())];
        return [.. RuleCompiler.Compile([parsed.Site]).Errors.Select(e => e.ToString())];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var watchers = new WatcherSet(WatchedFolders(), () => _changed.Release());
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await _changed.WaitAsync(stoppingToken);
                // Editors write a file in several steps: wait for the burst to end, then reload once.
                await Task.Delay(Debounce, time, stoppingToken);
                while (_changed.CurrentCount > 0)
                    await _changed.WaitAsync(stoppingToken);
                await ReloadAsync("file change", stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                LogRefused(logger, "file change", ex.Message);
            }
        }
    }

    private IEnumerable<string> WatchedFolders()
    {
        foreach (var configured in files.Paths)
        {
            var path = SiteLoader.ResolvePath(configured, files.ContentRoot);
            if (Directory.Exists(path))
                yield return path;
            else if (File.Exists(path))
                yield return Path.GetDirectoryName(Path.GetFullPath(path))!;
        }
    }

    /// <summary>One FileSystemWatcher per folder that holds site files.</summary>
    private sealed class WatcherSet : IDisposable
    {
        private readonly List<FileSystemWatcher> _watchers = [];

        public WatcherSet(IEnumerable<string> folders, Action onChange)
        {
            foreach (var folder in folders.Distinct(StringComparer.Ordinal))
            {
                var watcher = new FileSystemWatcher(folder) { IncludeSubdirectories = false, NotifyFilter = NotifyFilters.LastWrite | NotifyFilters.FileName | NotifyFilters.Size };
                watcher.Changed += (_, e) => { if (IsSiteFile(e.FullPath)) onChange(); };
                watcher.Created += (_, e) => { if (IsSiteFile(e.FullPath)) onChange(); };
                watcher.Deleted += (_, e) => { if (IsSiteFile(e.FullPath)) onChange(); };
                watcher.Renamed += (_, e) => { if (IsSiteFile(e.FullPath) || IsSiteFile(e.OldFullPath)) onChange(); };
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
        }

        private static bool IsSiteFile(string path) =>
            path.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".yml", StringComparison.OrdinalIgnoreCase);

        public void Dispose()
        {
            foreach (var watcher in _watchers)
                watcher.Dispose();
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Site configuration change refused ({Trigger}); the running configuration stays:\n{Errors}")]
    private static partial void LogRefused(ILogger logger, string trigger, string errors);

    [LoggerMessage(Level = LogLevel.Information, Message = "Site configuration reloaded ({Trigger}): version {Version}, {Conditions} alarm conditions")]
    private static partial void LogApplied(ILogger logger, string trigger, int version, int conditions);
}

/// <summary>The outcome of a reload: applied, or refused with the errors that name file, line and problem.</summary>
internal sealed record ReloadReport(DateTimeOffset At, string Trigger, bool Applied, int Version, IReadOnlyList<string> Errors);

using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Yaml;

namespace Monitoring.Ingestion.Sites;

/// <summary>Where the site configuration files are: paths (files or folders), absolute or relative to <paramref name="ContentRoot"/>.</summary>
internal sealed record SiteFiles(IReadOnlyList<string> Paths, string ContentRoot);

/// <summary>Reads the site configuration files and compiles them. Errors name file, line and problem.</summary>
internal static class SiteLoader
{
    public static RuleSetBuildResult Load(SiteFiles files, RuleSetOptions options)
    {
        var sites = new List<SiteConfiguration>();
        var errors = new List<ConfigurationError>();
        foreach (var file in ResolveFiles(files.Paths, files.ContentRoot, errors))
        {
            var result = SiteConfigurationParser.Parse(File.ReadAllText(file), file);
            errors.AddRange(result.Errors);
            if (result.Site is not null)
                sites.Add(result.Site);
        }

        if (errors.Count > 0)
            return new RuleSetBuildResult(null, errors);
        return RuleCompiler.Compile(sites, options);
    }

    /// <summary>A configured site path: absolute, or relative to the content root, else to the app's folder.</summary>
    public static string ResolvePath(string configured, string contentRoot)
    {
        if (Path.IsPathRooted(configured))
            return configured;
        var path = Path.Combine(contentRoot, configured);
        return Path.Exists(path) ? path : Path.Combine(AppContext.BaseDirectory, configured);
    }

    private static IEnumerable<string> ResolveFiles(IEnumerable<string> paths, string contentRoot, List<ConfigurationError> errors)
    {
        foreach (var configured in paths)
        {
            var path = ResolvePath(configured, contentRoot);

            if (Directory.Exists(path))
            {
                // Filtered by hand: the "*.yml" search pattern also matches ".yaml" (a Win32 legacy kept by .NET).
                var files = Directory.EnumerateFiles(path)
                    .Where(f => f.EndsWith(".yaml", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".yml", StringComparison.OrdinalIgnoreCase))
                    .Order(StringComparer.Ordinal);
                foreach (var file in files)
                    yield return file;
            }
            else if (File.Exists(path))
            {
                yield return path;
            }
            else
            {
                errors.Add(new ConfigurationError(configured, 0, 0, "site configuration file or folder not found"));
            }
        }
    }
}

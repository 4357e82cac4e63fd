using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Hosting;

/// <summary>Configuration section <c>Monitoring</c>: what is not specific to one feature.</summary>
internal sealed class ServiceOptions
{
    public const string Section = "Monitoring";

    /// <summary>Local durable state (alarm journal and outbox, dead letters, the embedded store).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Site configuration files (YAML), or folders of them, relative to the content root or the app's
    /// folder. Empty means the demo sites in <c>sites/</c>. (Not initialised with that default: the
    /// configuration binder appends to a list instead of replacing it.)
    /// </summary>
    public List<string> Sites { get; set; } = [];

    public IReadOnlyList<string> SitePaths => Sites.Count == 0 ? ["sites"] : Sites;
}

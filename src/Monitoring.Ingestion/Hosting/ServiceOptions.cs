using System.ComponentModel.DataAnnotations;

namespace Monitoring.Ingestion.Hosting;

/// <summary>Configuration section <c>Monitoring</c>: what is not specific to one feature.</summary>
internal sealed class ServiceOptions
{
    public const string Section = "Monitoring";

    /// <summary>Local durable state (alarm journal and outbox, dead letters, the embedded store).</summary>
    [Required]
    public string DataDirectory { get; set; } = "data";

    /// <summary>Site configuration files (YAML), or folders of them. Relative paths are relative to the app's folder.</summary>
    public List<string> Sites { get; set; } = ["sites"];
}

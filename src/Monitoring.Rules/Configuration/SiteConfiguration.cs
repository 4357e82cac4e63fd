namespace Monitoring.Rules.Configuration;

// STUB: the model of a site configuration file (YAML). The rules work fills in and may extend it.

/// <summary>A plant: one enterprise, its gateways, points and rules. Loaded from one YAML file.</summary>
public sealed class SiteConfiguration
{
    public required string SourceFile { get; init; }
    public required string Enterprise { get; init; }
    public string? Name { get; init; }
    /// <summary>One of <see cref="Monitoring.Contracts.Industries"/>.</summary>
    public required string Industry { get; init; }
    public required IReadOnlyList<GatewayConfiguration> Gateways { get; init; }
}

public sealed class GatewayConfiguration
{
    public required string Id { get; init; }
    public required IReadOnlyList<PointConfiguration> Points { get; init; }
}

public sealed class PointConfiguration
{
    public required string Tag { get; init; }
    public string? Unit { get; init; }
    public string? Equipment { get; init; }
    public string? Description { get; init; }
}

/// <summary>A problem in a configuration file, located for the person who must fix it.</summary>
public sealed record ConfigurationError(string File, int Line, int Column, string Message)
{
    public override string ToString() => $"{File}({Line},{Column}): {Message}";
}

public sealed record SiteLoadResult(SiteConfiguration? Site, IReadOnlyList<ConfigurationError> Errors);

/// <summary>Parses and validates a site configuration from YAML text. No I/O: the caller reads the file.</summary>
public static class SiteConfigurationParser
{
    public static SiteLoadResult Parse(string yaml, string fileName) => throw new NotImplementedException();
}

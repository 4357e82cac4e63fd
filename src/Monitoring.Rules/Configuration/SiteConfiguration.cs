using System.Globalization;
using Monitoring.Contracts;
using Monitoring.Yaml;

namespace Monitoring.Rules.Configuration;

/// <summary>A plant: one enterprise, its gateways, points and rules. Loaded from one YAML file.</summary>
public sealed class SiteConfiguration
{
    public required string SourceFile { get; init; }
    public required string Enterprise { get; init; }
    public string? Name { get; init; }
    /// <summary>One of <see cref="Monitoring.Contracts.Industries"/>.</summary>
    public required string Industry { get; init; }
    public required IReadOnlyList<GatewayConfiguration> Gateways { get; init; }
    /// <summary>Where <see cref="Enterprise"/> is declared.</summary>
    public SourceMark Location { get; init; }
}

public sealed class GatewayConfiguration
{
    public required string Id { get; init; }
    public required IReadOnlyList<PointConfiguration> Points { get; init; }
    /// <summary>Rules over one or more of the gateway's points (rule types other than limit, and presets).</summary>
    public IReadOnlyList<GatewayRuleConfiguration> Rules { get; init; } = [];
    /// <summary>Where the gateway's <c>id</c> is declared, so a cross-file duplicate can point at both.</summary>
    public SourceMark Location { get; init; }
}

public sealed class PointConfiguration
{
    public required string Tag { get; init; }
    public string? Unit { get; init; }
    public string? Equipment { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<RuleConfiguration> Rules { get; init; } = [];
    public SourceMark Location { get; init; }
}

/// <summary>
/// What every rule type shares. Each rule type (the YAML <c>type:</c> discriminator) is a subclass that
/// adds its own settings; the compiler turns it into alarm conditions and per-sensor state.
/// </summary>
public abstract class RuleConfiguration
{
    public required string Id { get; init; }
    /// <summary>The YAML <c>type:</c> word of this rule type.</summary>
    public abstract string Type { get; }
    /// <summary>Carried in alarm events as <c>ruleVersion</c>; bump it when the definition changes meaning.</summary>
    public int Version { get; init; } = 1;
    /// <summary>One of <see cref="AlarmPriorities"/>, or null for the rule type's default per stage.</summary>
    public string? Priority { get; init; }
    public bool MajorHazard { get; init; }
    /// <summary>The rule's alarms latch until reset (see <see cref="Runtime.AlarmCondition.Latching"/>).</summary>
    public bool Latch { get; init; }
    public string? Clause { get; init; }
    /// <summary>Human text for the condition; generated from the rule when null.</summary>
    public LocalizedText? Condition { get; init; }
    /// <summary>Where the rule's <c>id</c> is declared (or the rule itself when it has none).</summary>
    public SourceMark Location { get; init; }
}

/// <summary>
/// A limit rule: up to four stages (HH, H, L, LL) on one point's value, with a deadband that must be
/// crossed to clear and on/off delays measured in event time.
/// </summary>
public sealed class LimitRuleConfiguration : RuleConfiguration
{
    public const string TypeName = "limit";

    public override string Type => TypeName;
    public double? HighHigh { get; init; }
    public double? High { get; init; }
    public double? Low { get; init; }
    public double? LowLow { get; init; }
    /// <summary>In the point's unit; the value must be this far back inside the limit to clear.</summary>
    public double Deadband { get; init; }
    public TimeSpan OnDelay { get; init; }
    public TimeSpan OffDelay { get; init; }

    /// <summary>
    /// The problems that make this rule impossible to evaluate. Shared by the parser and the compiler, because
    /// a site may also be built in code and must not reach evaluation unchecked.
    /// </summary>
    public IEnumerable<RuleProblem> Validate()
    {
        if (HighHigh is null && High is null && Low is null && LowLow is null)
        {
            yield return new RuleProblem(null, $"limit rule '{Id}' has no limits: give at least one of hh, h, l, ll");
        }

        foreach (var (name, value) in Stages())
        {
            if (!double.IsFinite(value))
            {
                yield return new RuleProblem(name, $"limit rule '{Id}': {name} must be a finite number");
            }
        }

        // Stages must be strictly ordered, or a second-level stage could fire before its first-level one.
        string? previousName = null;
        var previous = double.NegativeInfinity;
        foreach (var (name, value) in Stages())
        {
            if (previousName is not null && !(previous < value))
            {
                yield return new RuleProblem(name, string.Create(
                    CultureInfo.InvariantCulture,
                    $"limit rule '{Id}': inconsistent limits: {previousName} ({previous}) must be below {name} ({value}); the order must be ll < l < h < hh"));
            }

            previousName = name;
            previous = value;
        }

        if (!(Deadband >= 0) || !double.IsFinite(Deadband))
        {
            yield return new RuleProblem("deadband", $"limit rule '{Id}': deadband must be a finite number >= 0");
        }

        if (OnDelay < TimeSpan.Zero)
        {
            yield return new RuleProblem("onDelay", $"limit rule '{Id}': onDelay must not be negative");
        }

        if (OffDelay < TimeSpan.Zero)
        {
            yield return new RuleProblem("offDelay", $"limit rule '{Id}': offDelay must not be negative");
        }
    }

    private IEnumerable<(string Name, double Value)> Stages()
    {
        if (LowLow is { } ll)
        {
            yield return ("ll", ll);
        }

        if (Low is { } l)
        {
            yield return ("l", l);
        }

        if (High is { } h)
        {
            yield return ("h", h);
        }

        if (HighHigh is { } hh)
        {
            yield return ("hh", hh);
        }
    }
}

/// <summary>A problem with a rule's settings; <see cref="Field"/> is the YAML field at fault, or null for the rule as a whole.</summary>
public readonly record struct RuleProblem(string? Field, string Message);


public sealed record SiteLoadResult(SiteConfiguration? Site, IReadOnlyList<ConfigurationError> Errors);

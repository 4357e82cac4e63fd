using Monitoring.Contracts;
using Monitoring.Yaml;

namespace Monitoring.Rules.Configuration;

/// <summary>A located text value from the configuration (a tag bound to a role, a parameter), so errors can point at it.</summary>
public readonly record struct LocatedText(string Text, SourceMark Location);

/// <summary>
/// A rule declared on a gateway rather than on one point: a rule type (<c>type:</c>) or an instance of a
/// preset (<c>preset:</c>) over one or more signals (tags of that gateway, bound to the type's roles). Its
/// settings stay text until compilation, where the rule type or preset checks them, so that every error
/// names the line of the value at fault.
/// </summary>
public sealed class GatewayRuleConfiguration
{
    public required string Id { get; init; }
    /// <summary>The rule type word (<see cref="Compilation.RuleTypes"/>), or null for a preset instance.</summary>
    public string? Type { get; init; }
    /// <summary>The preset id (<see cref="Compilation.Presets.RulePresets"/>), or null for a plain rule type.</summary>
    public string? Preset { get; init; }
    public int Version { get; init; } = 1;
    /// <summary>One of <see cref="AlarmPriorities"/>; null for the type's or preset's default.</summary>
    public string? Priority { get; init; }
    /// <summary>1 or 2 (GB/T 50493 first/second stage) for single-stage conditions; null for the default.</summary>
    public int? Level { get; init; }
    /// <summary>Null for the preset's default (false for plain rule types).</summary>
    public bool? MajorHazard { get; init; }
    /// <summary>The rule's alarms latch until reset (see <see cref="Runtime.AlarmCondition.Latching"/>).</summary>
    public bool Latch { get; init; }
    public string? Clause { get; init; }
    public string? Equipment { get; init; }
    public LocalizedText? Condition { get; init; }
    /// <summary>Role name to tag of the same gateway.</summary>
    public IReadOnlyDictionary<string, LocatedText> Signals { get; init; } = new Dictionary<string, LocatedText>();
    /// <summary>Parameter name to its text (a number, a duration such as <c>2s</c>, or true/false).</summary>
    public IReadOnlyDictionary<string, LocatedText> Parameters { get; init; } = new Dictionary<string, LocatedText>();
    /// <summary>Mode gating: role name to the threshold it must reach (value &gt;= threshold) for the rule to be armed.</summary>
    public IReadOnlyDictionary<string, LocatedText> ArmedWhen { get; init; } = new Dictionary<string, LocatedText>();
    /// <summary>
    /// Age (in the gateway's event time) at which a gate signal's latest good value is stale and can no longer close
    /// the gate (fail safe); null for the default (60 s), zero for never stale. Where it was given, for errors.
    /// </summary>
    public TimeSpan? GateStaleAfter { get; init; }
    public SourceMark GateStaleAfterLocation { get; init; }
    /// <summary>Where the rule's <c>id</c> is declared (or, for a preset without an id, the <c>preset</c> value).</summary>
    public SourceMark Location { get; init; }
}

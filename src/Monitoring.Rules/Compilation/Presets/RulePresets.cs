using System.Globalization;
using Monitoring.Contracts;
using Monitoring.Rules.Configuration;
using Monitoring.Yaml;

namespace Monitoring.Rules.Compilation.Presets;

/// <summary>A signal a preset reads; optional roles add parts (a gate, an actuation check) only when bound.</summary>
public sealed record PresetRole(string Name, bool Required, string Description);

/// <summary>A preset parameter. <see cref="Default"/> null: required (unless <see cref="Optional"/>). Defaults are editable engineering values, not legal ones.</summary>
public sealed record PresetParameter(string Name, string? Default, string Description, bool Optional = false);

/// <summary>
/// A parameterised rule template from shared/domain section 7 (id, industry, clause, priority, level, major
/// hazard, default setpoints). A site instantiates it per equipment with its own tags and parameters; it
/// expands into one or more typed rules whose stages are told apart by a prefix.
/// </summary>
public sealed class RulePreset
{
    public required string Id { get; init; }
    public required string Industry { get; init; }
    public required string Clause { get; init; }
    public string? Priority { get; init; }
    /// <summary>Level of single-stage conditions (limit-like stages keep 1 for H/L and 2 for HH/LL).</summary>
    public int Level { get; init; } = 2;
    public bool MajorHazard { get; init; }
    public required LocalizedText Title { get; init; }
    public required IReadOnlyList<PresetRole> Roles { get; init; }
    public required IReadOnlyList<PresetParameter> Parameters { get; init; }
    /// <summary>What it expands into, for people (docs/rules.md repeats it).</summary>
    public required string Expansion { get; init; }
    internal Func<PresetContext, IEnumerable<PresetPart>> Build { get; init; } = _ => [];
}

/// <summary>One typed rule of a preset: its type, stage prefix, role and parameter mapping, gate.</summary>
internal sealed class PresetPart(string type, string prefix)
{
    public string Type { get; } = type;
    public string Prefix { get; } = prefix;
    public int? Level { get; private set; }
    public List<(string PartRole, string PresetRole)> Roles { get; } = [];
    public List<(string Name, string? FromParameter, string? Literal)> Parameters { get; } = [];
    public List<(string PresetRole, string Threshold)> Gates { get; } = [];

    public PresetPart Sig(string partRole, string presetRole)
    {
        Roles.Add((partRole, presetRole));
        return this;
    }

    public PresetPart P(string name, string fromParameter)
    {
        Parameters.Add((name, fromParameter, null));
        return this;
    }

    public PresetPart Lit(string name, double value)
        => Lit(name, value.ToString(CultureInfo.InvariantCulture));

    public PresetPart Lit(string name, string value)
    {
        Parameters.Add((name, null, value));
        return this;
    }

    public PresetPart Gate(string presetRole, string threshold)
    {
        Gates.Add((presetRole, threshold));
        return this;
    }

    public PresetPart AtLevel(int level)
    {
        Level = level;
        return this;
    }
}

/// <summary>A preset instance during expansion: bound roles and parameter values (given or default).</summary>
internal sealed class PresetContext(GatewayRuleConfiguration instance, RulePreset preset, Action<SourceMark, string> error)
{
    public bool Has(string role) => instance.Signals.ContainsKey(role);

    public bool HasParameter(string name)
        => instance.Parameters.ContainsKey(name) || preset.Parameters.Any(p => p.Name == name && p.Default is not null);

    public LocatedText Parameter(string name)
        => instance.Parameters.TryGetValue(name, out var given)
            ? given
            : new LocatedText(preset.Parameters.First(p => p.Name == name).Default ?? "", instance.Location);

    /// <summary>A numeric parameter for computed settings (a setpoint ± a band); NaN (reported) when not a number.</summary>
    public double Number(string name)
    {
        var text = Parameter(name);
        if (double.TryParse(text.Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value))
        {
            return value;
        }

        error(text.Location, $"preset {preset.Id} instance '{instance.Id}': '{name}' must be a finite number, not '{text.Text}'");
        return double.NaN;
    }
}

/// <summary>The 25 presets of shared/domain section 7, and their expansion into typed rules.</summary>
public static partial class RulePresets
{
    private static readonly Dictionary<string, RulePreset> ById = All.ToDictionary(p => p.Id, StringComparer.Ordinal);

    public static bool TryGet(string id, out RulePreset preset) => ById.TryGetValue(id, out preset!);

    /// <summary>A plain typed rule becomes one part; a preset instance expands into its parts. Null (errors reported) when invalid.</summary>
    internal static List<RulePart>? Expand(GatewayRuleConfiguration rule, Action<SourceMark, string> error)
    {
        if (rule.Preset is null)
        {
            return [new RulePart(rule, rule.Type ?? "", "", null, null, false, null, null)];
        }

        if (!ById.TryGetValue(rule.Preset, out var preset))
        {
            error(rule.Location, $"unknown preset '{rule.Preset}': expected one of {string.Join(", ", ById.Keys)}");
            return null;
        }

        var failed = false;
        void Fail(SourceMark mark, string message)
        {
            failed = true;
            error(mark, message);
        }

        foreach (var (role, tag) in rule.Signals)
        {
            if (!preset.Roles.Any(r => r.Name == role))
            {
                Fail(tag.Location, $"preset {preset.Id} instance '{rule.Id}': unknown signal role '{role}': expected one of {string.Join(", ", preset.Roles.Select(r => r.Name))}");
            }
        }

        foreach (var role in preset.Roles)
        {
            if (role.Required && !rule.Signals.ContainsKey(role.Name))
            {
                Fail(rule.Location, $"preset {preset.Id} instance '{rule.Id}': missing signal '{role.Name}' ({role.Description})");
            }
        }

        foreach (var (name, value) in rule.Parameters)
        {
            if (!preset.Parameters.Any(p => p.Name == name))
            {
                Fail(value.Location, $"preset {preset.Id} instance '{rule.Id}': unknown parameter '{name}': expected one of {string.Join(", ", preset.Parameters.Select(p => p.Name))}");
            }
        }

        foreach (var parameter in preset.Parameters)
        {
            if (parameter.Default is null && !parameter.Optional && !rule.Parameters.ContainsKey(parameter.Name))
            {
                Fail(rule.Location, $"preset {preset.Id} instance '{rule.Id}': missing parameter '{parameter.Name}' ({parameter.Description})");
            }
        }

        foreach (var (role, threshold) in rule.ArmedWhen)
        {
            Fail(threshold.Location, $"preset {preset.Id} instance '{rule.Id}': armedWhen is not used with presets ('{role}'): bind the preset's gate roles instead");
        }

        if (failed)
        {
            return null;
        }

        var context = new PresetContext(rule, preset, Fail);
        var parts = new List<RulePart>();
        foreach (var part in preset.Build(context))
        {
            var signals = new Dictionary<string, LocatedText>(StringComparer.Ordinal);
            foreach (var (partRole, presetRole) in part.Roles)
            {
                if (rule.Signals.TryGetValue(presetRole, out var tag))
                {
                    signals[partRole] = tag;
                }
            }

            var parameters = new Dictionary<string, LocatedText>(StringComparer.Ordinal);
            foreach (var (name, from, literal) in part.Parameters)
            {
                if (from is not null)
                {
                    if (context.HasParameter(from))
                    {
                        parameters[name] = context.Parameter(from);
                    }
                }
                else
                {
                    parameters[name] = new LocatedText(literal!, rule.Location);
                }
            }

            var armedWhen = new Dictionary<string, LocatedText>(StringComparer.Ordinal);
            foreach (var (presetRole, threshold) in part.Gates)
            {
                if (rule.Signals.TryGetValue(presetRole, out var tag))
                {
                    signals[presetRole] = tag;
                    armedWhen[presetRole] = new LocatedText(threshold, rule.Location);
                }
            }

            var spec = new GatewayRuleConfiguration
            {
                Id = rule.Id,
                Type = part.Type,
                Version = rule.Version,
                Priority = rule.Priority,
                Level = rule.Level,
                MajorHazard = rule.MajorHazard,
                Latch = rule.Latch,
                Clause = rule.Clause,
                Equipment = rule.Equipment,
                Condition = rule.Condition,
                Signals = signals,
                Parameters = parameters,
                ArmedWhen = armedWhen,
                GateStaleAfter = rule.GateStaleAfter,
                GateStaleAfterLocation = rule.GateStaleAfterLocation,
                Location = rule.Location,
            };
            parts.Add(new RulePart(spec, part.Type, part.Prefix, preset.Priority, part.Level ?? preset.Level, preset.MajorHazard, preset.Clause, preset.Title));
        }

        return failed ? null : parts;
    }
}

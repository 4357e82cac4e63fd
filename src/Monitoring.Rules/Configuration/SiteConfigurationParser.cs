using System.Text.RegularExpressions;
using Monitoring.Contracts;
using Monitoring.Yaml;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Rules.Configuration;

/// <summary>
/// Parses and validates a site configuration from YAML text. No I/O: the caller reads the file.
/// Reads through <see cref="LocatedYamlReader"/>, so every error names the line and column of the node at
/// fault and unknown fields are errors: a misspelt field must not silently disable a safety rule.
/// </summary>
public static partial class SiteConfigurationParser
{
    /// <summary>The <c>type:</c> words the parser accepts. A new rule type is added here and in the reader's ReadRule switch.</summary>
    public static IReadOnlyList<string> RuleTypes { get; } = [LimitRuleConfiguration.TypeName];

    /// <summary>The <c>industry:</c> words the parser accepts (<see cref="Industries"/>).</summary>
    public static IReadOnlyList<string> KnownIndustries { get; } = [Industries.Steel, Industries.AluminiumCasting, Industries.Dust];

    private static readonly string[] SiteFields = ["enterprise", "name", "industry", "gateways"];
    private static readonly string[] GatewayFields = ["id", "points", "rules"];
    private static readonly string[] GatewayRuleFields = ["id", "type", "preset", "version", "priority", "level", "majorHazard", "latch", "clause", "condition", "equipment", "signals", "parameters", "armedWhen", "gateStaleAfter"];
    private static readonly string[] PointFields = ["tag", "unit", "equipment", "description", "rules"];
    private static readonly string[] CommonRuleFields = ["id", "type", "version", "priority", "majorHazard", "latch", "clause", "condition"];
    private static readonly string[] LimitRuleFields = [.. CommonRuleFields, "hh", "h", "l", "ll", "deadband", "onDelay", "offDelay"];
    private static readonly string[] LimitFields = ["hh", "h", "l", "ll"];
    private static readonly string[] ConditionFields = ["zh", "en"];

    /// <summary>Collects every error it can find; <see cref="SiteLoadResult.Site"/> is null when there is any.</summary>
    public static SiteLoadResult Parse(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);

        var errors = new List<ConfigurationError>();
        var reader = new Reader(fileName, errors);
        if (reader.LoadSingleDocument(yaml, "the file is empty: expected a site with enterprise, industry and gateways", "one site per file: found a second YAML document") is not { } root)
        {
            return new SiteLoadResult(null, errors);
        }

        var site = reader.ReadSite(root);
        return new SiteLoadResult(errors.Count == 0 ? site : null, errors);
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[A-Za-z0-9_.:/-]{1,128}$")]
    private static partial Regex TagPattern();

    // No '/' in rule ids: the alarm key "{enterprise}/{gateway}/{tag}/{ruleId}/{stage}" stays unambiguous.
    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex RuleIdPattern();

    private sealed class Reader(string file, List<ConfigurationError> errors) : LocatedYamlReader(file, errors)
    {
        public SiteConfiguration? ReadSite(YamlNode root)
        {
            if (root is not YamlMappingNode map)
            {
                Error(root, "a site must be a mapping with enterprise, industry and gateways");
                return null;
            }

            var fields = Fields(map, "site", SiteFields);
            var enterprise = RequiredIdentifier(map, fields, "enterprise", IdentifierPattern(), "[A-Za-z0-9_-]{1,64}");
            var name = Text(fields, "name");
            var industry = RequiredText(map, fields, "industry");
            if (industry is not null && !KnownIndustries.Contains(industry, StringComparer.Ordinal))
            {
                Error(fields["industry"], $"unknown industry '{industry}': expected one of {string.Join(", ", KnownIndustries)}");
            }

            var gateways = ReadUnique(Sequence(map, fields, "gateways", required: true), ReadGateway, static g => g.Id, static g => g.Location,
                static (g, line) => $"duplicate gateway id '{g.Id}' (first declared at line {line})");

            if (enterprise is null || industry is null)
            {
                return null;
            }

            return new SiteConfiguration
            {
                SourceFile = File,
                Enterprise = enterprise,
                Name = name,
                Industry = industry,
                Gateways = gateways,
                Location = SourceMark.Of(fields["enterprise"]),
            };
        }

        /// <summary>Reads a list whose items must have distinct keys; a repeat is an error at the repeat, naming the first.</summary>
        private List<T> ReadUnique<T>(IEnumerable<YamlNode> items, Func<YamlNode, T?> read, Func<T, string> key, Func<T, SourceMark> location, Func<T, int, string> duplicate)
            where T : class
        {
            var result = new List<T>();
            var seen = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
            foreach (var node in items)
            {
                if (read(node) is not { } item)
                {
                    continue;
                }

                if (seen.TryGetValue(key(item), out var first))
                {
                    Error(location(item), duplicate(item, first.Line));
                    continue;
                }

                seen.Add(key(item), location(item));
                result.Add(item);
            }

            return result;
        }

        private GatewayConfiguration? ReadGateway(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a gateway must be a mapping with id and points");
                return null;
            }

            var fields = Fields(map, "gateway", GatewayFields);
            var id = RequiredIdentifier(map, fields, "id", IdentifierPattern(), "[A-Za-z0-9_-]{1,64}");
            var points = ReadUnique(Sequence(map, fields, "points", required: false), ReadPoint, static p => p.Tag, static p => p.Location,
                (p, line) => $"duplicate tag '{p.Tag}' in gateway '{id}' (first declared at line {line})");

            var rules = new List<GatewayRuleConfiguration>();
            var ruleIds = new Dictionary<string, SourceMark>(StringComparer.Ordinal);
            foreach (var item in Sequence(map, fields, "rules", required: false))
            {
                if (ReadGatewayRule(item) is not { } rule)
                {
                    continue;
                }

                if (ruleIds.TryGetValue(rule.Id, out var first))
                {
                    Error(rule.Location, $"duplicate rule id '{rule.Id}' in gateway '{id}' (first declared at line {first.Line})");
                    continue;
                }

                ruleIds.Add(rule.Id, rule.Location);
                rules.Add(rule);
            }

            return id is null ? null : new GatewayConfiguration { Id = id, Points = points, Rules = rules, Location = SourceMark.Of(fields["id"]) };
        }

        /// <summary>
        /// Reads the shape of a gateway rule; what its roles and parameters mean is checked at compilation by the
        /// rule type or preset, which knows them (and reports with the same file and line).
        /// </summary>
        private GatewayRuleConfiguration? ReadGatewayRule(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a gateway rule must be a mapping with an id and a type or a preset");
                return null;
            }

            var errorsBefore = Errors.Count;
            var fields = Fields(map, "gateway rule", GatewayRuleFields);
            var type = Text(fields, "type");
            var preset = Text(fields, "preset");
            if ((type is null) == (preset is null))
            {
                Error(map, "a gateway rule needs exactly one of 'type' (a rule type) or 'preset' (a preset id)");
            }

            string? id;
            SourceMark location;
            if (fields.ContainsKey("id") || preset is null)
            {
                id = RequiredIdentifier(map, fields, "id", RuleIdPattern(), "[A-Za-z0-9_.-]{1,64}");
                location = fields.TryGetValue("id", out var idNode) ? SourceMark.Of(idNode) : SourceMark.Of(map);
            }
            else
            {
                // A preset instance without an id takes the preset's id.
                id = preset;
                location = SourceMark.Of(fields["preset"]);
            }

            var version = Integer(fields, "version") ?? 1;
            if (version < 1 && fields.TryGetValue("version", out var versionNode))
            {
                Error(versionNode, "version must be 1 or more");
            }

            var priority = Text(fields, "priority");
            if (priority is not null && !AlarmPriorities.IsKnown(priority))
            {
                Error(fields["priority"], $"unknown priority '{priority}': expected one of critical, high, medium, low");
            }

            var level = Integer(fields, "level");
            if (level is not null and not (1 or 2))
            {
                Error(fields["level"], "level must be 1 (first stage) or 2 (second stage)");
            }

            var gateStaleAfter = Duration(fields, "gateStaleAfter");
            if (gateStaleAfter < TimeSpan.Zero)
            {
                Error(fields["gateStaleAfter"], "gateStaleAfter must be 0 (never stale) or more");
            }

            var rule = new GatewayRuleConfiguration
            {
                Id = id ?? "",
                Type = type,
                Preset = preset,
                Version = version,
                Priority = priority,
                Level = level,
                MajorHazard = Boolean(fields, "majorHazard"),
                Latch = Boolean(fields, "latch") ?? false,
                Clause = Text(fields, "clause"),
                Equipment = Text(fields, "equipment"),
                Condition = Condition(fields),
                Signals = ScalarMap(fields, "signals"),
                Parameters = ScalarMap(fields, "parameters"),
                ArmedWhen = ScalarMap(fields, "armedWhen"),
                GateStaleAfter = gateStaleAfter,
                GateStaleAfterLocation = fields.TryGetValue("gateStaleAfter", out var staleNode) ? SourceMark.Of(staleNode) : location,
                Location = location,
            };
            return id is not null && Errors.Count == errorsBefore ? rule : null;
        }

        private Dictionary<string, LocatedText> ScalarMap(Dictionary<string, YamlNode> fields, string name)
        {
            var result = new Dictionary<string, LocatedText>(StringComparer.Ordinal);
            if (!fields.TryGetValue(name, out var node) || IsNull(node))
            {
                return result;
            }

            if (node is not YamlMappingNode map)
            {
                Error(node, $"'{name}' must be a mapping of names to values");
                return result;
            }

            foreach (var (key, value) in map.Children)
            {
                if (key is not YamlScalarNode { Value: { Length: > 0 } entry })
                {
                    Error(key, $"a name in '{name}' must be plain text");
                    continue;
                }

                if (value is not YamlScalarNode { Value: { Length: > 0 } text } || IsNull(value))
                {
                    Error(value, $"'{name}.{entry}' must be a single value");
                    continue;
                }

                result[entry] = new LocatedText(text, SourceMark.Of(value));
            }

            return result;
        }

        private PointConfiguration? ReadPoint(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a point must be a mapping with tag, unit, equipment, description and rules");
                return null;
            }

            var fields = Fields(map, "point", PointFields);
            var tag = RequiredIdentifier(map, fields, "tag", TagPattern(), "[A-Za-z0-9_.:/-]{1,128}");
            var unit = Text(fields, "unit");
            var equipment = Text(fields, "equipment");
            var description = Text(fields, "description");
            var rules = ReadUnique(Sequence(map, fields, "rules", required: false), ReadRule, static r => r.Id, static r => r.Location,
                (r, line) => $"duplicate rule id '{r.Id}' on point '{tag}' (first declared at line {line})");

            return tag is null
                ? null
                : new PointConfiguration
                {
                    Tag = tag,
                    Unit = unit,
                    Equipment = equipment,
                    Description = description,
                    Rules = rules,
                    Location = SourceMark.Of(fields["tag"]),
                };
        }

        private RuleConfiguration? ReadRule(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a rule must be a mapping with at least id and type");
                return null;
            }

            // The type decides which fields exist, so it is read before the unknown-field check.
            YamlNode? typeNode = null;
            foreach (var (key, value) in map.Children)
            {
                if (key is YamlScalarNode { Value: "type" })
                {
                    typeNode = value;
                }
            }

            if (typeNode is null || IsNull(typeNode))
            {
                Error(map, "a rule needs a type (one of: " + string.Join(", ", RuleTypes) + ")");
                return null;
            }

            if (ScalarText(typeNode, "type") is not { } type)
            {
                return null;
            }

            switch (type)
            {
                case LimitRuleConfiguration.TypeName:
                    return ReadLimitRule(map);
                default:
                    Error(typeNode, $"unknown rule type '{type}': expected one of {string.Join(", ", RuleTypes)}");
                    return null;
            }
        }

        private LimitRuleConfiguration? ReadLimitRule(YamlMappingNode map)
        {
            var errorsBefore = Errors.Count;
            var fields = Fields(map, "limit rule", LimitRuleFields);
            var common = ReadCommon(map, fields);
            var hh = Number(fields, "hh");
            var h = Number(fields, "h");
            var l = Number(fields, "l");
            var ll = Number(fields, "ll");
            var deadband = Number(fields, "deadband") ?? 0;
            var onDelay = Duration(fields, "onDelay") ?? TimeSpan.Zero;
            var offDelay = Duration(fields, "offDelay") ?? TimeSpan.Zero;
            if (common is null)
            {
                return null;
            }

            var rule = new LimitRuleConfiguration
            {
                Id = common.Id,
                Version = common.Version,
                Priority = common.Priority,
                MajorHazard = common.MajorHazard,
                Latch = common.Latch,
                Clause = common.Clause,
                Condition = common.Condition,
                Location = common.Location,
                HighHigh = hh,
                High = h,
                Low = l,
                LowLow = ll,
                Deadband = deadband,
                OnDelay = onDelay,
                OffDelay = offDelay,
            };

            var limitGiven = LimitFields.Any(fields.ContainsKey);
            foreach (var problem in rule.Validate())
            {
                if (problem.Field is null && limitGiven)
                {
                    // "No limits" only because the given ones did not parse: already reported there.
                    continue;
                }

                Error(problem.Field is not null && fields.TryGetValue(problem.Field, out var at) ? SourceMark.Of(at) : rule.Location, problem.Message);
            }

            return Errors.Count == errorsBefore ? rule : null;
        }

        private sealed record CommonRule(string Id, int Version, string? Priority, bool MajorHazard, bool Latch, string? Clause, LocalizedText? Condition, SourceMark Location);

        private CommonRule? ReadCommon(YamlMappingNode map, Dictionary<string, YamlNode> fields)
        {
            var id = RequiredIdentifier(map, fields, "id", RuleIdPattern(), "[A-Za-z0-9_.-]{1,64}");
            var version = Integer(fields, "version") ?? 1;
            if (version < 1 && fields.TryGetValue("version", out var versionNode))
            {
                Error(versionNode, "version must be 1 or more");
            }

            var priority = Text(fields, "priority");
            if (priority is not null && !AlarmPriorities.IsKnown(priority))
            {
                Error(fields["priority"], $"unknown priority '{priority}': expected one of critical, high, medium, low");
            }

            var majorHazard = Boolean(fields, "majorHazard") ?? false;
            var latch = Boolean(fields, "latch") ?? false;
            var clause = Text(fields, "clause");
            var condition = Condition(fields);
            return id is null
                ? null
                : new CommonRule(id, version, priority, majorHazard, latch, clause, condition, SourceMark.Of(fields["id"]));
        }

        private LocalizedText? Condition(Dictionary<string, YamlNode> fields)
        {
            if (!fields.TryGetValue("condition", out var node) || IsNull(node))
            {
                return null;
            }

            if (node is not YamlMappingNode map)
            {
                Error(node, "condition must be a mapping with zh and en");
                return null;
            }

            var text = Fields(map, "condition", ConditionFields);
            var zh = RequiredText(map, text, "zh");
            var en = RequiredText(map, text, "en");
            return zh is null || en is null ? null : new LocalizedText(zh, en);
        }

        private string? RequiredIdentifier(YamlMappingNode owner, Dictionary<string, YamlNode> fields, string name, Regex pattern, string patternText)
        {
            var value = RequiredText(owner, fields, name);
            if (value is not null && !pattern.IsMatch(value))
            {
                Error(fields[name], $"invalid {name} '{value}': must match {patternText}");
                return null;
            }

            return value;
        }
    }
}

using System.Globalization;
using System.Text.RegularExpressions;
using Monitoring.Simulators.Plants;
using Monitoring.Yaml;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Simulators.Scenarios;

/// <summary>
/// Reads scenario files. Collects every error with file, line and column rather than stopping at the first;
/// unknown fields are errors (a misspelt <c>within:</c> must not silently become "any time"), and tags and
/// gateways are checked against the plant model.
/// </summary>
public static partial class ScenarioParser
{
    private static readonly string[] TopFields = ["scenario", "description", "plant", "gateways", "seed", "sample", "batch", "duration", "settle", "phase", "clockSkew", "timeline", "expect"];
    private static readonly string[] EventFields = ["at", "tag", "ramp", "over", "set", "restore", "phase", "disconnect", "for", "bad", "note"];
    private static readonly string[] EventActions = ["ramp", "set", "restore", "phase", "disconnect", "bad", "note"];
    private static readonly string[] ExpectFields = ["alarm", "noAlarm", "tag", "level", "priority", "within", "after", "enabled", "pending"];
    private static readonly string[] Priorities = ["critical", "high", "medium", "low"];

    public static Scenario ParseFile(string path)
    {
        if (!File.Exists(path))
            throw new ScenarioException($"{path}: scenario file not found");
        return Parse(File.ReadAllText(path), path);
    }

    public static Scenario Parse(string text, string file)
    {
        var context = new Context(file);
        var scenario = ParseDocument(text, context);
        if (context.Errors.Count > 0 || scenario is null)
            throw new ScenarioException([.. context.Errors.Select(e => e.ToString())]);
        return scenario;
    }

    private static Scenario? ParseDocument(string text, Context c)
    {
        const string Expected = "a scenario file must be a mapping with at least 'scenario', 'plant', 'duration' and 'timeline'";
        var document = c.LoadSingleDocument(text, Expected, "one scenario per file: a second YAML document is not allowed");
        if (document is null)
            return null;
        if (document is not YamlMappingNode root)
        {
            c.Error(document, Expected);
            return null;
        }

        var f = c.Fields(root, "scenario", TopFields);
        var name = c.RequiredText(root, f, "scenario");
        var plantKey = c.RequiredText(root, f, "plant");
        PlantDefinition? plant = null;
        if (plantKey is not null)
        {
            plant = PlantCatalog.Find(plantKey);
            if (plant is null)
                c.Error(f["plant"], $"unknown plant '{plantKey}' (known: {string.Join(", ", PlantCatalog.All.Select(p => p.Key))})");
        }

        var gateways = new List<string>();
        if (f.GetValueOrDefault("gateways") is { } gatewaysNode)
        {
            if (gatewaysNode is YamlSequenceNode list)
            {
                foreach (var item in list)
                {
                    if (item is YamlScalarNode { Value: { } id } && (plant is null || plant.Gateways.Contains(id, StringComparer.Ordinal)))
                        gateways.Add(id);
                    else
                        c.Error(item, plant is null ? "a gateway id must be a string" : $"plant '{plant.Key}' has no gateway '{(item as YamlScalarNode)?.Value}' (it has {string.Join(", ", plant.Gateways)})");
                }
            }
            else
            {
                c.Error(gatewaysNode, "'gateways' must be a list of gateway ids, e.g. [gw01]");
            }
        }

        if (gateways.Count == 0 && plant is not null)
            gateways.AddRange(plant.Gateways);

        var seed = c.Integer(f, "seed") ?? 1;
        var sample = c.OptionalDuration(f, "sample") ?? TimeSpan.FromSeconds(1);
        if (sample <= TimeSpan.Zero)
            c.Error(f["sample"], "'sample' must be greater than 0");
        var batch = c.OptionalDuration(f, "batch") ?? sample;
        var duration = c.RequiredDuration(root, f, "duration");
        var settle = c.OptionalDuration(f, "settle") ?? TimeSpan.Zero;
        var clockSkew = c.OptionalSignedDuration(f, "clockSkew") ?? TimeSpan.Zero;
        var phase = c.OptionalPhase(f, "phase") ?? PlantPhase.Steady;
        var description = c.Text(f, "description");

        var timeline = new List<ScenarioEvent>();
        if (f.GetValueOrDefault("timeline") is { } timelineNode)
        {
            if (timelineNode is YamlSequenceNode events)
            {
                foreach (var item in events)
                {
                    if (item is YamlMappingNode map)
                    {
                        var parsed = ParseEvent(map, plant, gateways, duration, c);
                        if (parsed is not null)
                            timeline.Add(parsed);
                    }
                    else
                    {
                        c.Error(item, "a timeline entry must be a mapping such as '{ at: 00:30, tag: ..., ramp: -30%, over: 2s }'");
                    }
                }
            }
            else if (timelineNode is not YamlScalarNode { Value: null or "" })
            {
                c.Error(timelineNode, "'timeline' must be a list of events");
            }
        }
        else
        {
            c.Error(root, "missing 'timeline' (an empty list '[]' for a quiet plant)");
        }

        var expectations = new List<Expectation>();
        if (f.GetValueOrDefault("expect") is { } expectNode)
        {
            if (expectNode is YamlSequenceNode items)
            {
                var firstEvent = timeline.Where(e => e.Kind != EventKind.Note).Select(e => e.At).DefaultIfEmpty(TimeSpan.Zero).Min();
                foreach (var item in items)
                {
                    if (item is YamlMappingNode map)
                    {
                        var parsed = ParseExpectation(map, plant, firstEvent, duration, c);
                        if (parsed is not null)
                            expectations.Add(parsed);
                    }
                    else
                    {
                        c.Error(item, "an expectation must be a mapping such as '{ alarm: RULE_ID, within: 3s }' or '{ noAlarm: any }'");
                    }
                }
            }
            else
            {
                c.Error(expectNode, "'expect' must be a list of expectations");
            }
        }
        else
        {
            c.Error(root, "missing 'expect': a scenario must say which alarms must (or must not) be raised");
        }

        if (c.Errors.Count > 0 || name is null || plant is null || duration is null)
            return null;

        return new Scenario
        {
            Name = name,
            File = c.File,
            Description = description,
            Plant = plant,
            Gateways = gateways,
            Seed = seed,
            Sample = sample,
            Batch = batch,
            Duration = duration.Value,
            Settle = settle,
            Phase = phase,
            ClockSkew = clockSkew,
            Timeline = [.. timeline.OrderBy(e => e.At)],
            Expectations = expectations,
        };
    }

    private static ScenarioEvent? ParseEvent(YamlMappingNode map, PlantDefinition? plant, List<string> gateways, TimeSpan? duration, Context c)
    {
        var f = c.Fields(map, "timeline entry", EventFields);
        var atText = c.RequiredText(map, f, "at");
        var at = TimeSpan.Zero;
        if (atText is not null)
        {
            if (!ScenarioTime.TryParseOffset(atText, out at))
                c.Error(f["at"], $"'at' is not a time on the timeline: '{atText}' (expected mm:ss such as 00:30 or 01:02.5)");
            else if (duration is { } d && at > d)
                c.Error(f["at"], $"'at' {ScenarioTime.Format(at)} is after the end of the scenario ({ScenarioTime.Format(d)})");
        }

        var actions = EventActions.Where(a => f.GetValueOrDefault(a) is not null).ToList();
        if (actions.Count != 1)
        {
            c.Error(map, actions.Count == 0
                ? "a timeline entry needs one action: ramp, set, restore, phase, disconnect, bad or note"
                : $"a timeline entry has one action, this one has {string.Join(" and ", actions)}");
            return null;
        }

        var action = actions[0];
        var needsTag = action is "ramp" or "set" or "restore" or "bad";
        string? tag = null;
        if (needsTag)
        {
            tag = c.RequiredText(map, f, "tag");
            if (tag is not null && plant is not null && plant.Find(tag) is not { } signal)
                c.Error(f["tag"], $"plant '{plant.Key}' has no tag '{tag}'");
            else if (tag is not null && plant?.Find(tag) is { } s && !gateways.Contains(s.Gateway, StringComparer.Ordinal))
                c.Error(f["tag"], $"tag '{tag}' belongs to gateway '{s.Gateway}', which this scenario does not publish (see 'gateways')");
        }
        else if (f.GetValueOrDefault("tag") is { } stray)
        {
            c.Error(stray, $"'tag' has no meaning for '{action}'");
        }

        var over = c.OptionalDuration(f, "over") ?? TimeSpan.Zero;
        var line = (int)map.Start.Line;
        switch (action)
        {
            case "ramp":
                var rampNode = (YamlScalarNode?)f.GetValueOrDefault("ramp");
                var text = rampNode?.Value?.Trim() ?? string.Empty;
                if (text.EndsWith('%'))
                {
                    if (double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var percent) && double.IsFinite(percent))
                        return new ScenarioEvent { At = at, Kind = EventKind.Ramp, Tag = tag, Percent = percent, Over = over, Line = line };
                }
                else if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var target) && double.IsFinite(target))
                {
                    return new ScenarioEvent { At = at, Kind = EventKind.Ramp, Tag = tag, Target = target, Over = over, Line = line };
                }

                c.Error(f.GetValueOrDefault("ramp")!, $"'ramp' must be a target value (0.12) or a relative change (-30%): '{text}'");
                return null;
            case "set":
                var setNode = f.GetValueOrDefault("set") as YamlScalarNode;
                var value = setNode?.Value?.Trim() ?? string.Empty;
                double? number = value switch
                {
                    "true" => 1,
                    "false" => 0,
                    _ when double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var n) && double.IsFinite(n) => n,
                    _ => null,
                };
                if (number is null)
                {
                    c.Error(f.GetValueOrDefault("set")!, $"'set' must be a number, true or false: '{value}'");
                    return null;
                }

                return new ScenarioEvent { At = at, Kind = EventKind.Set, Tag = tag, Target = number, Line = line };
            case "restore":
                var restore = c.OptionalDuration(f, "restore") ?? TimeSpan.Zero;
                return new ScenarioEvent { At = at, Kind = EventKind.Restore, Tag = tag, Over = restore, Line = line };
            case "phase":
                var phase = c.OptionalPhase(f, "phase");
                return phase is null ? null : new ScenarioEvent { At = at, Kind = EventKind.Phase, Phase = phase, Line = line };
            case "bad":
                var bad = c.OptionalDuration(f, "bad");
                return bad is null ? null : new ScenarioEvent { At = at, Kind = EventKind.Bad, Tag = tag, Over = bad.Value, Line = line };
            case "disconnect":
                var gwNode = f.GetValueOrDefault("disconnect") as YamlScalarNode;
                if (gwNode?.Value is not { } gw || !gateways.Contains(gw, StringComparer.Ordinal))
                {
                    c.Error(f.GetValueOrDefault("disconnect")!, $"'disconnect' names a gateway this scenario publishes ({string.Join(", ", gateways)}): '{gwNode?.Value}'");
                    return null;
                }

                var length = c.RequiredDuration(map, f, "for");
                return length is null ? null : new ScenarioEvent { At = at, Kind = EventKind.Disconnect, Gateway = gw, Over = length.Value, Line = line };
            default:
                return new ScenarioEvent { At = at, Kind = EventKind.Note, Note = c.Text(f, "note"), Line = line };
        }
    }

    private static Expectation? ParseExpectation(YamlMappingNode map, PlantDefinition? plant, TimeSpan firstEvent, TimeSpan? duration, Context c)
    {
        var f = c.Fields(map, "expectation", ExpectFields);
        var alarm = f.GetValueOrDefault("alarm");
        var noAlarm = f.GetValueOrDefault("noAlarm");
        if ((alarm is null) == (noAlarm is null))
        {
            c.Error(map, "an expectation has exactly one of 'alarm: RULE_ID' or 'noAlarm: RULE_ID|any'");
            return null;
        }

        var kind = alarm is not null ? ExpectationKind.Alarm : ExpectationKind.NoAlarm;
        var ruleNode = (alarm ?? noAlarm) as YamlScalarNode;
        var rule = ruleNode?.Value;
        if (rule is null || !RuleIdPattern().IsMatch(rule) || (kind == ExpectationKind.Alarm && rule == "any"))
        {
            c.Error((alarm ?? noAlarm)!, kind == ExpectationKind.Alarm ? $"'alarm' must be a rule id ([A-Za-z0-9_.-]): '{rule}'" : $"'noAlarm' must be a rule id or 'any': '{rule}'");
            return null;
        }

        var tagNode = f.GetValueOrDefault("tag") as YamlScalarNode;
        if (tagNode is not null && plant is not null && plant.Find(tagNode.Value ?? string.Empty) is null)
            c.Error(tagNode, $"plant '{plant.Key}' has no tag '{tagNode.Value}'");

        var level = c.Integer(f, "level");
        if (level is not null and not 1 and not 2)
            c.Error(f.GetValueOrDefault("level")!, "'level' is 1 (first stage: H, L) or 2 (second stage: HH, LL)");
        var priority = c.Text(f, "priority");
        if (priority is not null && !Priorities.Contains(priority, StringComparer.Ordinal))
            c.Error(f.GetValueOrDefault("priority")!, $"unknown priority '{priority}' (critical, high, medium, low)");

        var within = c.OptionalDuration(f, "within");
        if (kind == ExpectationKind.Alarm && within is null && f.GetValueOrDefault("within") is null)
            c.Error(map, "an 'alarm' expectation needs 'within' (e.g. within: 3s)");
        if (kind == ExpectationKind.NoAlarm && f.GetValueOrDefault("within") is { } w)
            c.Error(w, "'within' has no meaning for 'noAlarm' (it covers the whole scenario)");

        var after = firstEvent;
        if (f.GetValueOrDefault("after") is YamlScalarNode afterNode)
        {
            if (!ScenarioTime.TryParseOffset(afterNode.Value ?? string.Empty, out after))
                c.Error(afterNode, $"'after' is not a time on the timeline: '{afterNode.Value}'");
            else if (duration is { } d && after > d)
                c.Error(afterNode, $"'after' {ScenarioTime.Format(after)} is after the end of the scenario ({ScenarioTime.Format(d)})");
        }

        return new Expectation
        {
            Kind = kind,
            RuleId = rule == "any" ? null : rule,
            Tag = tagNode?.Value,
            Level = level,
            Priority = priority,
            Within = within ?? TimeSpan.Zero,
            After = after,
            Enabled = c.Boolean(f, "enabled") ?? true,
            Pending = c.Text(f, "pending"),
            Line = (int)map.Start.Line,
        };
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex RuleIdPattern();

    /// <summary>The shared located-YAML reader plus the scenario's own value syntaxes (timeline offsets, signed durations, phases).</summary>
    private sealed class Context(string file) : LocatedYamlReader(file, [])
    {
        /// <summary>A duration, or a point on the timeline (<c>01:30</c>), as <see cref="ScenarioTime.TryParseOffset"/> reads it.</summary>
        public TimeSpan? OptionalDuration(Dictionary<string, YamlNode> fields, string key)
        {
            var text = Text(fields, key);
            if (text is null)
                return null;
            if (ScenarioTime.TryParseOffset(text, out var value))
                return value;
            Error(fields[key], $"'{key}' is not a duration: '{text}' (expected a number with ms, s, m or h, or mm:ss, e.g. 500ms, 2s, 1.5m, 01:30)");
            return null;
        }

        public TimeSpan? OptionalSignedDuration(Dictionary<string, YamlNode> fields, string key)
        {
            var text = Text(fields, key);
            if (text is null)
                return null;
            if (YamlDurations.TryParse(text, out var value))
                return value;
            Error(fields[key], $"'{key}' is not a duration: '{text}' (e.g. 2s or -1.5s)");
            return null;
        }

        public TimeSpan? RequiredDuration(YamlMappingNode map, Dictionary<string, YamlNode> fields, string key)
        {
            if (!fields.TryGetValue(key, out var node) || IsNull(node))
            {
                Error(map, $"missing '{key}'");
                return null;
            }

            return OptionalDuration(fields, key);
        }

        public PlantPhase? OptionalPhase(Dictionary<string, YamlNode> fields, string key)
        {
            var text = Text(fields, key);
            switch (text)
            {
                case null:
                    return null;
                case "startup":
                    return PlantPhase.Startup;
                case "steady":
                    return PlantPhase.Steady;
                case "shutdown":
                    return PlantPhase.Shutdown;
                default:
                    Error(fields[key], $"unknown phase '{text}' (startup, steady, shutdown)");
                    return null;
            }
        }
    }
}

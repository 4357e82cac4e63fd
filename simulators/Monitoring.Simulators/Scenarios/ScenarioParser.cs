using System.Globalization;
using System.Text.RegularExpressions;
using Monitoring.Simulators.Plants;
using YamlDotNet.Core;
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
            throw new ScenarioException(context.Errors);
        return scenario;
    }

    private static Scenario? ParseDocument(string text, Context c)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            c.Error(ex.Start, $"invalid YAML: {ex.InnerException?.Message ?? ex.Message}");
            return null;
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode root)
        {
            c.Error(stream.Documents.Count == 0 ? Mark.Empty : stream.Documents[0].RootNode.Start, "a scenario file must be a mapping with at least 'scenario', 'plant', 'duration' and 'timeline'");
            return null;
        }

        if (stream.Documents.Count > 1)
            c.Error(stream.Documents[1].RootNode.Start, "one scenario per file: a second YAML document is not allowed");

        CheckFields(root, TopFields, c);
        var name = c.RequiredString(root, "scenario");
        var plantNode = c.RequiredScalar(root, "plant");
        PlantDefinition? plant = null;
        if (plantNode is not null)
        {
            plant = PlantCatalog.Find(plantNode.Value ?? string.Empty);
            if (plant is null)
                c.Error(plantNode.Start, $"unknown plant '{plantNode.Value}' (known: {string.Join(", ", PlantCatalog.All.Select(p => p.Key))})");
        }

        var gateways = new List<string>();
        if (Child(root, "gateways") is { } gatewaysNode)
        {
            if (gatewaysNode is YamlSequenceNode list)
            {
                foreach (var item in list)
                {
                    if (item is YamlScalarNode { Value: { } id } && (plant is null || plant.Gateways.Contains(id, StringComparer.Ordinal)))
                        gateways.Add(id);
                    else
                        c.Error(item.Start, plant is null ? "a gateway id must be a string" : $"plant '{plant.Key}' has no gateway '{(item as YamlScalarNode)?.Value}' (it has {string.Join(", ", plant.Gateways)})");
                }
            }
            else
            {
                c.Error(gatewaysNode.Start, "'gateways' must be a list of gateway ids, e.g. [gw01]");
            }
        }

        if (gateways.Count == 0 && plant is not null)
            gateways.AddRange(plant.Gateways);

        var seed = c.OptionalInt(root, "seed") ?? 1;
        var sample = c.OptionalDuration(root, "sample") ?? TimeSpan.FromSeconds(1);
        if (sample <= TimeSpan.Zero)
            c.Error(Child(root, "sample")!.Start, "'sample' must be greater than 0");
        var batch = c.OptionalDuration(root, "batch") ?? sample;
        var duration = c.RequiredDuration(root, "duration");
        var settle = c.OptionalDuration(root, "settle") ?? TimeSpan.Zero;
        var clockSkew = c.OptionalSignedDuration(root, "clockSkew") ?? TimeSpan.Zero;
        var phase = c.OptionalPhase(root, "phase") ?? PlantPhase.Steady;
        var description = c.OptionalString(root, "description");

        var timeline = new List<ScenarioEvent>();
        if (Child(root, "timeline") is { } timelineNode)
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
                        c.Error(item.Start, "a timeline entry must be a mapping such as '{ at: 00:30, tag: ..., ramp: -30%, over: 2s }'");
                    }
                }
            }
            else if (timelineNode is not YamlScalarNode { Value: null or "" })
            {
                c.Error(timelineNode.Start, "'timeline' must be a list of events");
            }
        }
        else
        {
            c.Error(root.Start, "missing 'timeline' (an empty list '[]' for a quiet plant)");
        }

        var expectations = new List<Expectation>();
        if (Child(root, "expect") is { } expectNode)
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
                        c.Error(item.Start, "an expectation must be a mapping such as '{ alarm: RULE_ID, within: 3s }' or '{ noAlarm: any }'");
                    }
                }
            }
            else
            {
                c.Error(expectNode.Start, "'expect' must be a list of expectations");
            }
        }
        else
        {
            c.Error(root.Start, "missing 'expect': a scenario must say which alarms must (or must not) be raised");
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
        CheckFields(map, EventFields, c);
        var atNode = c.RequiredScalar(map, "at");
        var at = TimeSpan.Zero;
        if (atNode is not null)
        {
            if (!ScenarioTime.TryParseOffset(atNode.Value ?? string.Empty, out at))
                c.Error(atNode.Start, $"'at' is not a time on the timeline: '{atNode.Value}' (expected mm:ss such as 00:30 or 01:02.5)");
            else if (duration is { } d && at > d)
                c.Error(atNode.Start, $"'at' {ScenarioTime.Format(at)} is after the end of the scenario ({ScenarioTime.Format(d)})");
        }

        var actions = EventActions.Where(a => Child(map, a) is not null).ToList();
        if (actions.Count != 1)
        {
            c.Error(map.Start, actions.Count == 0
                ? "a timeline entry needs one action: ramp, set, restore, phase, disconnect, bad or note"
                : $"a timeline entry has one action, this one has {string.Join(" and ", actions)}");
            return null;
        }

        var action = actions[0];
        var needsTag = action is "ramp" or "set" or "restore" or "bad";
        string? tag = null;
        if (needsTag)
        {
            var tagNode = c.RequiredScalar(map, "tag");
            tag = tagNode?.Value;
            if (tagNode is not null && plant is not null && plant.Find(tag ?? string.Empty) is not { } signal)
                c.Error(tagNode.Start, $"plant '{plant.Key}' has no tag '{tag}'");
            else if (tagNode is not null && plant?.Find(tag!) is { } s && !gateways.Contains(s.Gateway, StringComparer.Ordinal))
                c.Error(tagNode.Start, $"tag '{tag}' belongs to gateway '{s.Gateway}', which this scenario does not publish (see 'gateways')");
        }
        else if (Child(map, "tag") is { } stray)
        {
            c.Error(stray.Start, $"'tag' has no meaning for '{action}'");
        }

        var over = c.OptionalDuration(map, "over") ?? TimeSpan.Zero;
        var line = (int)map.Start.Line;
        switch (action)
        {
            case "ramp":
                var rampNode = (YamlScalarNode?)Child(map, "ramp");
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

                c.Error(Child(map, "ramp")!.Start, $"'ramp' must be a target value (0.12) or a relative change (-30%): '{text}'");
                return null;
            case "set":
                var setNode = Child(map, "set") as YamlScalarNode;
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
                    c.Error(Child(map, "set")!.Start, $"'set' must be a number, true or false: '{value}'");
                    return null;
                }

                return new ScenarioEvent { At = at, Kind = EventKind.Set, Tag = tag, Target = number, Line = line };
            case "restore":
                var restore = c.OptionalDuration(map, "restore") ?? TimeSpan.Zero;
                return new ScenarioEvent { At = at, Kind = EventKind.Restore, Tag = tag, Over = restore, Line = line };
            case "phase":
                var phase = c.OptionalPhase(map, "phase");
                return phase is null ? null : new ScenarioEvent { At = at, Kind = EventKind.Phase, Phase = phase, Line = line };
            case "bad":
                var bad = c.OptionalDuration(map, "bad");
                return bad is null ? null : new ScenarioEvent { At = at, Kind = EventKind.Bad, Tag = tag, Over = bad.Value, Line = line };
            case "disconnect":
                var gwNode = Child(map, "disconnect") as YamlScalarNode;
                if (gwNode?.Value is not { } gw || !gateways.Contains(gw, StringComparer.Ordinal))
                {
                    c.Error(Child(map, "disconnect")!.Start, $"'disconnect' names a gateway this scenario publishes ({string.Join(", ", gateways)}): '{gwNode?.Value}'");
                    return null;
                }

                var length = c.RequiredDuration(map, "for");
                return length is null ? null : new ScenarioEvent { At = at, Kind = EventKind.Disconnect, Gateway = gw, Over = length.Value, Line = line };
            default:
                return new ScenarioEvent { At = at, Kind = EventKind.Note, Note = c.OptionalString(map, "note"), Line = line };
        }
    }

    private static Expectation? ParseExpectation(YamlMappingNode map, PlantDefinition? plant, TimeSpan firstEvent, TimeSpan? duration, Context c)
    {
        CheckFields(map, ExpectFields, c);
        var alarm = Child(map, "alarm");
        var noAlarm = Child(map, "noAlarm");
        if ((alarm is null) == (noAlarm is null))
        {
            c.Error(map.Start, "an expectation has exactly one of 'alarm: RULE_ID' or 'noAlarm: RULE_ID|any'");
            return null;
        }

        var kind = alarm is not null ? ExpectationKind.Alarm : ExpectationKind.NoAlarm;
        var ruleNode = (alarm ?? noAlarm) as YamlScalarNode;
        var rule = ruleNode?.Value;
        if (rule is null || !RuleIdPattern().IsMatch(rule) || (kind == ExpectationKind.Alarm && rule == "any"))
        {
            c.Error((alarm ?? noAlarm)!.Start, kind == ExpectationKind.Alarm ? $"'alarm' must be a rule id ([A-Za-z0-9_.-]): '{rule}'" : $"'noAlarm' must be a rule id or 'any': '{rule}'");
            return null;
        }

        var tagNode = Child(map, "tag") as YamlScalarNode;
        if (tagNode is not null && plant is not null && plant.Find(tagNode.Value ?? string.Empty) is null)
            c.Error(tagNode.Start, $"plant '{plant.Key}' has no tag '{tagNode.Value}'");

        var level = c.OptionalInt(map, "level");
        if (level is not null and not 1 and not 2)
            c.Error(Child(map, "level")!.Start, "'level' is 1 (first stage: H, L) or 2 (second stage: HH, LL)");
        var priority = c.OptionalString(map, "priority");
        if (priority is not null && !Priorities.Contains(priority, StringComparer.Ordinal))
            c.Error(Child(map, "priority")!.Start, $"unknown priority '{priority}' (critical, high, medium, low)");

        var within = c.OptionalDuration(map, "within");
        if (kind == ExpectationKind.Alarm && within is null && Child(map, "within") is null)
            c.Error(map.Start, "an 'alarm' expectation needs 'within' (e.g. within: 3s)");
        if (kind == ExpectationKind.NoAlarm && Child(map, "within") is { } w)
            c.Error(w.Start, "'within' has no meaning for 'noAlarm' (it covers the whole scenario)");

        var after = firstEvent;
        if (Child(map, "after") is YamlScalarNode afterNode)
        {
            if (!ScenarioTime.TryParseOffset(afterNode.Value ?? string.Empty, out after))
                c.Error(afterNode.Start, $"'after' is not a time on the timeline: '{afterNode.Value}'");
            else if (duration is { } d && after > d)
                c.Error(afterNode.Start, $"'after' {ScenarioTime.Format(after)} is after the end of the scenario ({ScenarioTime.Format(d)})");
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
            Enabled = c.OptionalBool(map, "enabled") ?? true,
            Pending = c.OptionalString(map, "pending"),
            Line = (int)map.Start.Line,
        };
    }

    private static YamlNode? Child(YamlMappingNode map, string key) =>
        map.Children.TryGetValue(new YamlScalarNode(key), out var node) ? node : null;

    private static void CheckFields(YamlMappingNode map, string[] known, Context c)
    {
        foreach (var key in map.Children.Keys)
        {
            var name = (key as YamlScalarNode)?.Value ?? string.Empty;
            if (!known.Contains(name, StringComparer.Ordinal))
                c.Error(key.Start, $"unknown field '{name}' (expected one of: {string.Join(", ", known)})");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex RuleIdPattern();

    private sealed class Context(string file)
    {
        public string File { get; } = file;

        public List<string> Errors { get; } = [];

        public void Error(Mark mark, string message) =>
            Errors.Add(string.Create(CultureInfo.InvariantCulture, $"{File}({Math.Max(mark.Line, 1)},{Math.Max(mark.Column, 1)}): {message}"));

        public YamlScalarNode? RequiredScalar(YamlMappingNode map, string key)
        {
            var node = Child(map, key);
            if (node is null)
            {
                Error(map.Start, $"missing '{key}'");
                return null;
            }

            if (node is not YamlScalarNode scalar || string.IsNullOrWhiteSpace(scalar.Value))
            {
                Error(node.Start, $"'{key}' must be a non-empty value");
                return null;
            }

            return scalar;
        }

        public string? RequiredString(YamlMappingNode map, string key) => RequiredScalar(map, key)?.Value;

        public string? OptionalString(YamlMappingNode map, string key)
        {
            var node = Child(map, key);
            if (node is null)
                return null;
            if (node is YamlScalarNode scalar)
                return scalar.Value;
            Error(node.Start, $"'{key}' must be text");
            return null;
        }

        public int? OptionalInt(YamlMappingNode map, string key)
        {
            var text = OptionalString(map, key);
            if (text is null)
                return null;
            if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
                return value;
            Error(Child(map, key)!.Start, $"'{key}' must be an integer: '{text}'");
            return null;
        }

        public bool? OptionalBool(YamlMappingNode map, string key)
        {
            var text = OptionalString(map, key);
            if (text is null)
                return null;
            if (text is "true" or "false")
                return text == "true";
            Error(Child(map, key)!.Start, $"'{key}' must be true or false: '{text}'");
            return null;
        }

        public TimeSpan? OptionalDuration(YamlMappingNode map, string key)
        {
            var text = OptionalString(map, key);
            if (text is null)
                return null;
            if (ScenarioTime.TryParseOffset(text, out var value))
                return value;
            Error(Child(map, key)!.Start, $"'{key}' is not a duration: '{text}' (expected a number with ms, s, m or h, or mm:ss, e.g. 500ms, 2s, 1.5m, 01:30)");
            return null;
        }

        public TimeSpan? OptionalSignedDuration(YamlMappingNode map, string key)
        {
            var text = OptionalString(map, key);
            if (text is null)
                return null;
            var negative = text.StartsWith('-');
            if (ScenarioTime.TryParseDuration(negative ? text[1..] : text, out var value))
                return negative ? -value : value;
            Error(Child(map, key)!.Start, $"'{key}' is not a duration: '{text}' (e.g. 2s or -1.5s)");
            return null;
        }

        public TimeSpan? RequiredDuration(YamlMappingNode map, string key)
        {
            if (Child(map, key) is null)
            {
                Error(map.Start, $"missing '{key}'");
                return null;
            }

            return OptionalDuration(map, key);
        }

        public PlantPhase? OptionalPhase(YamlMappingNode map, string key)
        {
            var text = OptionalString(map, key);
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
                    Error(Child(map, key)!.Start, $"unknown phase '{text}' (startup, steady, shutdown)");
                    return null;
            }
        }
    }
}

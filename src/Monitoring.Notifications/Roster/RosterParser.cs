using System.Globalization;
using System.Text.RegularExpressions;
using MimeKit;
using Monitoring.Yaml;
using YamlDotNet.RepresentationModel;

namespace Monitoring.Notifications.Roster;

public sealed record RosterLoadResult(DutyRoster? Roster, IReadOnlyList<ConfigurationError> Errors);

/// <summary>
/// Parses and validates a duty roster from YAML text. No I/O. Like the site parser it reads through
/// <see cref="LocatedYamlReader"/>, so every error names its line and column and unknown fields are errors:
/// a misspelt <c>deputy:</c> must not silently leave an alarm with nobody to escalate to.
/// </summary>
public static partial class RosterParser
{
    public const string DefaultTimeZone = "Asia/Shanghai";

    private static readonly string[] RootFields = ["timeZone", "people", "enterprises", "shifts", "duty"];
    private static readonly string[] PersonFields = ["id", "name", "webhook", "webhookFormat", "email", "language", "notify"];
    private static readonly string[] EnterpriseFields = ["code", "name", "region", "industry"];
    private static readonly string[] ShiftFields = ["id", "start", "end"];
    private static readonly string[] DutyFields = ["tier", "enterprises", "regions", "industries", "shift", "officer", "deputy"];

    [GeneratedRegex("^[A-Za-z0-9_.-]{1,64}$")]
    private static partial Regex PersonIdPattern();

    [GeneratedRegex("^[A-Za-z0-9_-]{1,64}$")]
    private static partial Regex IdentifierPattern();

    public static RosterLoadResult Parse(string yaml, string fileName)
    {
        ArgumentNullException.ThrowIfNull(yaml);
        ArgumentNullException.ThrowIfNull(fileName);
        var errors = new List<ConfigurationError>();
        var reader = new Reader(fileName, errors);
        if (reader.LoadSingleDocument(yaml, "the file is empty: expected people, shifts and duty", "one roster per file: found a second YAML document") is not { } root)
            return new RosterLoadResult(null, errors);

        var roster = reader.ReadRoster(root);
        return new RosterLoadResult(errors.Count == 0 ? roster : null, errors);
    }

    private sealed class Reader(string file, List<ConfigurationError> errors) : LocatedYamlReader(file, errors)
    {
        public DutyRoster? ReadRoster(YamlNode root)
        {
            if (root is not YamlMappingNode map)
            {
                Error(root, "a roster must be a mapping with people, shifts and duty");
                return null;
            }

            var fields = Fields(map, "roster", RootFields);
            var zoneId = Text(fields, "timeZone") ?? DefaultTimeZone;
            TimeZoneInfo? zone = null;
            try
            {
                zone = TimeZoneInfo.FindSystemTimeZoneById(zoneId);
            }
            catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
            {
                Error(fields.TryGetValue("timeZone", out var zoneNode) ? zoneNode : map, $"unknown time zone '{zoneId}' (an IANA id such as Asia/Shanghai)");
            }

            var people = new Dictionary<string, Person>(StringComparer.Ordinal);
            foreach (var node in Sequence(map, fields, "people", required: true))
            {
                if (ReadPerson(node) is { } person && !people.TryAdd(person.Id, person))
                    Error(node, $"duplicate person id '{person.Id}'");
            }

            var enterprises = new Dictionary<string, EnterpriseEntry>(StringComparer.Ordinal);
            foreach (var node in Sequence(map, fields, "enterprises", required: false))
            {
                if (ReadEnterprise(node) is { } enterprise && !enterprises.TryAdd(enterprise.Code, enterprise))
                    Error(node, $"duplicate enterprise code '{enterprise.Code}'");
            }

            var shifts = new Dictionary<string, Shift>(StringComparer.Ordinal);
            foreach (var node in Sequence(map, fields, "shifts", required: false))
            {
                if (ReadShift(node) is { } shift && !shifts.TryAdd(shift.Id, shift))
                    Error(node, $"duplicate shift id '{shift.Id}'");
            }

            var duty = new List<DutyAssignment>();
            foreach (var node in Sequence(map, fields, "duty", required: true))
            {
                if (ReadDuty(node, people, shifts) is { } assignment)
                    duty.Add(assignment);
            }

            if (duty.Count > 0)
                CheckCoverage(fields["duty"], duty);

            return zone is null
                ? null
                : new DutyRoster { TimeZone = zone, People = people, Enterprises = enterprises, Shifts = [.. shifts.Values], Duty = duty, SourceFile = File };
        }

        /// <summary>Every minute of the day needs a catch-all assignment: otherwise an alarm from an enterprise without its own duty reaches nobody.</summary>
        private void CheckCoverage(YamlNode dutyNode, List<DutyAssignment> duty)
        {
            var gaps = new List<(int Start, int End)>();
            var gapStart = -1;
            for (var minute = 0; minute <= 24 * 60; minute++)
            {
                var covered = minute == 24 * 60 || duty.Exists(d => d.IsCatchAll && (d.Shift is null || d.Shift.Covers(new TimeOnly(minute / 60, minute % 60))));
                if (!covered && gapStart < 0)
                {
                    gapStart = minute;
                }
                else if (covered && gapStart >= 0)
                {
                    gaps.Add((gapStart, minute));
                    gapStart = -1;
                }
            }

            // A gap over midnight is one gap (20:00-08:00), not two.
            if (gaps.Count > 1 && gaps[0].Start == 0 && gaps[^1].End == 24 * 60)
            {
                gaps[^1] = (gaps[^1].Start, gaps[0].End);
                gaps.RemoveAt(0);
            }

            foreach (var (start, end) in gaps)
            {
                Error(dutyNode, string.Create(CultureInfo.InvariantCulture,
                    $"no duty without filters covers {start / 60:00}:{start % 60:00}-{end / 60 % 24:00}:{end % 60:00}: add a catch-all assignment (no enterprises, regions or industries) for that time so every alarm reaches someone"));
            }
        }

        private Person? ReadPerson(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a person must be a mapping with id, name and a webhook or email");
                return null;
            }

            var before = Errors.Count;
            var fields = Fields(map, "person", PersonFields);
            var id = RequiredText(map, fields, "id");
            if (id is not null && !PersonIdPattern().IsMatch(id))
                Error(fields["id"], $"invalid person id '{id}': must match [A-Za-z0-9_.-]{{1,64}}");
            var name = RequiredText(map, fields, "name");

            Uri? webhook = null;
            if (Text(fields, "webhook") is { } webhookText)
            {
                if (Uri.TryCreate(webhookText, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp))
                    webhook = uri;
                else
                    Error(fields["webhook"], $"webhook '{webhookText}' is not an absolute http or https URL");
            }

            var format = WebhookFormat.Generic;
            switch (Text(fields, "webhookFormat"))
            {
                case null or "generic":
                    break;
                case "wecom":
                    format = WebhookFormat.WeCom;
                    break;
                case "dingtalk":
                    format = WebhookFormat.DingTalk;
                    break;
                case var other:
                    Error(fields["webhookFormat"], $"unknown webhookFormat '{other}': expected generic, wecom or dingtalk");
                    break;
            }

            string? email = null;
            if (Text(fields, "email") is { } emailText)
            {
                if (MailboxAddress.TryParse(emailText, out var mailbox) && mailbox.Address.Contains('@', StringComparison.Ordinal))
                    email = emailText;
                else
                    Error(fields["email"], $"email '{emailText}' is not a mail address");
            }

            var language = Text(fields, "language") ?? "zh";
            if (language is not ("zh" or "en"))
                Error(fields["language"], $"unknown language '{language}': expected zh or en");

            if (!fields.ContainsKey("webhook") && !fields.ContainsKey("email"))
                Error(map, $"person '{id}' has neither a webhook nor an email: nobody could reach them");

            var notify = new List<ChannelKind>();
            if (fields.TryGetValue("notify", out var notifyNode) && !IsNull(notifyNode))
            {
                foreach (var item in Sequence(map, fields, "notify", required: true))
                {
                    ChannelKind? channel = (item as YamlScalarNode)?.Value switch
                    {
                        "webhook" => ChannelKind.Webhook,
                        "email" => ChannelKind.Email,
                        _ => null,
                    };
                    if (channel is null)
                        Error(item, "notify lists channels: webhook or email");
                    else if ((channel == ChannelKind.Webhook ? fields.ContainsKey("webhook") : fields.ContainsKey("email")) is false)
                        Error(item, $"notify names {item} but the person has no {item} address");
                    else if (!notify.Contains(channel.Value))
                        notify.Add(channel.Value);
                }
            }
            else
            {
                if (webhook is not null)
                    notify.Add(ChannelKind.Webhook);
                if (email is not null)
                    notify.Add(ChannelKind.Email);
            }

            return Errors.Count == before && id is not null && name is not null
                ? new Person(id, name, webhook, format, email, language, notify)
                : null;
        }

        private EnterpriseEntry? ReadEnterprise(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "an enterprise must be a mapping with code and region");
                return null;
            }

            var fields = Fields(map, "enterprise", EnterpriseFields);
            var code = RequiredText(map, fields, "code");
            if (code is not null && !IdentifierPattern().IsMatch(code))
            {
                Error(fields["code"], $"invalid enterprise code '{code}': must match [A-Za-z0-9_-]{{1,64}}");
                return null;
            }

            return code is null ? null : new EnterpriseEntry(code, Text(fields, "name"), Text(fields, "region"), Text(fields, "industry"));
        }

        private Shift? ReadShift(YamlNode node)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a shift must be a mapping with id, start and end");
                return null;
            }

            var fields = Fields(map, "shift", ShiftFields);
            var id = RequiredText(map, fields, "id");
            var start = Time(map, fields, "start");
            var end = Time(map, fields, "end");
            if (start is not null && end is not null && start == end)
            {
                Error(fields["end"], "a shift cannot end when it starts: leave the shift out of the duty for a whole day");
                return null;
            }

            return id is null || start is null || end is null ? null : new Shift(id, start.Value, end.Value);
        }

        private DutyAssignment? ReadDuty(YamlNode node, Dictionary<string, Person> people, Dictionary<string, Shift> shifts)
        {
            if (node is not YamlMappingNode map)
            {
                Error(node, "a duty assignment must be a mapping with tier and officer");
                return null;
            }

            var before = Errors.Count;
            var fields = Fields(map, "duty", DutyFields);
            DutyTier? tier = RequiredText(map, fields, "tier") switch
            {
                null => null,
                "enterprise" => DutyTier.Enterprise,
                "park" or "township" => DutyTier.Park,
                "county" => DutyTier.County,
                var other => Invalid(fields["tier"], $"unknown tier '{other}': expected enterprise, park (or township) or county"),
            };

            Shift? shift = null;
            if (Text(fields, "shift") is { } shiftId && !shifts.TryGetValue(shiftId, out shift))
                Error(fields["shift"], $"unknown shift '{shiftId}': declare it under shifts");

            var officer = PersonRef(map, fields, "officer", people, required: true);
            var deputy = PersonRef(map, fields, "deputy", people, required: false);
            if (officer is not null && officer == deputy)
                Error(fields["deputy"], "the deputy must be someone other than the officer");

            var enterprises = TextList(map, fields, "enterprises");
            var regions = TextList(map, fields, "regions");
            var industries = TextList(map, fields, "industries");
            return Errors.Count == before && tier is not null && officer is not null
                ? new DutyAssignment(tier.Value, enterprises, regions, industries, shift, officer, deputy, new SourceMark((int)map.Start.Line, (int)map.Start.Column))
                : null;
        }

        private DutyTier? Invalid(YamlNode node, string message)
        {
            Error(node, message);
            return null;
        }

        private string? PersonRef(YamlMappingNode owner, Dictionary<string, YamlNode> fields, string name, Dictionary<string, Person> people, bool required)
        {
            var id = required ? RequiredText(owner, fields, name) : Text(fields, name);
            if (id is not null && !people.ContainsKey(id))
            {
                Error(fields[name], $"unknown person '{id}' as {name}: declare them under people");
                return null;
            }

            return id;
        }

        private TimeOnly? Time(YamlMappingNode owner, Dictionary<string, YamlNode> fields, string name)
        {
            if (RequiredText(owner, fields, name) is not { } text)
                return null;
            if (text == "24:00")
                return TimeOnly.MinValue;
            if (TimeOnly.TryParseExact(text, ["H:mm", "HH:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var time))
                return time;
            Error(fields[name], $"'{name}' must be a local time HH:mm, not '{text}'");
            return null;
        }
    }
}

using Monitoring.Notifications.Roster;

namespace Monitoring.Notifications.Tests;

public sealed class RosterParserTests
{
    private static IReadOnlyList<Monitoring.Yaml.ConfigurationError> Errors(string yaml)
    {
        var result = RosterParser.Parse(yaml, "r.yaml");
        Assert.Null(result.Roster);
        return result.Errors;
    }

    [Fact]
    public void Parse_TestRoster_ReadsPeopleShiftsAndDuty()
    {
        var roster = TestRoster.Parse();

        Assert.Equal("Asia/Shanghai", roster.TimeZone.Id);
        Assert.Equal(6, roster.People.Count);
        Assert.Equal(5, roster.Duty.Count);
        var day = roster.People["day.officer"];
        Assert.Equal([ChannelKind.Webhook, ChannelKind.Email], day.Notify);
        Assert.Equal("en", day.Language);
        Assert.Equal(WebhookFormat.WeCom, roster.People["special.officer"].WebhookFormat);
        Assert.Equal("zh", roster.People["park.officer"].Language);
    }

    [Fact]
    public void Parse_DemoRosterShippedWithTheService_IsValid()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "roster", "roster.yaml");
        var result = RosterParser.Parse(File.ReadAllText(path), path);

        Assert.True(result.Roster is not null, string.Join("\n", result.Errors));
    }

    [Fact]
    public void Parse_SecondDocument_IsAnErrorAtItsStart()
    {
        var text = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "roster", "roster.yaml"));
        var lines = text.Split('\n').Length;

        var error = Assert.Single(Errors(text.TrimEnd() + "\n---\npeople: []\n"));

        Assert.Equal(lines + 1, error.Line);
        Assert.Contains("one roster per file", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_UnknownField_IsLocatedAtTheKey()
    {
        var errors = Errors(TestRoster.Yaml.Replace("deputy: deputy }\n  - { tier: enterprise, shift: night", "deptuy: deputy }\n  - { tier: enterprise, shift: night", StringComparison.Ordinal));

        var error = Assert.Single(errors);
        Assert.Contains("unknown field 'deptuy' in duty", error.Message, StringComparison.Ordinal);
        Assert.Equal(15, error.Line);
    }

    [Fact]
    public void Parse_UnknownPersonAsDeputy_NamesThePerson()
    {
        var errors = Errors(TestRoster.Yaml.Replace("officer: night.officer, deputy: deputy", "officer: night.officer, deputy: nobody", StringComparison.Ordinal));

        Assert.Contains(errors, e => e.Message.Contains("unknown person 'nobody' as deputy", StringComparison.Ordinal) && e.Line == 16);
    }

    [Fact]
    public void Parse_PersonWithoutAnyAddress_IsAnError()
    {
        var errors = Errors(TestRoster.Yaml.Replace("{ id: deputy, name: Deputy, email: deputy@example.invalid, language: zh }", "{ id: deputy, name: Deputy }", StringComparison.Ordinal));

        Assert.Contains(errors, e => e.Message.Contains("neither a webhook nor an email", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_DuplicatePersonAndBadValues_ReportsEach()
    {
        var yaml = """
            timeZone: Mars/Olympus
            people:
              - { id: a, name: A, webhook: "ftp://x", email: "not an address", language: fr }
              - { id: a, name: A2, email: a@example.invalid }
            shifts:
              - { id: s, start: "25:00", end: "08:00" }
            duty:
              - { tier: city, officer: a }
              - { tier: county, officer: a, deputy: a }
            """;

        var messages = Errors(yaml).Select(e => e.Message).ToList();

        Assert.Contains(messages, m => m.Contains("unknown time zone 'Mars/Olympus'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("not an absolute http or https URL", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("is not a mail address", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("unknown language 'fr'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("'start' must be a local time HH:mm", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("unknown tier 'city'", StringComparison.Ordinal));
        Assert.Contains(messages, m => m.Contains("the deputy must be someone other than the officer", StringComparison.Ordinal));
    }

    [Fact]
    public void Parse_CatchAllDutyLeavesTheNightUncovered_NamesTheGap()
    {
        var yaml = """
            people:
              - { id: a, name: A, email: a@example.invalid }
            shifts:
              - { id: day, start: "08:00", end: "20:00" }
            duty:
              - { tier: enterprise, shift: day, officer: a }
            """;

        var error = Assert.Single(Errors(yaml));
        Assert.Contains("20:00-08:00", error.Message, StringComparison.Ordinal);
        Assert.Contains("00:00-08:00", Assert.Single(Errors(yaml.Replace("08:00\", end: \"20:00", "08:00\", end: \"24:00", StringComparison.Ordinal))).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InvalidYaml_IsLocated()
    {
        var error = Assert.Single(Errors("people: [\n  - {"));

        Assert.StartsWith("invalid YAML", error.Message, StringComparison.Ordinal);
    }
}

using Monitoring.Notifications.Roster;

namespace Monitoring.Notifications.Tests;

/// <summary>A roster with every tier: day and night enterprise shifts (night crosses midnight), a park and a county officer.</summary>
internal static class TestRoster
{
    public const string Enterprise = "91330700MA2ALCAST1";
    public const string OtherEnterprise = "91330700MA2OTHER01";

    public const string Yaml = """
        timeZone: Asia/Shanghai
        people:
          - { id: day.officer, name: Day Officer, webhook: "http://127.0.0.1:9/day", email: day@example.invalid, language: en }
          - { id: night.officer, name: Night Officer, webhook: "http://127.0.0.1:9/night", language: zh }
          - { id: deputy, name: Deputy, email: deputy@example.invalid, language: zh }
          - { id: park.officer, name: Park Officer, email: park@example.invalid }
          - { id: county.officer, name: County Officer, email: county@example.invalid, language: en }
          - { id: special.officer, name: Special, webhook: "http://127.0.0.1:9/special", webhookFormat: wecom }
        enterprises:
          - { code: 91330700MA2ALCAST1, region: demo-park, industry: aluminium-casting }
        shifts:
          - { id: day, start: "08:00", end: "20:00" }
          - { id: night, start: "20:00", end: "08:00" }
        duty:
          - { tier: enterprise, shift: day, officer: day.officer, deputy: deputy }
          - { tier: enterprise, shift: night, officer: night.officer, deputy: deputy }
          - { tier: enterprise, enterprises: [91330700MA2OTHER01], officer: special.officer }
          - { tier: park, regions: [demo-park], officer: park.officer }
          - { tier: county, officer: county.officer }
        """;

    public static DutyRoster Parse(string yaml = Yaml)
    {
        var result = RosterParser.Parse(yaml, "test-roster.yaml");
        Assert.True(result.Roster is not null, string.Join("\n", result.Errors));
        return result.Roster!;
    }

    /// <summary>14:00 in Shanghai (UTC+8): the day shift.</summary>
    public static readonly DateTimeOffset DayTime = new(2026, 11, 22, 6, 0, 0, TimeSpan.Zero);
}

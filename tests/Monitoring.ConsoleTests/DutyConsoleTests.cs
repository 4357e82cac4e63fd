using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Monitoring.ConsoleTests;

/// <summary>The duty console in Debian's Chromium: sign-in, the live list, the actions, detail and plot, gateways, language.</summary>
[Trait("Category", "Browser")]
public sealed class DutyConsoleTests(ConsoleFixture host) : IClassFixture<ConsoleFixture>
{
    private const string Casting = "91441800DEMODCCAST";
    private const string Dust = "91320500DEMODUST01";
    private const string Steel = "91130200DEMOSTEEL1";

    private static ILocator Row(IPage page, string text) => page.Locator("tr.alarm", new PageLocatorOptions { HasText = text });

    [Fact]
    public async Task AlarmList_ReadingCrossesLimit_AppearsLiveWithoutReload()
    {
        await using var context = await host.NewContextAsync();
        var page = await host.SignInAsync(context);
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        await host.PublishAsync(Casting, "gw01", "CAST1.MOULD.WATER.P", [0.2, 0.19, 0.16]);

        var row = Row(page, "Mould cooling water inlet pressure low (low,");
        await Expect(row).ToBeVisibleAsync();
        await Expect(row.Locator(".state")).ToHaveTextAsync("Unacknowledged");
        await Expect(row).ToContainTextAsync("Critical");
        await Expect(row).ToContainTextAsync("令10号 第五条");
        await Expect(row.Locator(".value")).ToHaveTextAsync("0.16");
        await Expect(row.Locator("td.escalation")).ToHaveTextAsync(new Regex(@"^\d+:\d\d$"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the page was reloaded");
    }

    [Fact]
    public async Task Acknowledge_FromConsole_RecordedForTheSignedInUser()
    {
        await using var context = await host.NewContextAsync();
        var page = await host.SignInAsync(context);
        await host.PublishAsync(Casting, "gw01", "CAST1.MOULD.WATER.Q", [120, 110, 100]);
        var row = Row(page, "Mould cooling water inlet flow low (low,");
        await Expect(row).ToBeVisibleAsync();
        var alarmId = await row.GetAttributeAsync("data-alarm-id");

        await row.Locator("button[data-action=acknowledge]").ClickAsync();
        await page.Locator("#action-text").FillAsync("Valve V-12 reopened");
        await page.Locator("#action-submit").ClickAsync();

        await Expect(row.Locator(".state")).ToHaveTextAsync("Acknowledged");
        await Expect(row.Locator("td.escalation")).ToHaveTextAsync("—");
        var alarm = await host.GetJsonAsync($"/api/alarms/{alarmId}");
        Assert.Equal(ConsoleFixture.DutyOfficer, alarm.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("Valve V-12 reopened", alarm.GetProperty("comment").GetString());
        var audit = await host.GetJsonAsync($"/api/alarms/{alarmId}/audit");
        Assert.Contains(audit.EnumerateArray(), a => a.GetProperty("actor").GetString() == ConsoleFixture.DutyOfficer && a.GetProperty("action").GetString()!.Contains("acknowledge", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ShelveAndComment_FromConsole_AuditedWithReasonAndText()
    {
        await using var context = await host.NewContextAsync();
        var page = await host.SignInAsync(context);
        await host.PublishAsync(Dust, "gw01", "DC1.INLET.TEMP", [60, 65, 75]);
        var row = Row(page, "Collector inlet temperature above 70");
        await Expect(row).ToBeVisibleAsync();
        var alarmId = await row.GetAttributeAsync("data-alarm-id");

        await row.Locator("button[data-action=shelve]").ClickAsync();
        await page.Locator("#action-submit").ClickAsync();
        await Expect(page.Locator("#action-form-error")).ToHaveTextAsync("A reason is required.");
        await page.Locator("#action-text").FillAsync("Thermocouple TE-101 being replaced");
        await page.Locator("#action-duration").SelectOptionAsync("240");
        await page.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".state")).ToHaveTextAsync("Shelved");
        await Expect(row).ToContainTextAsync("Thermocouple TE-101 being replaced");

        await row.Locator("button[data-action=comment]").ClickAsync();
        await page.Locator("#action-text").FillAsync("Maintenance ticket M-2231");
        await page.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".comment")).ToHaveTextAsync("“Maintenance ticket M-2231”");

        var alarm = await host.GetJsonAsync($"/api/alarms/{alarmId}");
        var shelf = alarm.GetProperty("shelf");
        Assert.Equal(ConsoleFixture.DutyOfficer, shelf.GetProperty("by").GetString());
        Assert.Equal("Thermocouple TE-101 being replaced", shelf.GetProperty("reason").GetString());
        var until = shelf.GetProperty("until").GetDateTimeOffset() - TimeProvider.System.GetUtcNow();
        Assert.InRange(until, TimeSpan.FromMinutes(235), TimeSpan.FromMinutes(241));
        var audit = (await host.GetJsonAsync($"/api/alarms/{alarmId}/audit")).EnumerateArray().ToList();
        Assert.Contains(audit, a => a.GetProperty("action").GetString() == "comment" && a.GetProperty("reason").GetString() == "Maintenance ticket M-2231"
                                    && a.GetProperty("actor").GetString() == ConsoleFixture.DutyOfficer);
        Assert.Contains(audit, a => a.GetProperty("action").GetString()!.Contains("shelve", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Detail_AlarmWithHistory_PlotsStoredReadingsContextAndLimit()
    {
        await using var context = await host.NewContextAsync();
        var page = await host.SignInAsync(context);
        // 20 minutes of hydrogen readings, one a minute, rising through the 25 % LEL warning in the last one.
        double[] values = [.. Enumerable.Range(0, 20).Select(i => 5.0 + i), 31];
        await host.PublishAsync(Dust, "gw02", "WC1.H2", values, stepMs: 60_000);
        var row = page.Locator("tr.alarm", new PageLocatorOptions { HasText = "WC1.H2" });
        await Expect(row).ToBeVisibleAsync();

        await row.Locator("button[data-action=detail]").ClickAsync();
        var detail = page.Locator("#detail");
        await Expect(detail).ToBeVisibleAsync();
        await Expect(detail.Locator("svg.chart polyline[data-series='WC1.H2']")).ToBeVisibleAsync();
        await Expect(detail.Locator("svg.chart line.limit")).ToHaveCountAsync(1);
        await Expect(detail.Locator("svg.chart line.raised")).ToHaveCountAsync(1);
        await Expect(detail.Locator("svg.chart circle.context")).ToHaveCountAsync(values.Length);
        await Expect(detail.Locator(".legend")).ToContainTextAsync($"WC1.H2 ({values.Length} + {values.Length})");
        var screenshot = ConsoleFixture.ScreenshotPath("alarm-detail.png");
        if (screenshot is not null)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot });
    }

    [Fact]
    public async Task GatewayBoard_GatewayOnlineWithSequenceGap_ShowsStatusAndGap()
    {
        await using var context = await host.NewContextAsync();
        var page = await host.SignInAsync(context);
        await host.PublishStatusAsync(Steel, "gw02", "online", "edge-2.4.1");
        await host.PublishAsync(Steel, "gw02", "BF1.TOP.P", [200], seq: 1);
        await host.PublishAsync(Steel, "gw02", "BF1.TOP.P", [201], seq: 5);

        await page.Locator("#tab-gateways").ClickAsync();

        var gateway = page.Locator($"section[data-enterprise='{Steel}'] tr[data-gateway='gw02']");
        await Expect(gateway.Locator(".gw-status")).ToHaveTextAsync("online");
        await Expect(gateway).ToContainTextAsync("edge-2.4.1");
        // seq 1 then 5: three messages lost. The board refreshes every 3 s.
        await Expect(gateway.Locator("td.gaps")).ToHaveTextAsync("3", new LocatorAssertionsToHaveTextOptions { Timeout = 10_000 });
        await Expect(gateway.Locator("td.rejects")).ToHaveTextAsync("0");
        // A configured gateway that never spoke is on the board too.
        await Expect(page.Locator($"section[data-enterprise='{Casting}'] tr.gw-never").First).ToBeVisibleAsync();
        var screenshot = ConsoleFixture.ScreenshotPath("gateway-board.png");
        if (screenshot is not null)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
    }

    [Fact]
    public async Task LanguageSwitch_Chinese_PageAndAlarmTextsInChinese()
    {
        await using var context = await host.NewContextAsync();
        var page = await host.SignInAsync(context);
        await host.PublishAsync(Casting, "gw02", "EMW.PUMP.READY", [1, 0, 0, 0, 0, 0, 0, 0], stepMs: 1000);
        await Expect(Row(page, "Emergency water pump not ready")).ToBeVisibleAsync();
        var row = page.Locator($"tr.alarm[data-alarm-id='{await Row(page, "Emergency water pump not ready").GetAttributeAsync("data-alarm-id")}']");

        await page.Locator("button[data-lang=zh]").First.ClickAsync();

        await Expect(page.Locator("header.top h1")).ToHaveTextAsync("值班台");
        await Expect(row.Locator(".state")).ToHaveTextAsync("未确认");
        await Expect(row.Locator("td.condition")).ToContainTextAsync("应急");
        await Expect(page.Locator("html")).ToHaveAttributeAsync("lang", "zh-CN");

        // Kept for the next visit.
        await page.ReloadAsync();
        await Expect(page.Locator("header.top h1")).ToHaveTextAsync("值班台");
    }

    [Fact]
    public async Task Writes_WithoutSignInOrHeaderOrRole_Refused()
    {
        await using var anonymous = await host.NewContextAsync();
        var page = await anonymous.NewPageAsync();
        await page.GotoAsync("/console");
        await Expect(page).ToHaveURLAsync(new Regex("/console/login\\?ReturnUrl=%2Fconsole$"));
        var status = await page.EvaluateAsync<int>(
            "async () => (await fetch('/api/alarms/00000000-0000-0000-0000-000000000001/acknowledge', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Monitoring-Console': '1' }, body: '{}' })).status");
        Assert.Equal(401, status);

        await using var signedIn = await host.NewContextAsync();
        var duty = await host.SignInAsync(signedIn);
        var withoutHeader = await duty.EvaluateAsync<JsonElement>(
            "async () => { const r = await fetch('/api/alarms/00000000-0000-0000-0000-000000000001/acknowledge', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }); return { status: r.status, body: await r.json() }; }");
        Assert.Equal(403, withoutHeader.GetProperty("status").GetInt32());
        Assert.Contains("X-Monitoring-Console", withoutHeader.GetProperty("body").GetProperty("detail").GetString(), StringComparison.Ordinal);

        await using var viewerContext = await host.NewContextAsync();
        var viewer = await host.SignInAsync(viewerContext, ConsoleFixture.Viewer);
        await Expect(viewer.Locator("#who")).ToContainTextAsync("read only");
        await Expect(viewer.Locator("button[data-action=acknowledge]")).ToHaveCountAsync(0);
        var asViewer = await viewer.EvaluateAsync<int>(
            "async () => (await fetch('/api/alarms/00000000-0000-0000-0000-000000000001/acknowledge', { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Monitoring-Console': '1' }, body: '{}' })).status");
        Assert.Equal(403, asViewer);

        await page.Locator("#login-user").FillAsync(ConsoleFixture.DutyOfficer);
        await page.Locator("#login-password").FillAsync("wrong password");
        await page.Locator("#login-submit").ClickAsync();
        await Expect(page.Locator("#login-error")).ToHaveTextAsync("Unknown user or wrong password.");
    }

    [Fact]
    public async Task SignIn_FiveFailures_PageSaysLockedAndForHowLong()
    {
        await using var context = await host.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync("/console/login");
        // A user name of its own: the lock must not reach the fixture's users that the other tests sign in with.
        await page.Locator("#login-user").FillAsync("locked-out-officer");

        for (var i = 0; i <= 5; i++)
        {
            await page.Locator("#login-password").FillAsync("wrong password " + i);
            var response = await page.RunAndWaitForResponseAsync(
                () => page.Locator("#login-submit").ClickAsync(),
                r => r.Url.EndsWith("/console/login", StringComparison.Ordinal) && r.Request.Method == "POST");
            Assert.Equal(i < 5 ? 401 : 429, response.Status);
        }

        await Expect(page.Locator("#login-error")).ToHaveTextAsync(new Regex(@"^Too many failed sign-ins: try again in \d+ s\.$"));
    }

    [Fact]
    public async Task Screenshots_ListOnDesktopAndPhone_Taken()
    {
        await host.PublishAsync(Steel, "gw01", "BOF1.LANCE.WATER.DQ", [1, 6, 6, 6, 6], stepMs: 1000);
        await using var desktop = await host.NewContextAsync();
        var page = await host.SignInAsync(desktop);
        await Expect(Row(page, "Lance cooling water flow difference high")).ToBeVisibleAsync();
        var shot = ConsoleFixture.ScreenshotPath("alarm-list.png");
        if (shot is not null)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = shot, FullPage = true });

        await using var phone = await host.NewContextAsync(width: 390, height: 844, locale: "zh-CN");
        var mobile = await host.SignInAsync(phone);
        // A zh-CN browser starts in Chinese.
        await Expect(Row(mobile, "氧枪冷却水")).ToBeVisibleAsync();
        await mobile.Locator("button[data-lang=zh]").First.ClickAsync();
        await Expect(mobile.Locator("header.top h1")).ToHaveTextAsync("值班台");
        // Phone width: one card per alarm, nothing wider than the screen.
        var width = await mobile.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 390, $"page is {width}px wide on a 390px screen");
        shot = ConsoleFixture.ScreenshotPath("alarm-list-phone-zh.png");
        if (shot is not null)
            await mobile.ScreenshotAsync(new PageScreenshotOptions { Path = shot });

        var login = await (await host.NewContextAsync()).NewPageAsync();
        await login.GotoAsync("/console/login");
        await Expect(login.Locator("#login-submit")).ToBeVisibleAsync();
        shot = ConsoleFixture.ScreenshotPath("login.png");
        if (shot is not null)
            await login.ScreenshotAsync(new PageScreenshotOptions { Path = shot });
    }
}

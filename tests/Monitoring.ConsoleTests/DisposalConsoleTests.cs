using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace Monitoring.ConsoleTests;

/// <summary>
/// The loop after the alarm in Debian's Chromium (docs/disposal.md): the duty officer signs for and reports the
/// disposal, the supervising officer returns and approves it; the major-hazard register from plan to close-out; the
/// alarm history with a past alarm's plot and trail; the same screens in Chinese. Each test raises its own alarm on
/// a point of its own, so no test depends on another.
/// </summary>
[Trait("Category", "Browser")]
public sealed partial class DisposalConsoleTests(ConsoleFixture host) : IClassFixture<ConsoleFixture>
{
    private const string Casting = "91441800DEMODCCAST";

    /// <summary>The screens that refresh every 3 s, and the stream: a little more than Playwright's 5 s.</summary>
    private static readonly LocatorAssertionsToHaveTextOptions Refresh = new() { Timeout = 10_000 };

    [Fact]
    public async Task DisposalLoop_SignForReportReturnReportApprove_ClosedOutWithEveryStepInTheTrail()
    {
        await using var dutyContext = await host.NewContextAsync();
        var duty = await host.SignInAsync(dutyContext);
        await using var supervisorContext = await host.NewContextAsync();
        var supervisor = await host.SignInAsync(supervisorContext, ConsoleFixture.Supervisor);
        await Expect(supervisor.Locator("#who")).ToHaveTextAsync("Zhao Min (park supervisor)");

        await host.PublishAsync(Casting, "gw01", "CAST1.MOULD.WATER.P", [0.2, 0.19, 0.16]);
        var alarmId = await AlarmIdAsync(duty, "Mould cooling water inlet pressure low (low,");

        // 签收: the first step, with its deadline counting down.
        await duty.Locator("#tab-disposal").ClickAsync();
        var row = duty.Locator($"#disposal-rows tr[data-alarm-id='{alarmId}']");
        await Expect(row.Locator(".step")).ToHaveTextAsync("To sign for");
        await Expect(row.Locator("td.due")).ToHaveTextAsync(CountdownOrOverdue());
        await row.Locator("button[data-action=signFor]").ClickAsync();
        await duty.Locator("#action-text").FillAsync("crew at pit 1");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".step")).ToHaveTextAsync("Awaiting disposal report");

        // 处置/反馈: "other" needs words; the form says so and sends nothing.
        await row.Locator("button[data-action=dispose]").ClickAsync();
        await duty.Locator("#action-cause").SelectOptionAsync("other");
        await duty.Locator("#action-description").FillAsync("pressure fell to 0.16 MPa");
        await duty.Locator("#action-measures").FillAsync("casting stopped, pump P-2 checked");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(duty.Locator("#action-form-error")).ToHaveTextAsync("This cause needs a few words saying what it was.");
        Assert.Equal(JsonValueKind.Null, (await host.GetJsonAsync($"/api/alarms/{alarmId}")).GetProperty("disposal").GetProperty("report").ValueKind);
        await duty.Locator("#action-causeText").FillAsync("strainer of pump P-2 blocked");
        await duty.Locator("#action-evidence").FillAsync("photo:cast1-strainer-1");
        await Screenshot(duty, "dispose-form.png");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".step")).ToHaveTextAsync("Awaiting verification");
        await Expect(row.Locator("td.report")).ToContainTextAsync("Other — strainer of pump P-2 blocked");
        // The enterprise does not verify its own report.
        await Expect(row.Locator("button[data-action=verify]")).ToHaveCountAsync(0);

        // 核查 by the supervising officer: refused while the condition is active, then returned with a reason.
        await supervisor.Locator("#tab-disposal").ClickAsync();
        var review = supervisor.Locator($"#disposal-rows tr[data-alarm-id='{alarmId}']");
        await Expect(review.Locator(".step")).ToHaveTextAsync("Awaiting verification");
        await Expect(review.Locator("button[data-action=dispose]")).ToHaveCountAsync(0);
        await Screenshot(supervisor, "disposal-list.png");
        await review.Locator("button[data-action=verify]").ClickAsync();
        await supervisor.Locator("#action-submit").ClickAsync();
        await Expect(supervisor.Locator("#action-form-error")).ToContainTextAsync("Refused: the condition is still active");
        await supervisor.Locator("#action-cancel").ClickAsync();
        await review.Locator("button[data-action=return]").ClickAsync();
        await supervisor.Locator("#action-submit").ClickAsync();
        await Expect(supervisor.Locator("#action-form-error")).ToHaveTextAsync("A reason is required.");
        await supervisor.Locator("#action-text").FillAsync("add a photo after cleaning");
        await supervisor.Locator("#action-submit").ClickAsync();
        await Expect(review.Locator(".step")).ToHaveTextAsync("Awaiting disposal report");

        // The duty officer's list follows on its own, with the reason; a second report.
        await Expect(row.Locator(".note.returned")).ToHaveTextAsync($"Returned by {ConsoleFixture.Supervisor}: add a photo after cleaning", Refresh);
        await row.Locator("button[data-action=dispose]").ClickAsync();
        await duty.Locator("#action-cause").SelectOptionAsync("equipment-fault");
        await duty.Locator("#action-description").FillAsync("strainer of pump P-2 blocked");
        await duty.Locator("#action-measures").FillAsync("strainer cleaned, pump P-2 restarted at 0.31 MPa");
        await duty.Locator("#action-evidence").FillAsync("photo:cast1-strainer-1\nphoto:cast1-strainer-2");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".step")).ToHaveTextAsync("Awaiting verification");
        await Expect(row).ToContainTextAsync("report no. 2");

        // Back to normal: acknowledged and cleared, the alarm leaves the live list; approved, it is closed out (销号).
        await host.PublishAsync(Casting, "gw01", "CAST1.MOULD.WATER.P", [0.3, 0.3, 0.3, 0.3]);
        await Expect(duty.Locator($"#alarm-rows tr[data-alarm-id='{alarmId}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await Expect(review).ToContainTextAsync("Equipment fault", new() { Timeout = 10_000 });
        await review.Locator("button[data-action=verify]").ClickAsync();
        await supervisor.Locator("#action-text").FillAsync("现场核查属实");
        await supervisor.Locator("#action-submit").ClickAsync();
        await Expect(review).ToHaveCountAsync(0);
        await Expect(row).ToHaveCountAsync(0, new() { Timeout = 10_000 });

        var kept = await host.GetJsonAsync($"/api/alarms/history/{alarmId}");
        Assert.True(kept.GetProperty("alarm").GetProperty("closed").GetBoolean());
        var disposal = kept.GetProperty("alarm").GetProperty("alarm").GetProperty("disposal");
        Assert.Equal("closed-out", disposal.GetProperty("step").GetString());
        Assert.Equal(ConsoleFixture.Supervisor, disposal.GetProperty("verifiedBy").GetString());
        Assert.Equal("现场核查属实", disposal.GetProperty("verifyComment").GetString());
        Assert.Equal(ConsoleFixture.DutyOfficer, disposal.GetProperty("report").GetProperty("by").GetString());
        Assert.Equal(2, disposal.GetProperty("report").GetProperty("evidence").GetArrayLength());
        var types = kept.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("type").GetString()).ToList();
        Assert.Equal(
            ["AlarmRaised", "AlarmAcknowledged", "AlarmDisposed", "AlarmDisposalReturned", "AlarmDisposed", "AlarmCleared", "AlarmDisposalVerified", "AlarmClosedOut"],
            types.Where(t => t is not "AlarmDisposalOverdue" and not "AlarmEscalated"));
    }

    [Fact]
    public async Task HazardRegister_PlanRectifyVerifyCloseOut_RecordLeavesTheOpenBoard()
    {
        await using var dutyContext = await host.NewContextAsync();
        var duty = await host.SignInAsync(dutyContext);
        await using var supervisorContext = await host.NewContextAsync();
        var supervisor = await host.SignInAsync(supervisorContext, ConsoleFixture.Supervisor);

        await host.PublishAsync(Casting, "gw01", "CAST1.MOULD.WATER.Q", [120, 110, 100]);
        var alarmId = await AlarmIdAsync(duty, "Mould cooling water inlet flow low (low,");
        var hazardId = (await host.GetJsonAsync("/api/hazards?open=true")).EnumerateArray()
            .Single(h => h.GetProperty("alarms").EnumerateArray().Any(a => a.GetString() == alarmId)).GetProperty("hazardId").GetString();

        await duty.Locator("#tab-hazards").ClickAsync();
        var row = duty.Locator($"#hazard-rows tr[data-hazard-id='{hazardId}']");
        await Expect(row.Locator(".hz-state")).ToHaveTextAsync("Awaiting plan");
        await Expect(row).ToContainTextAsync("plan due");
        await Expect(duty.Locator("#hazard-summary")).ToContainTextAsync("Target: zero");
        await Expect(duty.Locator($".hazard-card[data-enterprise='{Casting}'] .open-count")).Not.ToHaveTextAsync("0");
        await Expect(duty.Locator("#hazard-count")).Not.ToBeEmptyAsync(new() { Timeout = 12_000 });

        // 整改方案: measures, the person responsible and a date (30 days ahead unless changed).
        await row.Locator("button[data-action=plan]").ClickAsync();
        await duty.Locator("#action-measures").FillAsync("replace the inlet strainer of pump P-2 and add a differential-pressure alarm");
        await duty.Locator("#action-owner").FillAsync("王伟");
        await Expect(duty.Locator("#action-rectifyBy")).ToHaveValueAsync(new Regex(@"^\d{4}-\d\d-\d\d$"));
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".hz-state")).ToHaveTextAsync("Being rectified");
        await Expect(row.Locator("td.report")).ToContainTextAsync("王伟");
        await Screenshot(duty, "hazard-board.png", fullPage: true);

        // 整改完成 needs evidence, and is refused while the alarm that raised the hazard is still active.
        await row.Locator("button[data-action=rectify]").ClickAsync();
        await duty.Locator("#action-description").FillAsync("strainer replaced; dP alarm tested at 0.05 MPa");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(duty.Locator("#action-form-error")).ToHaveTextAsync("Give at least one evidence reference.");
        await duty.Locator("#action-evidence").FillAsync("photo:p2-strainer\ndoc:dp-test");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(duty.Locator("#action-form-error")).ToContainTextAsync("is still active: a rectification is reported once the condition has cleared");
        await duty.Locator("#action-cancel").ClickAsync();

        Assert.Equal(200, await PostAsync(duty, $"/api/alarms/{alarmId}/acknowledge", new { comment = "flow restored" }));
        await host.PublishAsync(Casting, "gw01", "CAST1.MOULD.WATER.Q", [120, 120, 120, 120]);
        await Expect(duty.Locator($"#alarm-rows tr[data-alarm-id='{alarmId}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        await row.Locator("button[data-action=rectify]").ClickAsync();
        await duty.Locator("#action-description").FillAsync("strainer replaced; dP alarm tested at 0.05 MPa");
        await duty.Locator("#action-evidence").FillAsync("photo:p2-strainer\ndoc:dp-test");
        await duty.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".hz-state")).ToHaveTextAsync("Awaiting verification");
        await Expect(row.Locator("button[data-action=hazardVerify]")).ToHaveCountAsync(0);

        // 核查 and 销号 by the supervising officer; the record leaves the open list and shows as closed.
        await supervisor.Locator("#tab-hazards").ClickAsync();
        var review = supervisor.Locator($"#hazard-rows tr[data-hazard-id='{hazardId}']");
        await review.Locator("button[data-action=hazardVerify]").ClickAsync();
        await supervisor.Locator("#action-text").FillAsync("现场核查属实");
        await supervisor.Locator("#action-submit").ClickAsync();
        await Expect(review.Locator(".hz-state")).ToHaveTextAsync("Awaiting close-out");
        await review.Locator("button[data-action=closeOut]").ClickAsync();
        await supervisor.Locator("#action-submit").ClickAsync();
        await Expect(review).ToHaveCountAsync(0);
        await supervisor.Locator("#hazard-open").UncheckAsync();
        await Expect(review.Locator(".hz-state")).ToHaveTextAsync("Closed out");

        // The record with its whole trail, from the list; the CSV of the list.
        await review.Locator("button[data-action=detail]").ClickAsync();
        var detail = supervisor.Locator("#detail");
        await Expect(detail.Locator("#detail-trail li[data-type=HazardClosedOut]")).ToContainTextAsync(ConsoleFixture.Supervisor);
        await Expect(detail.Locator("#detail-trail li[data-type=HazardRectified]")).ToContainTextAsync("strainer replaced");
        await Expect(detail.Locator("#detail-plot")).ToBeHiddenAsync();
        await supervisor.Locator("#detail-close").ClickAsync();
        var csv = await supervisor.EvaluateAsync<string>("async () => (await fetch(document.getElementById('hazard-csv').href)).text()");
        Assert.Contains(hazardId!, csv, StringComparison.Ordinal);

        var record = (await host.GetJsonAsync($"/api/hazards/{hazardId}")).GetProperty("hazard");
        Assert.Equal("closed", record.GetProperty("state").GetString());
        Assert.Equal(ConsoleFixture.Supervisor, record.GetProperty("closedOutBy").GetString());
        Assert.Equal("王伟", record.GetProperty("plan").GetProperty("owner").GetString());
        Assert.Equal(2, record.GetProperty("rectification").GetProperty("evidence").GetArrayLength());
    }

    [Fact]
    public async Task History_ClosedAlarm_FoundByTheFilters_DetailShowsPlotTrailAndActions()
    {
        await using var dutyContext = await host.NewContextAsync();
        var duty = await host.SignInAsync(dutyContext);
        await using var supervisorContext = await host.NewContextAsync();
        var supervisor = await host.SignInAsync(supervisorContext, ConsoleFixture.Supervisor);

        // Raised, signed for, reported, back to normal, verified: closed out, and kept.
        await host.PublishAsync(Casting, "gw01", "CAST1.TABLE.INLET.LEVEL", [80, 80, 95, 95]);
        var alarmId = await AlarmIdAsync(duty, "launder to mould table junction");
        Assert.Equal(200, await PostAsync(duty, $"/api/alarms/{alarmId}/acknowledge", new { comment = "level controller on manual" }));
        Assert.Equal(200, await PostAsync(duty, $"/api/alarms/{alarmId}/dispose",
            new { cause = "process-excursion", description = "level overshoot at the start of the cast", measures = "controller retuned", evidence = new[] { "doc:trend-cast1" } }));
        await host.PublishAsync(Casting, "gw01", "CAST1.TABLE.INLET.LEVEL", [80, 80, 80, 80]);
        await Expect(duty.Locator($"#alarm-rows tr[data-alarm-id='{alarmId}']")).ToHaveCountAsync(0, new() { Timeout = 10_000 });
        Assert.Equal(200, await PostAsync(supervisor, $"/api/alarms/{alarmId}/verify", new { comment = "trend reviewed" }));

        await duty.Locator("#tab-history").ClickAsync();
        await duty.Locator("#history-enterprise").SelectOptionAsync(Casting);
        await duty.Locator("#history-state").SelectOptionAsync("closed");
        await duty.Locator("#history-major").CheckAsync();
        await duty.Locator("#history-search").ClickAsync();
        var row = duty.Locator($"#history-rows tr[data-alarm-id='{alarmId}']");
        await Expect(row.Locator(".step")).ToHaveTextAsync("Closed out");
        await Expect(row.Locator("td.closed-at")).Not.ToHaveTextAsync("Open");
        await Expect(duty.Locator("#history-rows tr.open")).ToHaveCountAsync(0);
        await Screenshot(duty, "alarm-history.png", fullPage: true);

        await row.Locator("button[data-action=detail]").ClickAsync();
        var detail = duty.Locator("#detail");
        await Expect(detail.Locator("#detail-body")).ToContainTextAsync("Process excursion");
        await Expect(detail.Locator("#detail-trail li[data-type=AlarmRaised]")).ToHaveCountAsync(1);
        await Expect(detail.Locator("#detail-trail li[data-type=AlarmDisposalVerified]")).ToContainTextAsync($"{ConsoleFixture.Supervisor} — trend reviewed");
        await Expect(detail.Locator("#detail-trail li[data-type=AlarmClosedOut]")).ToHaveCountAsync(1);
        await Expect(detail.Locator("#detail-audit")).ToContainTextAsync("verify-disposal");
        await Expect(detail.Locator("svg.chart polyline[data-series='CAST1.TABLE.INLET.LEVEL']")).ToBeVisibleAsync();
        await Expect(detail.Locator("svg.chart line.limit")).ToHaveCountAsync(1);
        await Screenshot(duty, "history-detail.png");
        await duty.Locator("#detail-close").ClickAsync();

        // The CSV link carries the same filters.
        var csv = await duty.EvaluateAsync<string>("async () => (await fetch(document.getElementById('history-csv').href)).text()");
        Assert.Contains(alarmId!, csv, StringComparison.Ordinal);
        Assert.Contains("state=closed", await duty.Locator("#history-csv").GetAttributeAsync("href"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chinese_DisposalHazardsAndHistory_InTheCampaignsWords()
    {
        await using var context = await host.NewContextAsync(locale: "zh-CN");
        var page = await host.SignInAsync(context);
        await host.PublishAsync(Casting, "gw01", "CAST1.LAUNDER.LEVEL", [100, 100, 125, 125]);
        var alarmId = await AlarmIdAsync(page, "浇铸炉出口流槽");

        await Expect(page.Locator("#tab-disposal")).ToHaveTextAsync(new Regex("^处置"));
        await page.Locator("#tab-disposal").ClickAsync();
        var row = page.Locator($"#disposal-rows tr[data-alarm-id='{alarmId}']");
        await Expect(row.Locator(".step")).ToHaveTextAsync("待签收");
        await Expect(row.Locator("button[data-action=signFor]")).ToHaveTextAsync("签收");
        await Expect(page.Locator("#disposal-table th").Nth(5)).ToHaveTextAsync("剩余时限");
        await Screenshot(page, "disposal-list-zh.png");
        await row.Locator("button[data-action=signFor]").ClickAsync();
        await page.Locator("#action-submit").ClickAsync();
        await Expect(row.Locator(".step")).ToHaveTextAsync("待处置反馈");
        await row.Locator("button[data-action=dispose]").ClickAsync();
        await Expect(page.Locator("#action-title")).ToHaveTextAsync("处置反馈");
        await Expect(page.Locator("#action-cause option[value=instrument-fault]")).ToHaveTextAsync("仪表故障");
        await Screenshot(page, "dispose-form-zh.png");
        await page.Locator("#action-cancel").ClickAsync();

        await page.Locator("#tab-hazards").ClickAsync();
        await Expect(page.Locator("#tab-hazards")).ToContainTextAsync("重大隐患");
        await Expect(page.Locator("#hazard-summary")).ToContainTextAsync("目标：清零");
        var hazard = page.Locator("#hazard-rows tr.hazard", new PageLocatorOptions { HasText = "浇铸炉出口流槽" });
        await Expect(hazard.Locator(".hz-state")).ToHaveTextAsync("待制定方案");
        await Expect(hazard.Locator("button[data-action=plan]")).ToHaveTextAsync("制定整改方案");
        await Screenshot(page, "hazard-board-zh.png", fullPage: true);

        await page.Locator("#tab-history").ClickAsync();
        await Expect(page.Locator("#history-search")).ToHaveTextAsync("查询");
        await Expect(page.Locator("#history-csv")).ToHaveTextAsync("导出 CSV");
        await Expect(page.Locator($"#history-rows tr[data-alarm-id='{alarmId}'] td.closed-at")).ToHaveTextAsync("未关闭");
        await Screenshot(page, "alarm-history-zh.png", fullPage: true);
    }

    /// <summary>The live list's row for the alarm that has just been raised, and its id.</summary>
    private static async Task<string> AlarmIdAsync(IPage page, string text)
    {
        var row = page.Locator("#alarm-rows tr.alarm", new PageLocatorOptions { HasText = text }).First;
        await Expect(row).ToBeVisibleAsync(new() { Timeout = 10_000 });
        return (await row.GetAttributeAsync("data-alarm-id"))!;
    }

    /// <summary>A write as the console makes it, in the page's session: for the steps a test only needs done.</summary>
    private static Task<int> PostAsync(IPage page, string path, object body) => page.EvaluateAsync<int>(
        "async ([path, body]) => (await fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json', 'X-Monitoring-Console': '1' }, body: JSON.stringify(body) })).status",
        new object[] { path, body });

    private static async Task Screenshot(IPage page, string name, bool fullPage = false)
    {
        if (ConsoleFixture.ScreenshotPath(name) is { } path)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = path, FullPage = fullPage });
    }

    [GeneratedRegex(@"^(\d+:\d\d(:\d\d)?|overdue .+)$")]
    private static partial Regex CountdownOrOverdue();
}

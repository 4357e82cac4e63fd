using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Monitoring.ConsoleTests;
using Monitoring.Ingestion.Security;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using static Microsoft.Playwright.Assertions;

namespace Monitoring.IntegrationTests.Notifications;

/// <summary>
/// Issue #7's done-when on the real servers: a casting plant loses mould cooling water -> the officer on
/// duty gets the webhook and the mail within 2 s; nobody acknowledges -> the deputy is notified when the
/// ingestion service publishes <c>AlarmEscalated</c>; the officer acknowledges in the duty console in
/// Debian's Chromium -> <c>AlarmAcknowledged</c> on the bus in the officer's name and the reminders stop.
/// The signed acknowledge link from the same notifications has its own, shorter test.
/// Ingestion and notification services run in-process; RabbitMQ, Mosquitto, InfluxDB, the SMTP server
/// (aiosmtpd), the webhook receiver (Kestrel) and the browser are real.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class NotificationEndToEndTests(RealServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan EscalateAfter = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan RemindEvery = TimeSpan.FromSeconds(2);
    private const string AckKey = "integration-test-ack-link-key-0123456789";

    /// <summary>The roster's person id and the console user id are the same, so the console acknowledges in the officer's name.</summary>
    private const string Officer = "officer";

    /// <summary>Playwright waits (milliseconds): the machine is shared, a first page load can be slow.</summary>
    private const float BrowserPatience = 30_000;

    private readonly string _topicRoot = $"it/{RealServers.UniqueName("ntf")}/mon/v1";
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("ntf"));

    /// <summary>Made per run: no password in the repository.</summary>
    private readonly string _consolePassword = Convert.ToBase64String(RandomNumberGenerator.GetBytes(18));
    private string _database = "";
    private string _virtualHost = "";
    private string _sites = "";
    private WebhookReceiver _hooks = null!;
    private SmtpMailbox _mail = null!;

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("ntf");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("ntf");
        _sites = TestSite.Write(Path.Combine(_work, "sites"));
        _hooks = await WebhookReceiver.StartAsync();
        _mail = await SmtpMailbox.StartAsync(_work);
    }

    public async Task DisposeAsync()
    {
        await _hooks.DisposeAsync();
        await _mail.DisposeAsync();
        Directory.Delete(_work, recursive: true);
    }

    private Task<ServiceUnderTest> StartIngestionAsync(TimeSpan? escalateAfter = null)
    {
        var settings = ServiceUnderTest.RealServerSettings(servers, _topicRoot, RealServers.UniqueName("svc"), _database, _virtualHost, Path.Combine(_work, "ingestion"), _sites);
        settings["Monitoring:Alarms:Escalation:Critical:EscalateAfter"] = Format(escalateAfter ?? EscalateAfter);
        settings["Monitoring:Alarms:Escalation:MaxLevel"] = "1";
        settings["Monitoring:Bus:HeartbeatInterval"] = "00:00:01";
        settings["Monitoring:Security:AckLinkKey"] = AckKey;
        settings["Monitoring:Security:Users:0:Id"] = Officer;
        settings["Monitoring:Security:Users:0:DisplayName"] = "Officer on duty";
        settings["Monitoring:Security:Users:0:Role"] = Roles.DutyOfficer;
        // The lowest cost the service accepts keeps the sign-in quick on a busy machine.
        settings["Monitoring:Security:Users:0:PasswordHash"] = UserPasswordHash.Create(_consolePassword, UserPasswordHash.MinimumIterations);
        return ServiceUnderTest.StartAsync(settings);
    }

    private Task<NotificationServiceUnderTest> StartNotificationsAsync(Uri ingestion, TimeSpan? silenceAfter = null)
    {
        var roster = Path.Combine(_work, "roster.yaml");
        if (!File.Exists(roster))
        {
            File.WriteAllText(roster, $$"""
                timeZone: Asia/Shanghai
                people:
                  - { id: officer, name: Officer on duty, webhook: "{{_hooks.UrlFor("officer")}}", email: officer@plant.test, language: en }
                  - { id: deputy, name: Deputy, webhook: "{{_hooks.UrlFor("deputy")}}", email: deputy@plant.test, language: zh }
                  - { id: county, name: County duty desk, email: county@county.test }
                duty:
                  - { tier: enterprise, officer: officer, deputy: deputy }
                  - { tier: county, officer: county }
                """);
        }

        return NotificationServiceUnderTest.StartAsync(new Dictionary<string, string>
        {
            ["Monitoring:DataDirectory"] = Path.Combine(_work, "notifications"),
            ["Monitoring:Bus:Kind"] = "RabbitMq",
            ["Monitoring:Bus:Host"] = servers.AmqpHost,
            ["Monitoring:Bus:Port"] = servers.AmqpPort.ToString(CultureInfo.InvariantCulture),
            ["Monitoring:Bus:VirtualHost"] = _virtualHost,
            ["Monitoring:Bus:Username"] = servers.AmqpUser,
            ["Monitoring:Bus:Password"] = servers.AmqpPassword,
            ["Monitoring:Notifications:RosterFile"] = roster,
            ["Monitoring:Notifications:AckLinkBaseUrl"] = ingestion.ToString(),
            ["Monitoring:Notifications:RemindUnacknowledgedEvery"] = Format(RemindEvery),
            ["Monitoring:Notifications:RemindAcknowledgedActiveEvery"] = "01:00:00",
            ["Monitoring:Notifications:SchedulerInterval"] = "00:00:00.200",
            ["Monitoring:Notifications:Smtp:Host"] = "127.0.0.1",
            ["Monitoring:Notifications:Smtp:Port"] = _mail.Port.ToString(CultureInfo.InvariantCulture),
            ["Monitoring:Notifications:Smtp:Security"] = "None",
            ["Monitoring:Security:AckLinkKey"] = AckKey,
            ["Monitoring:Notifications:Watchdog:SilenceAfter"] = Format(silenceAfter ?? TimeSpan.FromSeconds(60)),
            ["Logging:LogLevel:Default"] = "Warning",
        });
    }

    private Task<Gateway> ConnectGatewayAsync() => Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, TestSite.Gateway);

    private static string Format(TimeSpan span) => span.ToString("c", CultureInfo.InvariantCulture);

    private static long Now() => TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

    /// <summary>The test plant's mould cooling water falls below its limit: the critical alarm the officers are told of.</summary>
    private static async Task LoseMouldCoolingWaterAsync(Gateway gateway)
    {
        // Distinct timestamps: a reading with the same timestamp as one already processed is a duplicate.
        var ts = Now() - 1000;
        await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.182")));
        await gateway.PublishAsync(Gateway.Batch(2, ts + 500, (TestSite.PressureTag, "0.1")));
    }

    private static long[] DeliveryIds(JsonElement deliveries) => [.. deliveries.EnumerateArray().Select(d => d.GetProperty("id").GetInt64()).Order()];

    [Fact]
    public async Task MouldCoolingWaterLost_OfficerWithin2s_DeputyOnEscalation_AcknowledgedInConsole_RemindersStop()
    {
        await using var bus = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, "AlarmRaised", "AlarmEscalated", "AlarmAcknowledged");
        await using var ingestion = await StartIngestionAsync();
        await using var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await using var gateway = await ConnectGatewayAsync();
        // Distinct timestamps: a reading with the same timestamp as one already processed is a duplicate.
        var ts = Now() - 1000;
        await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.182")));

        // The plant loses mould cooling water.
        var lost = Stopwatch.StartNew();
        await gateway.PublishAsync(Gateway.Batch(2, ts + 500, (TestSite.PressureTag, "0.1")));

        var hook = (await _hooks.WaitForAsync(h => h.Person == "officer" && h.Kind == "Raised", 1, Patience, "the officer's webhook"))[0];
        var hookAfter = lost.Elapsed;
        var mail = (await _mail.WaitForAsync(m => m.To.ToString().Contains("officer@plant.test", StringComparison.Ordinal), 1, Patience, "the officer's mail"))[0];
        var mailAfter = lost.Elapsed;
        Assert.True(hookAfter < TimeSpan.FromSeconds(2), $"webhook after {hookAfter}");
        Assert.True(mailAfter < TimeSpan.FromSeconds(2), $"mail after {mailAfter}");

        var raised = (await bus.NextAsync("AlarmRaised", Patience)).GetProperty("message");
        var alarmId = raised.GetProperty("alarmId").GetString()!;
        Assert.Equal(alarmId, hook.AlarmId);
        Assert.Contains("Casting pit 1 mould cooling water", hook.Body.GetProperty("markdown").GetProperty("content").GetString(), StringComparison.Ordinal);
        Assert.Contains("Casting pit 1 mould cooling water", mail.Subject, StringComparison.Ordinal);
        Assert.Contains(hook.AckUrl!, mail.TextBody, StringComparison.Ordinal);
        Assert.StartsWith(ingestion.Http.BaseAddress!.ToString().TrimEnd('/') + "/ack/", hook.AckUrl, StringComparison.Ordinal);

        // Nobody acknowledges: the ingestion service escalates, the deputy is told (webhook and mail).
        var escalated = (await bus.NextAsync("AlarmEscalated", Patience)).GetProperty("message");
        Assert.Equal(alarmId, escalated.GetProperty("alarmId").GetString());
        Assert.Equal(1, escalated.GetProperty("escalationLevel").GetInt32());
        var toDeputy = (await _hooks.WaitForAsync(h => h.Person == "deputy" && h.Kind == "Escalated", 1, Patience, "the deputy's webhook"))[0];
        var deputyAfter = lost.Elapsed;
        Assert.True(deputyAfter >= EscalateAfter - TimeSpan.FromSeconds(1) && deputyAfter < EscalateAfter + TimeSpan.FromSeconds(4), $"deputy after {deputyAfter}");
        Assert.Equal(alarmId, toDeputy.AlarmId);
        await _mail.WaitForAsync(m => m.To.ToString().Contains("deputy@plant.test", StringComparison.Ordinal), 1, Patience, "the deputy's mail");

        // Reminders go out while it stays unacknowledged.
        await _hooks.WaitForAsync(h => h.Person == "officer" && h.Kind == "ReminderUnacknowledged", 1, Patience, "a reminder to the officer");

        // The officer signs in to the duty console in Chromium and finds the escalated alarm in the live list.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await ConsoleBrowser.LaunchAsync(playwright);
        await using var context = await ConsoleBrowser.NewContextAsync(browser, ingestion.Http.BaseAddress!);
        var page = await ConsoleBrowser.SignInAsync(context, Officer, _consolePassword, BrowserPatience);
        await Expect(page.Locator("#who")).ToContainTextAsync("Officer on duty", new() { Timeout = BrowserPatience });
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");
        var row = page.Locator($"tr.alarm[data-alarm-id='{alarmId}']");
        await Expect(row.Locator(".state")).ToHaveTextAsync("Unacknowledged", new() { Timeout = BrowserPatience });
        await Expect(row).ToContainTextAsync("Casting pit 1 mould cooling water", new() { Timeout = BrowserPatience });
        await Expect(row).ToContainTextAsync("Critical", new() { Timeout = BrowserPatience });
        var screenshot = ConsoleBrowser.ScreenshotPath("escalated-alarm.png");
        if (screenshot is not null)
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });

        const string comment = "Cooling water restored, casting stopped on pit 1";
        await row.Locator("button[data-action=acknowledge]").ClickAsync();
        await page.Locator("#action-text").FillAsync(comment);
        await page.Locator("#action-submit").ClickAsync();

        var acknowledged = (await bus.NextAsync("AlarmAcknowledged", Patience)).GetProperty("message");
        Assert.Equal(alarmId, acknowledged.GetProperty("alarmId").GetString());
        Assert.Equal(Officer, acknowledged.GetProperty("acknowledgedBy").GetString());
        Assert.Equal(comment, acknowledged.GetProperty("comment").GetString());
        // The page follows the server's event stream: acknowledged in the officer's name without a reload.
        await Expect(row.Locator(".state")).ToHaveTextAsync("Acknowledged", new() { Timeout = BrowserPatience });
        await Expect(row).ToContainTextAsync($"Acknowledged by {Officer}", new() { Timeout = BrowserPatience });
        await Expect(row.Locator("button[data-action=acknowledge]")).ToHaveCountAsync(0, new() { Timeout = BrowserPatience });
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the console was reloaded");
        var audit = await ingestion.GetJsonAsync($"/api/alarms/{alarmId}/audit");
        Assert.Contains(audit.EnumerateArray(), a => a.GetProperty("actor").GetString() == Officer && a.GetProperty("action").GetString()!.Contains("acknowledge", StringComparison.Ordinal));

        // The reminders stop: once the service has applied the acknowledgement and sent what was
        // planned before it, nothing more is planned for this alarm, over several reminder intervals.
        var applied = await Eventually.MatchAsync(() => notifications.GetJsonAsync($"/api/alarms/{alarmId}"), s => s.GetProperty("acknowledged").GetBoolean(), Patience, "acknowledgement applied");
        Assert.Equal(Officer, applied.GetProperty("acknowledgedBy").GetString());
        await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/deliveries?status=Pending"), d => d.GetArrayLength() == 0, Patience, "nothing pending");
        var remindersAtAck = _hooks.Received.Count(h => h.Kind == "ReminderUnacknowledged");
        var deliveriesAtAck = DeliveryIds(await notifications.GetJsonAsync($"/api/deliveries?alarmId={alarmId}&limit=1000"));
        var ackedAt = DateTimeOffset.Parse((await notifications.GetJsonAsync("/api/diagnostics")).GetProperty("schedulerLastRunAt").GetString()!, CultureInfo.InvariantCulture);
        await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/diagnostics"),
            d => DateTimeOffset.Parse(d.GetProperty("schedulerLastRunAt").GetString()!, CultureInfo.InvariantCulture) > ackedAt + 3 * RemindEvery, Patience, "three reminder intervals of scheduler rounds");

        Assert.Equal(remindersAtAck, _hooks.Received.Count(h => h.Kind == "ReminderUnacknowledged"));
        // The service's own record of deliveries for the alarm: the reminders it made before, none since.
        var deliveriesAfter = await notifications.GetJsonAsync($"/api/deliveries?alarmId={alarmId}&limit=1000");
        Assert.Contains(deliveriesAfter.EnumerateArray(), d => d.GetProperty("kind").GetString() == "ReminderUnacknowledged");
        Assert.Equal(deliveriesAtAck, DeliveryIds(deliveriesAfter));
        Assert.Equal(0, (await notifications.GetJsonAsync("/api/deliveries?status=Pending")).GetArrayLength());
        var state = await notifications.GetJsonAsync($"/api/alarms/{alarmId}");
        Assert.Equal(new[] { "officer", "deputy" }, state.GetProperty("recipients").EnumerateArray().Select(e => e.GetString()!).ToArray());
        // Every notification reached the receiver exactly once.
        Assert.All(_hooks.Received.GroupBy(h => h.NotificationId), g => Assert.Single(g));
    }

    [Fact]
    public async Task AcknowledgeLink_PreviewedThenPosted_AcknowledgesInTheOfficersName_ForgedRefused()
    {
        await using var bus = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, "AlarmAcknowledged");
        // No escalation while this test runs: it is about the link alone.
        await using var ingestion = await StartIngestionAsync(TimeSpan.FromHours(1));
        await using var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await using var gateway = await ConnectGatewayAsync();
        await LoseMouldCoolingWaterAsync(gateway);
        var hook = (await _hooks.WaitForAsync(h => h.Person == Officer && h.Kind == "Raised", 1, Patience, "the officer's webhook"))[0];
        var mail = (await _mail.WaitForAsync(m => m.To.ToString().Contains("officer@plant.test", StringComparison.Ordinal), 1, Patience, "the officer's mail"))[0];
        Assert.Contains(hook.AckUrl!, mail.TextBody, StringComparison.Ordinal);
        Assert.StartsWith(ingestion.Http.BaseAddress!.ToString().TrimEnd('/') + "/ack/", hook.AckUrl, StringComparison.Ordinal);

        // A link preview (GET) shows a confirmation page and acknowledges nothing; the POST acknowledges as the officer.
        var page = await ingestion.Http.GetAsync(hook.AckUrl);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("<form method=\"post\"", await page.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False((await ingestion.GetJsonAsync($"/api/alarms/{hook.AlarmId}")).GetProperty("acknowledged").GetBoolean());

        var forged = await ingestion.Http.PostAsync(hook.AckUrl![..^2] + (hook.AckUrl![^2] == 'A' ? "BA" : "AA"), null);
        Assert.Equal(HttpStatusCode.Forbidden, forged.StatusCode);

        var posted = await ingestion.Http.PostAsync(hook.AckUrl, null);
        Assert.Equal(HttpStatusCode.OK, posted.StatusCode);
        var acknowledged = (await bus.NextAsync("AlarmAcknowledged", Patience)).GetProperty("message");
        Assert.Equal(hook.AlarmId, acknowledged.GetProperty("alarmId").GetString());
        Assert.Equal(Officer, acknowledged.GetProperty("acknowledgedBy").GetString());
        Assert.Equal("via acknowledge link", acknowledged.GetProperty("comment").GetString());
        var applied = await Eventually.MatchAsync(() => notifications.GetJsonAsync($"/api/alarms/{hook.AlarmId}"), s => s.GetProperty("acknowledged").GetBoolean(), Patience, "acknowledgement applied");
        Assert.Equal(Officer, applied.GetProperty("acknowledgedBy").GetString());
    }

    [Fact]
    public async Task NotificationServiceRestart_EventsWhileDownAreDeliveredOnce_AndNothingIsRepeated()
    {
        await using var bus = await BusListener.StartAsync(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, "AlarmEscalated");
        await using var ingestion = await StartIngestionAsync();
        var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await using var gateway = await ConnectGatewayAsync();
        await LoseMouldCoolingWaterAsync(gateway);
        var raisedHook = (await _hooks.WaitForAsync(h => h.Person == "officer" && h.Kind == "Raised", 1, Patience, "the officer's webhook"))[0];
        // Both channels of the raise delivered and recorded before the stop: a send on the wire at a stop
        // has its own test (NotificationServiceStoppedGracefully_...); this one is about the escalation while down.
        await _mail.WaitForAsync(m => m.To.ToString().Contains("officer@plant.test", StringComparison.Ordinal), 1, Patience, "the officer's mail");
        await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/deliveries?status=Pending"), d => d.GetArrayLength() == 0, Patience, "the raise's deliveries recorded");

        // Down before the escalation: its durable queue keeps the AlarmEscalated for it.
        await notifications.DisposeAsync();
        await bus.NextAsync("AlarmEscalated", Patience);
        Assert.DoesNotContain(_hooks.Received, h => h.Kind == "Escalated");

        await using var restarted = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await _hooks.WaitForAsync(h => h.Person == "deputy" && h.Kind == "Escalated", 1, Patience, "the deputy told after the restart");
        await Eventually.MatchAsync(() => restarted.GetJsonAsync("/api/deliveries?status=Pending"), d => d.GetArrayLength() == 0, Patience, "nothing pending");

        Assert.Single(_hooks.Received, h => h.Kind == "Raised");
        Assert.Single(_hooks.Received, h => h.Kind == "Escalated");
        Assert.Equal(raisedHook.NotificationId, Assert.Single(_hooks.Received, h => h.Kind == "Raised").NotificationId);
        Assert.All(_hooks.Received.GroupBy(h => h.NotificationId), g => Assert.Single(g));
        var officerMails = _mail.Messages().Count(m => m.To.ToString().Contains("officer@plant.test", StringComparison.Ordinal) && m.Subject?.Contains("[Alarm]", StringComparison.Ordinal) == true);
        Assert.Equal(1, officerMails);
    }

    [Fact]
    public async Task NotificationServiceStoppedGracefully_WhileTheRaiseIsPosted_PostFinishesAndNothingIsRepeatedAfterRestart()
    {
        // No escalation during the test: only the raise's messages are in play.
        await using var ingestion = await StartIngestionAsync(escalateAfter: TimeSpan.FromHours(1));
        var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await using var gateway = await ConnectGatewayAsync();
        var held = _hooks.HoldNext(h => h.Person == Officer && h.Kind == "Raised");
        await LoseMouldCoolingWaterAsync(gateway);

        var raisedHook = await held.Arrived.WaitAsync(Patience);
        // The raise's mail goes out alongside the held POST and is recorded: only the POST is on the wire at the stop.
        await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/deliveries?status=Sent"),
            d => d.EnumerateArray().Any(x => x.GetProperty("notificationId").GetString() == raisedHook.NotificationId && x.GetProperty("channel").GetString() == "Email"),
            Patience, "the raise's mail recorded");

        var stopped = notifications.DisposeAsync().AsTask();
        // Released once the stop is under way: a dispatcher that cuts sends off has aborted the POST by then,
        // one that lets them finish is waiting for it.
        await Task.WhenAny(held.Aborted, notifications.DeliveriesStopping).WaitAsync(Patience);
        held.Release();
        await stopped.WaitAsync(Patience);

        await using var restarted = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        // A raise left pending by the stop is sent at once after the restart; nothing pending means it has had its chance.
        await Eventually.MatchAsync(() => restarted.GetJsonAsync("/api/deliveries?status=Pending"), d => d.GetArrayLength() == 0, Patience, "nothing pending after the restart");

        Assert.Equal(1, _hooks.Received.Count(h => h.Kind == "Raised"));
        var raiseMails = _mail.Messages().Count(m => m.Headers["X-Notification-Id"] == raisedHook.NotificationId);
        Assert.Equal(1, raiseMails);
        var recorded = await restarted.GetJsonAsync("/api/deliveries?personId=" + Officer);
        var raiseDeliveries = recorded.EnumerateArray().Where(x => x.GetProperty("notificationId").GetString() == raisedHook.NotificationId).ToList();
        Assert.Equal(2, raiseDeliveries.Count);
        Assert.All(raiseDeliveries, x => Assert.Equal("Sent", x.GetProperty("status").GetString()));
        Assert.False(held.Aborted.IsCompleted, "the stop cut the POST off");
    }

    [Fact]
    public async Task SimulatedTraffic_IsRecordedInTheSandbox_AndReachesNoPerson()
    {
        await using var ingestion = await StartIngestionAsync();
        await using var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await using var gateway = await ConnectGatewayAsync();
        var ts = Now();
        await gateway.PublishAsync($$"""{"seq":1,"ts":{{ts}},"sim":true,"points":[{"tag":"{{TestSite.PressureTag}}","v":0.182}]}""");
        await gateway.PublishAsync($$"""{"seq":2,"ts":{{ts + 1}},"sim":true,"points":[{"tag":"{{TestSite.PressureTag}}","v":0.1}]}""");

        var deliveries = await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/deliveries?status=Sandboxed"), d => d.GetArrayLength() >= 1, Patience, "a sandboxed delivery");

        var sandboxed = deliveries[0];
        Assert.Equal("Sandbox", sandboxed.GetProperty("channel").GetString());
        Assert.True(sandboxed.GetProperty("simulated").GetBoolean());
        Assert.Equal("officer", sandboxed.GetProperty("personId").GetString());
        Assert.Empty(_hooks.Received);
        Assert.Empty(_mail.Messages());
    }

    [Fact]
    public async Task WebhookDown_MailStillArrives_DiagnosticOpenOnTheApi()
    {
        await using var ingestion = await StartIngestionAsync();
        await using var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        notifications.Errors.Expect("Monitoring.Notifications.Delivery.DeliveryDispatcher", "by Webhook failed", "webhook answered 503");
        await using var gateway = await ConnectGatewayAsync();
        _hooks.Failing = true;
        await LoseMouldCoolingWaterAsync(gateway);

        await _mail.WaitForAsync(m => m.To.ToString().Contains("officer@plant.test", StringComparison.Ordinal), 1, Patience, "the officer's mail");
        var diagnostics = await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/diagnostics"),
            d => d.GetProperty("open").EnumerateArray().Any(x => x.GetProperty("key").GetString() == "channel:webhook"), Patience, "an open webhook diagnostic");

        var webhook = diagnostics.GetProperty("channels").EnumerateArray().Single(c => c.GetProperty("channel").GetString() == "Webhook");
        Assert.True(webhook.GetProperty("consecutiveFailures").GetInt32() >= 1);
        Assert.Contains("503", webhook.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        // The officers on duty hear of the failing channel by mail.
        await _mail.WaitForAsync(m => m.Subject?.Contains("Diagnostic", StringComparison.Ordinal) == true, 1, Patience, "the diagnostic mail");
        var metrics = await notifications.Http.GetStringAsync("/metrics");
        Assert.Contains("notifications_channel_failures", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IngestionStopped_HeartbeatsStop_OfficerToldBySilence_AndAgainWhenItIsBack()
    {
        var silence = TimeSpan.FromSeconds(4);
        ServiceUnderTest? ingestion = await StartIngestionAsync();
        try
        {
            await using var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!, silence);
            notifications.Errors.Expect("Monitoring.Notifications.Watchdog.IngestionWatchdog", "No event and no heartbeat from the ingestion service");
            // Heartbeats every second keep it quiet while ingestion runs.
            await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/diagnostics"),
                d => d.GetProperty("watchdog").GetProperty("lastHeartbeatAt").ValueKind != System.Text.Json.JsonValueKind.Null, Patience, "a heartbeat");
            var heartbeatSeenAt = DateTimeOffset.Parse((await notifications.GetJsonAsync("/api/diagnostics")).GetProperty("schedulerLastRunAt").GetString()!, CultureInfo.InvariantCulture);
            await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/diagnostics"),
                d => DateTimeOffset.Parse(d.GetProperty("schedulerLastRunAt").GetString()!, CultureInfo.InvariantCulture) > heartbeatSeenAt + silence + TimeSpan.FromSeconds(1), Patience, "scheduler rounds past the silence time");
            Assert.DoesNotContain(_hooks.Received, h => h.Kind == "WatchdogSilent");

            await ingestion.DisposeAsync();
            ingestion = null;
            // The officer and the deputy are both told, in whichever order the dispatcher delivers.
            await _hooks.WaitForAsync(h => h.Kind == "WatchdogSilent" && h.Person == Officer, 1, Patience, "the silence alarm to the officer");
            var diagnostics = await notifications.GetJsonAsync("/api/diagnostics");
            Assert.True(diagnostics.GetProperty("watchdog").GetProperty("silent").GetBoolean());
            Assert.Contains(diagnostics.GetProperty("open").EnumerateArray(), d => d.GetProperty("key").GetString() == "watchdog:ingestion-silent");
            var metrics = (await notifications.Http.GetStringAsync("/metrics")).Split('\n');
            Assert.Contains(metrics, l => l.StartsWith("notifications_watchdog_ingestion_silent", StringComparison.Ordinal) && l.Split(' ')[1] == "1");

            await using var back = await StartIngestionAsync();
            await _hooks.WaitForAsync(h => h.Kind == "WatchdogRestored", 1, Patience, "the all-clear");
            Assert.Single(_hooks.Received, h => h.Kind == "WatchdogSilent" && h.Person == "officer");
        }
        finally
        {
            if (ingestion is not null)
                await ingestion.DisposeAsync();
        }
    }

    [Fact]
    public async Task RabbitMqRestarted_EscalationDuringTheOutage_ReachesTheDeputyOnce_AndNothingIsRepeated()
    {
        // Long enough for RabbitMQ to stop first: the escalation then happens during the outage.
        await using var ingestion = await StartIngestionAsync(TimeSpan.FromSeconds(12));
        await using var notifications = await StartNotificationsAsync(ingestion.Http.BaseAddress!);
        await using var gateway = await ConnectGatewayAsync();
        await LoseMouldCoolingWaterAsync(gateway);
        var raised = (await _hooks.WaitForAsync(h => h.Person == "officer" && h.Kind == "Raised", 1, Patience, "the officer's webhook"))[0];

        await servers.StopRabbitAsync();
        try
        {
            // The escalation is made while the broker is away and waits in the ingestion outbox.
            Assert.DoesNotContain(_hooks.Received, h => h.Kind == "Escalated");
            var journal = ingestion.Services.GetRequiredService<Monitoring.Ingestion.Alarms.AlarmJournal>();
            await Eventually.MatchAsync(() => journal.CountOutboxAsync(CancellationToken.None), n => n >= 1, Patience, "the escalation waiting in the outbox");
        }
        finally
        {
            await servers.StartRabbitAsync();
        }

        await _hooks.WaitForAsync(h => h.Person == "deputy" && h.Kind == "Escalated", 1, TimeSpan.FromSeconds(90), "the deputy told after RabbitMQ is back");
        await Eventually.MatchAsync(() => notifications.GetJsonAsync($"/api/alarms/{raised.AlarmId}"), s => s.GetProperty("escalationLevel").GetInt32() == 1, Patience, "escalation applied");
        await Eventually.MatchAsync(() => notifications.GetJsonAsync("/api/deliveries?status=Pending"), d => d.GetArrayLength() == 0, Patience, "nothing pending");

        Assert.Single(_hooks.Received, h => h.Kind == "Raised");
        Assert.Single(_hooks.Received, h => h.Kind == "Escalated");
        Assert.All(_hooks.Received.GroupBy(h => h.NotificationId), g => Assert.Single(g));
    }
}

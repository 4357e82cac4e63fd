using Monitoring.Contracts;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

/// <summary>Processor, store, dispatcher and scheduler together: idempotency, order, restart, fallback, sandbox, reminders, digests, watchdog.</summary>
public sealed class NotificationPathTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Processor_SameEventTwice_NotifiesOnceOnEachChannel()
    {
        await using var h = Harness.Create();
        var raised = new Alarms().Raised(h.Time.GetUtcNow());

        Assert.Equal(EventOutcome.Applied, await h.Processor.HandleAsync(raised, None));
        Assert.Equal(EventOutcome.Duplicate, await h.Processor.HandleAsync(raised, None));
        await h.DrainAsync();

        var hook = Assert.Single(h.Webhook.Sent);
        var mail = Assert.Single(h.Email.Sent);
        Assert.Equal("day.officer", hook.PersonId);
        Assert.Equal("http://127.0.0.1:9/day", hook.Address);
        Assert.Equal("day@example.invalid", mail.Address);
        Assert.StartsWith("http://127.0.0.1:5080/ack/", hook.AckUrl, StringComparison.Ordinal);
        Assert.Contains(hook.AckUrl!, hook.Markdown, StringComparison.Ordinal);
        Assert.Contains("Casting pit 1 mould cooling water", hook.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Processor_RestartBeforeSending_SendsThePendingOnceAndIgnoresTheRedelivery()
    {
        await using var h = Harness.Create();
        var raised = new Alarms().Raised(h.Time.GetUtcNow());
        await h.Processor.HandleAsync(raised, None);

        await h.RestartAsync();
        Assert.Equal(EventOutcome.Duplicate, await h.Processor.HandleAsync(raised, None));
        await h.DrainAsync();
        await h.RestartAsync();
        await h.DrainAsync();

        Assert.Single(h.Webhook.Sent);
        Assert.Single(h.Email.Sent);
        Assert.All(await h.DeliveriesAsync(), d => Assert.Equal(DeliveryStatus.Sent, d.Status));
    }

    [Fact]
    public async Task Processor_LowerSequenceAfterHigher_IsLateAndNotifiesNobody()
    {
        await using var h = Harness.Create();
        var alarm = new Alarms();
        var t = h.Time.GetUtcNow();
        await h.Processor.HandleAsync(alarm.Raised(t), None);
        await h.Processor.HandleAsync(alarm.Event(nameof(AlarmAcknowledged), 3, t.AddMinutes(2), actor: "day.officer"), None);

        var outcome = await h.Processor.HandleAsync(alarm.Event(nameof(AlarmEscalated), 2, t.AddMinutes(1), escalationLevel: 1), None);
        await h.DrainAsync();

        Assert.Equal(EventOutcome.Late, outcome);
        Assert.DoesNotContain(await h.DeliveriesAsync(), d => d.Draft.Kind == NotificationKind.Escalated);
        Assert.True((await h.Store.GetStateAsync(alarm.AlarmId, None))!.Acknowledged);
    }

    [Fact]
    public async Task Escalated_FirstLevel_NotifiesTheDeputyByTheirOwnChannel()
    {
        await using var h = Harness.Create();
        var alarm = new Alarms();
        var t = h.Time.GetUtcNow();
        await h.Processor.HandleAsync(alarm.Raised(t), None);

        await h.Processor.HandleAsync(alarm.Event(nameof(AlarmEscalated), 2, t.AddMinutes(15), escalationLevel: 1), None);
        await h.DrainAsync();

        var toDeputy = Assert.Single(h.Email.Sent, d => d.PersonId == "deputy");
        Assert.Equal(NotificationKind.Escalated, toDeputy.Kind);
        Assert.Contains("升级1级", toDeputy.Title, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Dispatcher_WebhookFailing_RetriesFallsBackToEmailAndRaisesOneDiagnosticUntilItWorksAgain()
    {
        var yaml = TestRoster.Yaml.Replace("{ id: day.officer, name: Day Officer, webhook: \"http://127.0.0.1:9/day\", email: day@example.invalid, language: en }",
            "{ id: day.officer, name: Day Officer, webhook: \"http://127.0.0.1:9/day\", email: day@example.invalid, language: en, notify: [webhook] }", StringComparison.Ordinal);
        await using var h = Harness.Create(yaml);
        h.Webhook.Failing = true;
        var t = h.Time.GetUtcNow();

        await h.Processor.HandleAsync(new Alarms().Raised(t), None);
        await h.Processor.HandleAsync(new Alarms().Raised(t), None);
        await h.DrainAsync();

        Assert.Equal(6, h.Webhook.Attempts);
        var failed = (await h.DeliveriesAsync()).Where(d => d.Status == DeliveryStatus.Failed).ToList();
        Assert.Equal(2, failed.Count);
        Assert.All(failed, d => Assert.Equal(3, d.Attempts));
        Assert.Equal(2, h.Email.Sent.Count(d => d.Kind == NotificationKind.Raised && d.PersonId == "day.officer"));
        Assert.All(h.Email.Sent.Where(d => d.Kind == NotificationKind.Raised), d => Assert.StartsWith("fallback from Webhook", d.Note, StringComparison.Ordinal));
        // One diagnostic for the channel, however many deliveries failed; told to the officers on duty by e-mail.
        var diagnostic = Assert.Single(await h.Store.DiagnosticsAsync(10, None));
        Assert.Equal(DeliveryDispatcher.DiagnosticKey(Monitoring.Notifications.Roster.ChannelKind.Webhook), diagnostic.Key);
        Assert.Equal(["day.officer", "deputy"], h.Email.Sent.Where(d => d.Kind == NotificationKind.ChannelFailed).Select(d => d.PersonId).Order(StringComparer.Ordinal));

        h.Webhook.Failing = false;
        await h.Processor.HandleAsync(new Alarms().Raised(t), None);
        await h.DrainAsync();

        Assert.Single(h.Webhook.Sent);
        Assert.NotNull(Assert.Single(await h.Store.DiagnosticsAsync(10, None)).ClearedAt);
    }

    [Fact]
    public async Task Processor_SimulatedAlarm_GoesOnlyToTheSandbox()
    {
        await using var h = Harness.Create();
        var alarm = new Alarms(simulated: true);
        var t = h.Time.GetUtcNow();

        await h.Processor.HandleAsync(alarm.Raised(t), None);
        await h.Processor.HandleAsync(alarm.Event(nameof(AlarmEscalated), 2, t.AddMinutes(15), escalationLevel: 1), None);
        await h.TickAsync(TimeSpan.FromMinutes(5));

        Assert.Empty(h.Webhook.Sent);
        Assert.Empty(h.Email.Sent);
        var deliveries = await h.DeliveriesAsync(alarm.AlarmId);
        // Raised to the officer, escalated to the deputy, one reminder to both.
        Assert.Equal(4, deliveries.Count);
        Assert.All(deliveries, d => Assert.Equal(DeliveryStatus.Sandboxed, d.Status));
        Assert.All(deliveries, d => Assert.Equal(Monitoring.Notifications.Roster.ChannelKind.Sandbox, d.Draft.Channel));
    }

    [Fact]
    public async Task Scheduler_Reminders_RepeatUntilAcknowledgedThenOnlyWhileActiveThenStop()
    {
        await using var h = Harness.Create();
        var alarm = new Alarms();
        await h.Processor.HandleAsync(alarm.Raised(h.Time.GetUtcNow()), None);
        await h.DrainAsync();

        await h.TickAsync(TimeSpan.FromMinutes(5));
        await h.TickAsync(TimeSpan.FromMinutes(5));
        Assert.Equal(2, h.Webhook.Sent.Count(d => d.Kind == NotificationKind.ReminderUnacknowledged));

        await h.Processor.HandleAsync(alarm.Event(nameof(AlarmAcknowledged), 2, h.Time.GetUtcNow(), actor: "day.officer"), None);
        await h.TickAsync(TimeSpan.FromMinutes(29));
        Assert.Equal(2, h.Webhook.Sent.Count(d => d.Kind == NotificationKind.ReminderUnacknowledged));
        Assert.DoesNotContain(h.Webhook.Sent, d => d.Kind == NotificationKind.ReminderAcknowledgedActive);

        await h.TickAsync(TimeSpan.FromMinutes(1));
        var acknowledgedReminder = Assert.Single(h.Webhook.Sent, d => d.Kind == NotificationKind.ReminderAcknowledgedActive);
        Assert.Null(acknowledgedReminder.AckUrl);

        await h.Processor.HandleAsync(alarm.Event(nameof(AlarmCleared), 3, h.Time.GetUtcNow()), None);
        var before = h.Webhook.Sent.Count + h.Email.Sent.Count;
        await h.TickAsync(TimeSpan.FromHours(2));
        await h.TickAsync(TimeSpan.FromHours(2));

        Assert.Equal(before, h.Webhook.Sent.Count + h.Email.Sent.Count);
    }

    [Fact]
    public async Task Scheduler_LowPriorityAlarms_GoOutAsOneDigestAfterTheWindow()
    {
        await using var h = Harness.Create();
        var t = h.Time.GetUtcNow();
        await h.Processor.HandleAsync(new Alarms(AlarmPriorities.Low, 1, false).Raised(t), None);
        await h.Processor.HandleAsync(new Alarms(AlarmPriorities.Low, 1, false).Raised(t), None);
        await h.Processor.HandleAsync(new Alarms(AlarmPriorities.Critical, 2, true).Raised(t), None);
        await h.DrainAsync();
        Assert.Single(h.Webhook.Sent);

        await h.TickAsync(TimeSpan.FromMinutes(4));
        Assert.DoesNotContain(h.Webhook.Sent, d => d.Kind == NotificationKind.Digest);

        await h.TickAsync(TimeSpan.FromMinutes(1));
        var digest = Assert.Single(h.Webhook.Sent, d => d.Kind == NotificationKind.Digest);
        Assert.Contains("2 low-priority alarms", digest.Title, StringComparison.Ordinal);
        Assert.Single(h.Email.Sent, d => d.Kind == NotificationKind.Digest);

        await h.TickAsync(TimeSpan.FromMinutes(10));
        Assert.Single(h.Webhook.Sent, d => d.Kind == NotificationKind.Digest);
    }

    [Fact]
    public async Task Watchdog_Silence_NotifiesTheOfficersOnceAcrossARestart_AndAgainWhenIngestionIsHeardFrom()
    {
        await using var h = Harness.Create(configure: o => o.Watchdog = new Monitoring.Notifications.Hosting.WatchdogOptions { Enabled = true, SilenceAfter = TimeSpan.FromSeconds(60) });

        await h.TickAsync(TimeSpan.FromSeconds(59));
        Assert.Empty(h.Email.Sent);

        await h.TickAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(["day.officer", "deputy"], h.Email.Sent.Where(d => d.Kind == NotificationKind.WatchdogSilent).Select(d => d.PersonId).Order(StringComparer.Ordinal));
        Assert.Single(h.Webhook.Sent, d => d.Kind == NotificationKind.WatchdogSilent);

        await h.TickAsync(TimeSpan.FromSeconds(30));
        await h.RestartAsync();
        await h.TickAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, h.Email.Sent.Count(d => d.Kind == NotificationKind.WatchdogSilent));

        h.Activity.Heartbeat(h.Time.GetUtcNow(), "ingestion@test");
        await h.TickAsync(TimeSpan.FromSeconds(1));
        Assert.Equal(2, h.Email.Sent.Count(d => d.Kind == NotificationKind.WatchdogRestored));
        Assert.NotNull(Assert.Single(await h.Store.DiagnosticsAsync(10, None)).ClearedAt);
    }
}

using System.Globalization;
using System.Text;
using Monitoring.Contracts;
using Monitoring.Contracts.AckLinks;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Delivery;

/// <summary>Where acknowledge links point and how they are signed; null key or base: no links.</summary>
internal sealed record AckLinkSettings(string? BaseUrl, byte[]? Key, TimeSpan Lifetime)
{
    public bool Enabled => BaseUrl is not null && Key is not null;
}

/// <summary>
/// Turns routing decisions into deliveries: the text in the person's language (zh or en), a markdown
/// version for messengers, and a signed acknowledge link per person. One delivery per channel; only the
/// sandbox for simulated traffic or in sandbox mode.
/// </summary>
internal sealed class MessageComposer(AckLinkSettings links, bool sandboxOnly)
{
    public IReadOnlyList<DeliveryDraft> ForAlarm(AlarmNotificationState state, IReadOnlyList<Recipient> recipients, string notificationBase, DateTimeOffset now)
    {
        var drafts = new List<DeliveryDraft>();
        foreach (var r in recipients)
        {
            var (title, text, markdown, ackUrl) = ComposeAlarm(state, r, now);
            AddDrafts(drafts, r.Person, new DeliveryDraft
            {
                NotificationId = notificationBase + "/" + r.Person.Id,
                Kind = r.Kind,
                AlarmId = state.AlarmId,
                EventId = state.Alarm.EventId,
                PersonId = r.Person.Id,
                Channel = ChannelKind.Sandbox,
                Title = title,
                Text = text,
                Markdown = markdown,
                AckUrl = ackUrl,
                Simulated = state.Alarm.Simulated,
                Status = r.Digest ? DeliveryStatus.Held : DeliveryStatus.Pending,
            });
        }

        return drafts;
    }

    /// <summary>A message about the notification path or a gateway, to each person on every channel they have (except <paramref name="avoid"/>).</summary>
    public IReadOnlyList<DeliveryDraft> ForPeople(IEnumerable<Person> people, NotificationKind kind, string notificationBase, Func<bool, (string Title, string Text)> compose, bool simulated, ChannelKind? avoid = null)
    {
        var drafts = new List<DeliveryDraft>();
        foreach (var person in people)
        {
            var (title, text) = compose(person.Language == "zh");
            AddDrafts(drafts, person, new DeliveryDraft
            {
                NotificationId = notificationBase + "/" + person.Id,
                Kind = kind,
                PersonId = person.Id,
                Channel = ChannelKind.Sandbox,
                Title = title,
                Text = text,
                Markdown = "### " + title + "\n\n" + text,
                Simulated = simulated,
            }, avoid);
        }

        return drafts;
    }

    /// <summary>One digest delivery per channel for a person's held items.</summary>
    public IReadOnlyList<DeliveryDraft> Digest(Person person, IReadOnlyList<DeliveryDraft> items)
    {
        var zh = person.Language == "zh";
        var title = zh
            ? string.Create(CultureInfo.InvariantCulture, $"[汇总] {items.Count} 条低优先级告警")
            : string.Create(CultureInfo.InvariantCulture, $"[Digest] {items.Count} low-priority alarms");
        var text = new StringBuilder();
        var markdown = new StringBuilder("### ").Append(title).Append("\n\n");
        foreach (var item in items)
        {
            text.Append("- ").Append(item.Title).Append('\n');
            markdown.Append("- ").Append(item.Title);
            if (item.AckUrl is not null)
                markdown.Append(" [").Append(zh ? "确认" : "Acknowledge").Append("](").Append(item.AckUrl).Append(')');
            markdown.Append('\n');
        }

        var drafts = new List<DeliveryDraft>();
        AddDrafts(drafts, person, new DeliveryDraft
        {
            NotificationId = "digest/" + items[0].NotificationId,
            Kind = NotificationKind.Digest,
            PersonId = person.Id,
            Channel = ChannelKind.Sandbox,
            Title = title,
            Text = text.ToString(),
            Markdown = markdown.ToString(),
            Simulated = items.All(i => i.Simulated),
        });
        return drafts;
    }

    public string? AckUrl(Guid alarmId, string personId, DateTimeOffset now)
    {
        if (!links.Enabled)
            return null;
        var token = AcknowledgeLinkToken.Create(alarmId, personId, now + links.Lifetime, links.Key!);
        return links.BaseUrl!.TrimEnd('/') + "/ack/" + token;
    }

    private void AddDrafts(List<DeliveryDraft> drafts, Person person, DeliveryDraft template, ChannelKind? avoid = null)
    {
        if (template.Simulated || sandboxOnly)
        {
            drafts.Add(template);
            return;
        }

        var added = false;
        foreach (var channel in person.Notify)
        {
            if (channel == avoid)
                continue;
            drafts.Add(For(template, person, channel));
            added = true;
        }

        if (!added)
        {
            foreach (var channel in person.Reachable())
            {
                if (channel != avoid)
                {
                    drafts.Add(For(template, person, channel));
                    return;
                }
            }
        }
    }

    public static DeliveryDraft For(DeliveryDraft template, Person person, ChannelKind channel) => template with
    {
        Channel = channel,
        Address = channel switch
        {
            ChannelKind.Webhook => person.Webhook!.ToString(),
            ChannelKind.Email => person.Email,
            _ => null,
        },
        Format = person.WebhookFormat,
    };

    private (string Title, string Text, string Markdown, string? AckUrl) ComposeAlarm(AlarmNotificationState state, Recipient r, DateTimeOffset now)
    {
        var a = state.Alarm;
        var zh = r.Person.Language == "zh";
        var what = a.Equipment ?? string.Join(", ", a.Tags);
        var condition = zh ? a.Condition.Zh : a.Condition.En;
        var prefix = (r.Kind, zh) switch
        {
            (NotificationKind.Raised, true) => "告警",
            (NotificationKind.Raised, false) => "Alarm",
            (NotificationKind.Escalated, true) => string.Create(CultureInfo.InvariantCulture, $"升级{a.EscalationLevel}级·未确认"),
            (NotificationKind.Escalated, false) => string.Create(CultureInfo.InvariantCulture, $"Escalated L{a.EscalationLevel}, unacknowledged"),
            (NotificationKind.ReminderUnacknowledged, true) => "提醒·未确认",
            (NotificationKind.ReminderUnacknowledged, false) => "Reminder: unacknowledged",
            (NotificationKind.ReminderAcknowledgedActive, true) => "提醒·已确认仍未恢复",
            (NotificationKind.ReminderAcknowledgedActive, false) => "Reminder: acknowledged, still active",
            (NotificationKind.DisposalOverdue, true) => $"{DisposalStepWord(a.OverdueStep, zh)}超时",
            (NotificationKind.DisposalOverdue, false) => $"Overdue: {DisposalStepWord(a.OverdueStep, zh)}",
            (_, true) => "告警",
            _ => "Alarm",
        };
        var sim = a.Simulated ? (zh ? "[模拟] " : "[SIMULATED] ") : "";
        // A clear by the mode gate (casting ended, fan stopped) is not a return to normal: the value may still be
        // beyond the limit, so a person reading a later reminder must not take it for one.
        var disarmed = !state.Active && state.ClearCause == ClearCauses.ModeGate;
        var title = $"{sim}[{prefix}] {PriorityWord(a.Priority, zh)} {what}: {condition}"
                    + (disarmed ? (zh ? "（按工况模式解除投入，非恢复正常）" : " (disarmed by mode, not a return to normal)") : "");

        var lines = new List<string>
        {
            (zh ? "企业/网关: " : "Enterprise/gateway: ") + a.Enterprise + " / " + a.Gateway,
            (zh ? "设备: " : "Equipment: ") + what,
            (zh ? "条件: " : "Condition: ") + condition,
            (zh ? "优先级/级别: " : "Priority/level: ") + PriorityWord(a.Priority, zh) + string.Create(CultureInfo.InvariantCulture, $" / L{a.Level}") + (a.MajorHazard ? (zh ? " / 重大事故隐患" : " / major accident hazard") : ""),
        };
        if (a.Value is { } value)
            lines.Add((zh ? "数值: " : "Value: ") + string.Create(CultureInfo.InvariantCulture, $"{value:G6}{(a.Unit is null ? "" : " " + a.Unit)}") + (a.Limit is { } limit ? string.Create(CultureInfo.InvariantCulture, $" ({(zh ? "限值" : "limit")} {limit:G6})") : ""));
        if (!state.Active)
        {
            lines.Add((zh ? "状态: " : "State: ") + (disarmed
                ? (zh ? "按工况模式解除投入（如浇铸结束），并非恢复正常" : "disarmed by mode (e.g. casting ended), not a return to normal")
                : (zh ? "已恢复正常" : "returned to normal")));
        }

        if (a.Clause is not null)
            lines.Add((zh ? "依据: " : "Clause: ") + a.Clause);
        lines.Add((zh ? "发生时间: " : "Raised at: ") + state.RaisedAt.ToString("yyyy-MM-dd HH:mm:ss 'UTC'", CultureInfo.InvariantCulture));
        if (r.Role is { } role)
            lines.Add((zh ? "通知角色: " : "Notified as: ") + RoleWord(role, zh));
        lines.Add((zh ? "告警编号: " : "Alarm id: ") + a.AlarmId.ToString());

        string? ackUrl = null;
        if ((r.Kind is NotificationKind.Raised or NotificationKind.Escalated or NotificationKind.ReminderUnacknowledged) && !state.Acknowledged)
            ackUrl = AckUrl(a.AlarmId, r.Person.Id, now);

        var text = string.Join("\n", lines) + (ackUrl is null ? "" : "\n" + (zh ? "确认: " : "Acknowledge: ") + ackUrl);
        var markdown = "### " + title + "\n\n" + string.Join("\n", lines.Select(l => "> " + l))
                       + (ackUrl is null ? "" : "\n\n[" + (zh ? "确认告警" : "Acknowledge") + "](" + ackUrl + ")");
        return (title, text, markdown, ackUrl);
    }

    /// <summary>The step of the disposal loop in the reader's words (签收, 处置反馈, 核查).</summary>
    public static string DisposalStepWord(string? step, bool zh) => (step, zh) switch
    {
        (DisposalSteps.SignFor, true) => "签收",
        (DisposalSteps.SignFor, false) => "sign-for",
        (DisposalSteps.Dispose, true) => "处置反馈",
        (DisposalSteps.Dispose, false) => "disposal report",
        (DisposalSteps.Verify, true) => "核查",
        (DisposalSteps.Verify, false) => "verification",
        _ => step ?? "",
    };

    /// <summary>The step of a major-hazard record in the reader's words (整改方案, 整改, 核查).</summary>
    public static string HazardStepWord(string step, bool zh) => (step, zh) switch
    {
        (HazardSteps.Plan, true) => "整改方案",
        (HazardSteps.Plan, false) => "rectification plan",
        (HazardSteps.Rectify, true) => "整改",
        (HazardSteps.Rectify, false) => "rectification",
        (HazardSteps.Verify, true) => "核查",
        (HazardSteps.Verify, false) => "verification",
        _ => step,
    };

    private static string PriorityWord(string priority, bool zh) => (priority, zh) switch
    {
        (AlarmPriorities.Critical, true) => "紧急",
        (AlarmPriorities.High, true) => "高",
        (AlarmPriorities.Medium, true) => "中",
        (AlarmPriorities.Low, true) => "低",
        _ => priority,
    };

    private static string RoleWord(ChainRole role, bool zh) => (role, zh) switch
    {
        (ChainRole.OnDutyOfficer, true) => "企业值班安全员",
        (ChainRole.OnDutyOfficer, false) => "on-duty officer",
        (ChainRole.Deputy, true) => "副值班员",
        (ChainRole.Deputy, false) => "deputy",
        (ChainRole.ParkDutyOfficer, true) => "园区/乡镇值班员",
        (ChainRole.ParkDutyOfficer, false) => "park/township duty officer",
        (ChainRole.CountyDutyOfficer, true) => "县应急管理局值班员",
        _ => "county duty officer",
    };
}

using Monitoring.Notifications.Channels;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Tests;

public sealed class WebhookBodyTests
{
    private static DeliveryDraft Draft(WebhookFormat format) => new()
    {
        NotificationId = "n1/p",
        Kind = NotificationKind.Raised,
        PersonId = "p",
        Channel = ChannelKind.Webhook,
        Address = "http://127.0.0.1:9/x",
        Format = format,
        Title = "Title",
        Text = "Text",
        Markdown = "### Title",
        AckUrl = "http://h/ack/t",
    };

    [Fact]
    public void Body_WeCom_IsMarkdownContent()
    {
        var body = WebhookChannel.Body(Draft(WebhookFormat.WeCom)).ToJsonString();

        Assert.Equal("""{"msgtype":"markdown","markdown":{"content":"### Title"}}""", body);
    }

    [Fact]
    public void Body_DingTalk_IsMarkdownTitleAndText()
    {
        var body = WebhookChannel.Body(Draft(WebhookFormat.DingTalk)).ToJsonString();

        Assert.Equal("""{"msgtype":"markdown","markdown":{"title":"Title","text":"### Title"}}""", body);
    }

    [Fact]
    public void Body_Generic_CarriesTheNotificationIdAndAckUrl()
    {
        var body = WebhookChannel.Body(Draft(WebhookFormat.Generic));

        Assert.Equal("n1/p", body["notificationId"]!.GetValue<string>());
        Assert.Equal("http://h/ack/t", body["ackUrl"]!.GetValue<string>());
        Assert.Equal("Raised", body["kind"]!.GetValue<string>());
    }
}

using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Channels;

/// <summary>
/// JSON POST to a person's webhook, shaped for the enterprise messenger's group robot: WeCom (企业微信)
/// and DingTalk (钉钉) take <c>{"msgtype":"markdown",...}</c>; the generic shape carries the same
/// markdown plus the structured fields a custom receiver needs. Every POST has an
/// <c>X-Notification-Id</c> header, stable across retries, so a receiver can drop repeats.
/// </summary>
internal sealed class WebhookChannel(HttpClient http) : INotificationChannel
{
    public const string NotificationIdHeader = "X-Notification-Id";

    public ChannelKind Kind => ChannelKind.Webhook;

    public static JsonObject Body(DeliveryDraft d) => d.Format switch
    {
        WebhookFormat.WeCom => new JsonObject
        {
            ["msgtype"] = "markdown",
            ["markdown"] = new JsonObject { ["content"] = d.Markdown },
        },
        WebhookFormat.DingTalk => new JsonObject
        {
            ["msgtype"] = "markdown",
            ["markdown"] = new JsonObject { ["title"] = d.Title, ["text"] = d.Markdown },
        },
        _ => new JsonObject
        {
            ["msgtype"] = "markdown",
            ["markdown"] = new JsonObject { ["title"] = d.Title, ["content"] = d.Markdown },
            ["text"] = new JsonObject { ["content"] = d.Title + "\n" + d.Text },
            ["notificationId"] = d.NotificationId,
            ["kind"] = d.Kind.ToString(),
            ["alarmId"] = d.AlarmId?.ToString(),
            ["eventId"] = d.EventId?.ToString(),
            ["personId"] = d.PersonId,
            ["ackUrl"] = d.AckUrl,
            ["simulated"] = d.Simulated,
        },
    };

    public async Task SendAsync(DeliveryDraft delivery, CancellationToken cancellationToken)
    {
        if (delivery.Address is null)
            throw new PermanentDeliveryException("no webhook URL");
        using var request = new HttpRequestMessage(HttpMethod.Post, delivery.Address) { Content = JsonContent.Create(Body(delivery)) };
        request.Headers.Add(NotificationIdHeader, delivery.NotificationId);
        using var response = await http.SendAsync(request, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.StatusCode == HttpStatusCode.TooManyRequests || status >= 500)
            throw new TransientDeliveryException($"webhook answered {status}");
        if (!response.IsSuccessStatusCode)
            throw new PermanentDeliveryException($"webhook answered {status}");

        // WeCom and DingTalk answer 200 with {"errcode":N,"errmsg":"..."}; anything but 0 did not reach the group.
        if (delivery.Format is WebhookFormat.WeCom or WebhookFormat.DingTalk)
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            try
            {
                using var doc = JsonDocument.Parse(text);
                if (doc.RootElement.TryGetProperty("errcode", out var code) && code.TryGetInt32(out var errcode) && errcode != 0)
                    throw new TransientDeliveryException($"messenger refused: errcode {errcode} {(doc.RootElement.TryGetProperty("errmsg", out var msg) ? msg.ToString() : "")}");
            }
            catch (JsonException)
            {
                // Not JSON: a proxy or custom receiver; the 2xx status is all we can go by.
            }
        }
    }
}

using MailKit;
using MailKit.Net.Smtp;
using MimeKit;
using Monitoring.Notifications.Hosting;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Channels;

/// <summary>E-mail over SMTP (MailKit), one session per message: alarms are rare, and a fresh session cannot be a stale one.</summary>
internal sealed class EmailChannel(SmtpOptions options) : INotificationChannel
{
    public const string NotificationIdHeader = "X-Notification-Id";

    public ChannelKind Kind => ChannelKind.Email;

    public bool Configured => !string.IsNullOrEmpty(options.Host);

    public async Task SendAsync(DeliveryDraft delivery, CancellationToken cancellationToken)
    {
        if (!Configured)
            throw new PermanentDeliveryException("no SMTP server configured (Monitoring:Notifications:Smtp:Host)");
        if (delivery.Address is null)
            throw new PermanentDeliveryException("no mail address");

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(options.FromName, options.From));
        message.To.Add(MailboxAddress.Parse(delivery.Address));
        message.Subject = delivery.Title;
        // The same id on every retry: a mail client or archive can drop repeats.
        message.MessageId = Sanitize(delivery.NotificationId) + "@monitoring.notifications";
        message.Headers.Add(NotificationIdHeader, delivery.NotificationId);
        message.Body = new TextPart("plain") { Text = delivery.Text };

        using var client = new SmtpClient();
        try
        {
            await client.ConnectAsync(options.Host!, options.Port, options.Security, cancellationToken);
            if (!string.IsNullOrEmpty(options.Username))
                await client.AuthenticateAsync(options.Username, options.Password ?? "", cancellationToken);
            await client.SendAsync(message, cancellationToken);
            await client.DisconnectAsync(quit: true, cancellationToken);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            throw new PermanentDeliveryException($"SMTP refused: {(int)e.StatusCode} {e.Message}", e);
        }
        catch (Exception e) when (e is SmtpCommandException or SmtpProtocolException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException)
        {
            throw new TransientDeliveryException($"SMTP: {e.Message}", e);
        }
    }

    private static string Sanitize(string id)
    {
        Span<char> buffer = stackalloc char[Math.Min(id.Length, 200)];
        for (var i = 0; i < buffer.Length; i++)
            buffer[i] = char.IsAsciiLetterOrDigit(id[i]) || id[i] is '.' or '-' ? id[i] : '-';
        return new string(buffer);
    }
}

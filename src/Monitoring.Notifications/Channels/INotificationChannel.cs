using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Storage;

namespace Monitoring.Notifications.Channels;

/// <summary>Sends one delivery. Throws on failure: <see cref="TransientDeliveryException"/> (and network errors) are retried, anything else is not.</summary>
internal interface INotificationChannel
{
    ChannelKind Kind { get; }

    Task SendAsync(DeliveryDraft delivery, CancellationToken cancellationToken);
}

/// <summary>A failure worth retrying: a 5xx or 429 answer, a messenger's rate limit, an SMTP 4xx reply.</summary>
internal sealed class TransientDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>A failure that a retry would only repeat: a 4xx answer, a rejected address, a channel without configuration.</summary>
internal sealed class PermanentDeliveryException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Records only. Simulated traffic and sandbox mode end here: the store row is the whole delivery.</summary>
internal sealed class SandboxChannel : INotificationChannel
{
    public ChannelKind Kind => ChannelKind.Sandbox;

    public Task SendAsync(DeliveryDraft delivery, CancellationToken cancellationToken) => Task.CompletedTask;
}

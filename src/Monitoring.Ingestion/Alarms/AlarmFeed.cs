namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// Tells the duty console's live streams that the alarm list may have changed. The outbox publisher calls
/// <see cref="Changed"/> when journaled events (raises, clears, operator actions) are ready to publish; the
/// streams also look again every few seconds, for changes that journal no event (comments, escalation times).
/// </summary>
/// <remarks>Thread-safe. A waiter takes <see cref="NextChange"/> before it reads the list, so no change is missed between the two.</remarks>
internal sealed class AlarmFeed
{
    private TaskCompletionSource _next = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes at the next <see cref="Changed"/>.</summary>
    public Task NextChange => Volatile.Read(ref _next).Task;

    public void Changed() =>
        Interlocked.Exchange(ref _next, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
}

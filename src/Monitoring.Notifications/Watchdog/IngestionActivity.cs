namespace Monitoring.Notifications.Watchdog;

/// <summary>When the ingestion service was last heard from: any consumed event or heartbeat. Thread-safe.</summary>
internal sealed class IngestionActivity
{
    private long _lastSeenTicks;
    private long _lastHeartbeatTicks;

    public IngestionActivity(TimeProvider time) => _lastSeenTicks = time.GetUtcNow().UtcTicks;

    public DateTimeOffset LastSeen => new(Interlocked.Read(ref _lastSeenTicks), TimeSpan.Zero);

    public DateTimeOffset? LastHeartbeat => Interlocked.Read(ref _lastHeartbeatTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    public string? LastHeartbeatInstance { get; private set; }

    public void Seen(DateTimeOffset at)
    {
        var ticks = at.UtcTicks;
        long current;
        do
        {
            current = Interlocked.Read(ref _lastSeenTicks);
            if (ticks <= current)
                return;
        }
        while (Interlocked.CompareExchange(ref _lastSeenTicks, ticks, current) != current);
    }

    public void Heartbeat(DateTimeOffset at, string instance)
    {
        Interlocked.Exchange(ref _lastHeartbeatTicks, at.UtcTicks);
        LastHeartbeatInstance = instance;
        Seen(at);
    }
}

using System.Collections.Concurrent;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// What the service knows of each gateway that has spoken: last seen, status, sequence accounting,
/// rejections. Written by the partition worker that owns the gateway; read by the API.
/// </summary>
internal sealed class GatewayRegistry(TimeSpan clockWindow)
{
    private readonly ConcurrentDictionary<(string Enterprise, string Gateway), GatewayState> _gateways = new();
    private readonly Func<(string Enterprise, string Gateway), TimeSpan, GatewayState> _create = static (key, window) => new GatewayState(key.Enterprise, key.Gateway, new GatewayClock(window));

    public GatewayRegistry()
        : this(new PipelineOptions().ClockWindow)
    {
    }

    public GatewayState Get(string enterprise, string gateway) => _gateways.GetOrAdd((enterprise, gateway), _create, clockWindow);

    /// <summary>Registers a configured gateway before it has spoken, so that its silence is noticed too.</summary>
    public void Expect(string enterprise, string gateway, long sinceMs) => Get(enterprise, gateway).LastSeenAtMs = sinceMs;

    /// <summary>As <see cref="Expect"/>, for a gateway not known yet (a reload must not reset the last-seen time of known ones).</summary>
    public void ExpectIfUnknown(string enterprise, string gateway, long sinceMs)
    {
        if (!_gateways.ContainsKey((enterprise, gateway)))
            Expect(enterprise, gateway, sinceMs);
    }

    public IReadOnlyList<GatewayState> All() => [.. _gateways.Values.OrderBy(g => g.Enterprise, StringComparer.Ordinal).ThenBy(g => g.Gateway, StringComparer.Ordinal)];
}

/// <summary>
/// One gateway's counters. Mutated only by its owning partition worker; the API reads a possibly
/// slightly stale view, which is fine for monitoring counters (longs are read atomically on x64).
/// </summary>
internal sealed class GatewayState(string enterprise, string gateway, GatewayClock clock)
{
    private readonly ConcurrentDictionary<string, long> _rejections = new(StringComparer.Ordinal);

    public string Enterprise { get; } = enterprise;
    public string Gateway { get; } = gateway;

    /// <summary>The gateway's own clock, estimated from its messages: what "live" and "in the future" are judged against.</summary>
    public GatewayClock Clock { get; } = clock;

    private int _queuedMessages;

    /// <summary>
    /// Messages of this gateway queued for its worker and not yet processed: while there are, its timers do not
    /// extrapolate its event time (GatewayRules.Tick, readingsQueued), because its own readings are waiting.
    /// </summary>
    public bool HasQueuedMessages => Volatile.Read(ref _queuedMessages) > 0;

    /// <summary>By the intake, as a message of this gateway is queued.</summary>
    public void MessageQueued() => Interlocked.Increment(ref _queuedMessages);

    /// <summary>By the worker, as it takes the message.</summary>
    public void MessageTaken() => Interlocked.Decrement(ref _queuedMessages);

    /// <summary>Whether GATEWAY_CLOCK_SKEW is raised for this gateway (kept in step with the alarm by its worker).</summary>
    public bool ClockSkewRaised { get; set; }
    public string? Status { get; set; }
    public string? Firmware { get; set; }
    public long? StatusChangedAtMs { get; set; }
    public long LastSeenAtMs { get; set; }
    public ulong? LastSeq { get; set; }
    public long Messages { get; set; }
    public long Readings { get; set; }
    public long LostMessages { get; set; }
    public long DuplicateMessages { get; set; }
    public long SequenceRestarts { get; set; }
    public bool Simulated { get; set; }
    /// <summary>Reported silent: no message within the silence timeout.</summary>
    public bool Silent { get; set; }

    /// <summary>Server time late data (older than the live rules' last reading) last arrived; 0 = never.</summary>
    public long LastLateDataAtMs { get; set; }

    /// <summary>Newest sensor time among the late readings: how far a back-fill reached.</summary>
    public long LatestLateTimestampMs { get; set; }


    public IReadOnlyDictionary<string, long> Rejections => _rejections;

    public void CountRejection(string reason) => _rejections.AddOrUpdate(reason, 1, static (_, n) => n + 1);

    /// <summary>
    /// Accounts for a message's <c>seq</c>: +1 is normal; a larger step counts the gap as lost; an
    /// equal or smaller value is a duplicate, unless the gateway announced <c>online</c> since (a
    /// restart may begin again at 0). Returns false for a duplicate.
    /// </summary>
    public bool AccountSequence(ulong seq, bool restartAllowed)
    {
        if (LastSeq is not { } last)
        {
            LastSeq = seq;
            return true;
        }

        if (restartAllowed)
        {
            if (seq <= last)
                SequenceRestarts++;
            LastSeq = seq;
            return true;
        }

        if (seq == last + 1)
        {
            LastSeq = seq;
            return true;
        }

        if (seq > last)
        {
            LostMessages += (long)(seq - last - 1);
            LastSeq = seq;
            return true;
        }

        DuplicateMessages++;
        return false;
    }

    /// <summary>Set when <c>online</c> is reported: the next seq may restart.</summary>
    public bool SequenceMayRestart { get; set; }
}

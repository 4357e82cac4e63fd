using System.Collections.Concurrent;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// What the service knows of each gateway that has spoken or is configured: last seen, status, sequence
/// accounting, rejections. Written by the partition worker that owns the gateway; read by the API. Keyed by
/// <c>enterprise/gateway</c>, the part of the MQTT topic that names the gateway, so the intake finds a known
/// gateway from the topic without allocating (<see cref="Resolve"/>).
/// </summary>
internal sealed class GatewayRegistry
{
    private readonly ConcurrentDictionary<string, GatewayState> _gateways = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, GatewayState>.AlternateLookup<ReadOnlySpan<char>> _bySpan;
    private readonly Lock _adding = new();
    private int _partitions = 1;
    // Per partition, the gateways it owns: copied on write (a gateway is added rarely, read every second).
    private GatewayState[][] _owned = [[]];

    private readonly TimeSpan _clockWindow;

    public GatewayRegistry()
        : this(new PipelineOptions().ClockWindow)
    {
    }

    public GatewayRegistry(TimeSpan clockWindow)
    {
        _clockWindow = clockWindow;
        _bySpan = _gateways.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>
    /// Sets how many partitions share the gateways (<see cref="Partitioning"/>): the pipeline calls it once as it is
    /// built, so that each gateway knows its partition and each partition its gateways (<see cref="OwnedBy"/>).
    /// </summary>
    public void UsePartitions(int partitions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(partitions, 1);
        lock (_adding)
        {
            _partitions = partitions;
            var owned = new List<GatewayState>[partitions];
            for (var i = 0; i < partitions; i++)
                owned[i] = [];
            foreach (var state in _gateways.Values)
            {
                state.Partition = Partitioning.Of(state.Enterprise, state.Gateway, partitions);
                owned[state.Partition].Add(state);
            }

            Volatile.Write(ref _owned, [.. owned.Select(list => list.ToArray())]);
        }
    }

    public GatewayState Get(string enterprise, string gateway)
        => _gateways.TryGetValue(string.Concat(enterprise, "/", gateway), out var state) ? state : Add(enterprise, gateway);

    /// <summary>The gateway named by two parts of a topic; allocates nothing once the gateway is known.</summary>
    /// <param name="id">The topic's <c>enterprise/gateway</c> part.</param>
    /// <param name="enterpriseLength">Length of its enterprise part.</param>
    public GatewayState Resolve(ReadOnlySpan<char> id, int enterpriseLength)
        => _bySpan.TryGetValue(id, out var state)
            ? state
            : Add(new string(id[..enterpriseLength]), new string(id[(enterpriseLength + 1)..]));

    private GatewayState Add(string enterprise, string gateway)
    {
        var key = string.Concat(enterprise, "/", gateway);
        lock (_adding)
        {
            if (_gateways.TryGetValue(key, out var known))
                return known;
            var state = new GatewayState(enterprise, gateway, new GatewayClock(_clockWindow))
            {
                Partition = Partitioning.Of(enterprise, gateway, _partitions),
            };
            var owned = (GatewayState[][])_owned.Clone();
            owned[state.Partition] = [.. owned[state.Partition], state];
            Volatile.Write(ref _owned, owned);
            _gateways[key] = state;
            return state;
        }
    }

    /// <summary>The gateways partition <paramref name="partition"/> owns (its timers run over these only).</summary>
    public IReadOnlyList<GatewayState> OwnedBy(int partition) => Volatile.Read(ref _owned)[partition];

    /// <summary>Registers a configured gateway before it has spoken, so that its silence is noticed too.</summary>
    public void Expect(string enterprise, string gateway, long sinceMs) => Get(enterprise, gateway).LastSeenAtMs = sinceMs;

    /// <summary>As <see cref="Expect"/>, for a gateway not known yet (a reload must not reset the last-seen time of known ones).</summary>
    public void ExpectIfUnknown(string enterprise, string gateway, long sinceMs)
    {
        if (!_gateways.ContainsKey(string.Concat(enterprise, "/", gateway)))
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

    /// <summary>The partition that owns the gateway (set by the registry, <see cref="Partitioning"/>).</summary>
    public int Partition { get; set; }

    private RuleSet? _rulesOf;
    private GatewayRules? _rules;

    /// <summary>
    /// The gateway's rules in <paramref name="ruleSet"/>, or null when no site configures it: looked up once per rule
    /// set (a reload brings a new one), not per message. Called by the owning worker only.
    /// </summary>
    public GatewayRules? RulesIn(RuleSet ruleSet)
    {
        if (!ReferenceEquals(_rulesOf, ruleSet))
        {
            _rules = ruleSet.FindGateway(Enterprise, Gateway);
            _rulesOf = ruleSet;
        }

        return _rules;
    }

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

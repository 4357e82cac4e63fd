using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Runtime;

/// <summary>The rules of one gateway's points. Lookups by tag allocate nothing.</summary>
public sealed class GatewayRules
{
    private readonly Dictionary<string, SensorRules> _sensors;
    private readonly Dictionary<string, SensorRules>.AlternateLookup<ReadOnlySpan<char>> _sensorsBySpan;

    private readonly SignalTable _table;
    private readonly GatewayRule[] _rules;
    private readonly GatewayRule[] _timed;
    private readonly AlarmCondition[] _conditions;
    private bool _anyReading;
    private long _latestEventMs;
    private long _latestReceivedAtMs;

    /// <param name="rules">The gateway's own rules (its <c>rules:</c>, and the diagnostics of its gate signals).</param>
    /// <param name="pointRules">The rules declared on its points, in point order (also held by their <see cref="SensorRules"/>).</param>
    internal GatewayRules(SiteConfiguration site, string gateway, Dictionary<string, SensorRules> sensors, SignalTable table, GatewayRule[] rules, GatewayRule[] pointRules, AlarmCondition[] staticViolations, AlarmCondition clockSkew)
    {
        ClockSkew = clockSkew;
        Site = site;
        Gateway = gateway;
        _sensors = sensors;
        _sensorsBySpan = sensors.GetAlternateLookup<ReadOnlySpan<char>>();
        _table = table;
        _rules = rules;
        // Point rules first, so that a tick appends their transitions before the gateway rules', as a reading does.
        _timed = [.. pointRules.Where(r => r.HasTimers), .. rules.Where(r => r.HasTimers)];
        _conditions = [.. rules.SelectMany(r => r.Conditions), clockSkew];
        StaticViolations = staticViolations;
        foreach (var sensor in sensors.Values)
        {
            sensor.Owner = this;
        }
    }

    /// <summary>The conditions of the gateway's multi-signal and time-driven rules (the <c>rules:</c> of the gateway), and its <see cref="ClockSkew"/> diagnostic.</summary>
    public IReadOnlyList<AlarmCondition> GatewayConditions => _conditions;

    /// <summary>The gateway's clock-skew diagnostic (see <see cref="DiagnosticRuleIds.GatewayClockSkew"/>): raised and cleared by the service, not by a rule.</summary>
    public AlarmCondition ClockSkew { get; }

    /// <summary>Failed static checks of this gateway's configuration (see <see cref="RuleSet.StaticViolations"/>).</summary>
    public IReadOnlyList<AlarmCondition> StaticViolations { get; }

    /// <summary>
    /// Evaluates what time alone can change: no data (server clock <paramref name="nowMs"/> against the server time
    /// each point's last reading arrived), and, in the gateway's event time, cause→effect deadlines, on- and
    /// off-delays that mature without a new reading (point limit rules too, while the point's latest reading is good), windows that expire, bad quality and flat lines that last.
    /// The gateway's event time is estimated as its latest reading's timestamp plus the server time elapsed since
    /// that reading arrived, so a gateway whose clock is skewed keeps its own time base. Call it from the partition
    /// that owns the gateway (single writer), e.g. every 500 ms. Allocates nothing unless it appends a transition.
    /// </summary>
    /// <param name="readingsQueued">
    /// The gateway has messages that arrived and are not evaluated yet (the service is behind, e.g. after a store
    /// stall): its event time is then its latest evaluated reading's, not extrapolated. Sample and hold assumes nothing
    /// arrived since; here something did, and its readings will say whether a delay held or was broken.
    /// No data is judged on the server clock as always.
    /// </param>
    public void Tick(long nowMs, List<AlarmTransition> transitions, bool readingsQueued = false)
    {
        long? eventNow = _anyReading ? _latestEventMs + (readingsQueued ? 0 : Math.Max(0, nowMs - _latestReceivedAtMs)) : null;
        foreach (var rule in _timed)
        {
            rule.Tick(eventNow, nowMs, _table, transitions);
        }
    }

    /// <summary>Whether the condition would be true now but its rule's mode gate (armedWhen) is closed.</summary>
    public bool IsSuppressedByMode(AlarmCondition condition)
    {
        foreach (var rule in _rules)
        {
            if (rule.IsSuppressedByMode(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>How many evaluations found a condition true while its mode gate was closed (a metric: never silent).</summary>
    public long SuppressedCount
    {
        get
        {
            long total = 0;
            foreach (var rule in _rules)
            {
                total += rule.SuppressedCount;
            }

            return total;
        }
    }

    /// <summary>Whether a gateway-rule condition is raised.</summary>
    public bool IsActive(AlarmCondition condition)
    {
        foreach (var rule in _rules)
        {
            if (rule.IsActive(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Whether any of this gateway's rules holds the condition raised: a gateway rule, or a point rule of one of its tags.</summary>
    public bool IsRaised(AlarmCondition condition)
    {
        if (IsActive(condition))
        {
            return true;
        }

        foreach (var tag in condition.Tags)
        {
            if (TryGetSensor(tag, out var sensor) && sensor.IsActive(condition))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Sets a condition's raised state without a transition, to what the alarm journal knows (after a restart, the
    /// start-up replay or a reload): a condition restored active clears by its rule's usual logic, one restored
    /// inactive raises at the next reading in alarm. Reaches gateway rules and the point rules of the condition's
    /// tags. False when the condition is not one of this gateway's.
    /// </summary>
    public bool Restore(AlarmCondition condition, bool active)
    {
        foreach (var rule in _rules)
        {
            if (rule.Restore(condition, active))
            {
                return true;
            }
        }

        foreach (var tag in condition.Tags)
        {
            if (TryGetSensor(tag, out var sensor) && sensor.Restore(condition, active))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Marks a condition active without a transition (an alarm active before a restart or reload).</summary>
    public bool RestoreActive(AlarmCondition condition) => Restore(condition, true);

    internal void Observe(long timestampMs, long receivedAtMs)
    {
        if (!_anyReading || timestampMs > _latestEventMs)
        {
            if (!_anyReading)
            {
                _table.AnyReading = true;
                _table.FirstEventMs = timestampMs;
            }

            _anyReading = true;
            _latestEventMs = timestampMs;
            _latestReceivedAtMs = receivedAtMs;
            _table.LatestEventMs = timestampMs;
        }
    }

    public SiteConfiguration Site { get; }
    public string Enterprise => Site.Enterprise;
    public string Gateway { get; }
    public string Industry => Site.Industry;

    public IReadOnlyCollection<SensorRules> Sensors => _sensors.Values;

    /// <summary>Finds a configured point by its tag (ASCII, as decoded from the payload). Ordinal: tags are case-sensitive.</summary>
    public bool TryGetSensor(ReadOnlySpan<char> tag, out SensorRules sensor)
        => _sensorsBySpan.TryGetValue(tag, out sensor!);

    /// <summary>Finds a configured point by its tag.</summary>
    public bool TryGetSensor(string tag, out SensorRules sensor)
        => _sensors.TryGetValue(tag, out sensor!);
}

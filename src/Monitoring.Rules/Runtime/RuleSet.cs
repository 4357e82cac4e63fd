using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Runtime;

/// <summary>
/// The compiled rules of every loaded site (built by <see cref="Compilation.RuleCompiler"/>). Immutable apart from the
/// per-gateway evaluation state, which belongs to the single partition worker that owns the gateway.
/// </summary>
public sealed class RuleSet
{
    private readonly Dictionary<(string Enterprise, string Gateway), GatewayRules> _gateways;
    private readonly Dictionary<string, AlarmCondition> _conditionsByKey;
    private readonly AlarmCondition[] _conditions;

    internal RuleSet(
        IReadOnlyList<SiteConfiguration> sites,
        RuleSetOptions options,
        Dictionary<(string, string), GatewayRules> gateways,
        List<AlarmCondition> conditions)
    {
        Sites = sites;
        Options = options;
        _gateways = gateways;
        _conditions = [.. conditions];
        var violations = new List<AlarmCondition>();
        foreach (var gateway in gateways.Values)
        {
            violations.AddRange(gateway.StaticViolations);
        }

        StaticViolations = violations;
        _conditionsByKey = new Dictionary<string, AlarmCondition>(_conditions.Length, StringComparer.Ordinal);
        foreach (var condition in _conditions)
        {
            _conditionsByKey.Add(condition.Key, condition);
        }
    }

    /// <summary>
    /// Static checks (<c>setpointCheck</c> rules and presets built on them) that failed at compile time: each is
    /// an alarm condition the service raises at once when it loads this rule set, and clears when a reloaded rule
    /// set no longer lists it. These conditions are also in <see cref="Conditions"/>; they have no tags.
    /// </summary>
    public IReadOnlyList<AlarmCondition> StaticViolations { get; }

    public IReadOnlyList<SiteConfiguration> Sites { get; }

    /// <summary>The settings this rule set was compiled with (a recompilation of <see cref="Sites"/> uses them again).</summary>
    public RuleSetOptions Options { get; }

    /// <summary>Every alarm condition of every site (for the API and for restoring active alarms).</summary>
    public IReadOnlyList<AlarmCondition> Conditions => _conditions;

    public IReadOnlyCollection<GatewayRules> Gateways => _gateways.Values;

    /// <summary>The gateway's rules, or null when no site configures it (its readings are stored, not evaluated).</summary>
    public GatewayRules? FindGateway(string enterprise, string gateway)
        => _gateways.TryGetValue((enterprise, gateway), out var rules) ? rules : null;

    /// <summary>Finds a condition by its <see cref="AlarmCondition.Key"/> (e.g. to restore an active alarm from a journal).</summary>
    public bool TryGetCondition(string key, out AlarmCondition condition)
        => _conditionsByKey.TryGetValue(key, out condition!);
}

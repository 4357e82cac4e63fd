using Monitoring.Contracts;
using Monitoring.Rules.Configuration;

namespace Monitoring.Rules.Runtime;

/// <summary>Rule ids of the conditions the library adds by itself (not configured): they cannot clash with a configured id.</summary>
public static class DiagnosticRuleIds
{
    /// <summary>A gate signal is bad, stale or never seen: the rules it gates are kept armed (<see cref="ModeGate"/>).</summary>
    public const string ModeSignalUnavailable = "MODE_SIGNAL_UNAVAILABLE";

    /// <summary>
    /// The gateway's clock is off the server's by more than the configured limit (<see cref="Configuration.RuleSetOptions.ClockSkewLimit"/>):
    /// every configured gateway has this condition; the service raises and clears it from its estimate of the gateway's clock.
    /// </summary>
    public const string GatewayClockSkew = "GATEWAY_CLOCK_SKEW";
}

/// <summary>
/// MODE_SIGNAL_UNAVAILABLE: the diagnostic of one gate signal of one gateway, shared by every rule gated on it.
/// A gate signal that is bad, stale or never seen cannot close a gate (<see cref="ModeGate"/>), so the gated
/// rules stay armed; this condition makes that visible. Raised when the signal becomes unavailable:
/// <list type="bullet">
/// <item>bad: at the bad reading;</item>
/// <item>stale: its latest good value is <c>staleAfter</c> old against the gateway's newest reading (on a tick,
/// dated when it became stale);</item>
/// <item>never seen: the gateway has reported for <c>neverSeenAfter</c> since its first reading and this signal not
/// once (dated then), so a gate that has simply not reported yet after a start is not reported at once.</item>
/// </list>
/// Cleared by a good or uncertain, fresh reading of the signal (or on a tick, when a restored alarm finds it
/// available). While the whole gateway is silent nothing changes: no data and gateway silence report that.
/// </summary>
internal sealed class ModeSignalRule(AlarmCondition condition, int signal, long staleAfterMs, long neverSeenAfterMs)
    : GatewayRule([new ConditionState(condition)], [signal], null)
{
    private const string RuleId = DiagnosticRuleIds.ModeSignalUnavailable;

    private long _badSinceMs;

    /// <summary>
    /// Key <c>{enterprise}/{gateway}/{gate tag}/@mode/MODE_SIGNAL_UNAVAILABLE</c>: <c>@mode</c> cannot be a rule id, so
    /// it never collides with a configured rule; the tag is the gate signal's, so the condition is restored through it.
    /// </summary>
    public static AlarmCondition ConditionFor(SiteConfiguration site, string gateway, PointConfiguration point) => new()
    {
        Key = $"{site.Enterprise}/{gateway}/{point.Tag}/@mode/{RuleId}",
        RuleId = RuleId,
        RuleVersion = 1,
        Enterprise = site.Enterprise,
        Gateway = gateway,
        Tags = [point.Tag],
        Equipment = point.Equipment,
        Industry = site.Industry,
        Priority = AlarmPriorities.High,
        Level = 1,
        MajorHazard = false,
        Unit = point.Unit,
        Description = new LocalizedText(
            $"模式信号 {point.Tag} 不可用（质量坏、数据陈旧或未收到）：相关联锁报警保持投入",
            $"Mode signal {point.Tag} unavailable (bad quality, stale or never received): gated alarms kept armed"),
        Stage = RuleId,
    };

    public override void OnReading(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
        => Evaluate(table, transitions);

    public override void OnBadQuality(int signal, long timestampMs, SignalTable table, List<AlarmTransition> transitions)
    {
        _badSinceMs = timestampMs;
        Evaluate(table, transitions);
    }

    public override void Tick(long? eventNowMs, long serverNowMs, SignalTable table, List<AlarmTransition> transitions)
        => Evaluate(table, transitions);

    private void Evaluate(SignalTable table, List<AlarmTransition> transitions)
    {
        if (!table.AnyReading)
        {
            return;
        }

        ref var state = ref States[0];
        if (ModeGate.IsAvailable(table, signal, staleAfterMs))
        {
            if (state.Active)
            {
                state.Active = false;
                transitions.Add(new AlarmTransition(state.Condition, AlarmTransitionKind.Cleared, table.ValueMs[signal], table.Value[signal]));
            }

            return;
        }

        if (state.Active)
        {
            return;
        }

        long since;
        var value = double.NaN;
        if (table.Bad[signal])
        {
            since = _badSinceMs;
        }
        else if (!table.HasValue[signal])
        {
            since = table.FirstEventMs + neverSeenAfterMs;
            if (table.LatestEventMs < since)
            {
                return;
            }
        }
        else
        {
            since = table.ValueMs[signal] + staleAfterMs;
            value = table.Value[signal];
        }

        state.Active = true;
        transitions.Add(new AlarmTransition(state.Condition, AlarmTransitionKind.Raised, since, value));
    }
}

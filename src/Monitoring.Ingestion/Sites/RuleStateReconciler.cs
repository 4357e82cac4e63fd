using Monitoring.Ingestion.Alarms;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Sites;

/// <summary>
/// Sets every condition's rule state to what the alarm journal (the tracker) says: active when its alarm's
/// condition is active or a raise of it is held, inactive otherwise. After a restart, the replay or a reload,
/// a rule that thinks its condition is raised while the journal says it cleared would never raise the next
/// episode, and one that thinks it clear would never clear the journal's alarm; both are set right here.
/// </summary>
internal static class RuleStateReconciler
{
    public static void Reconcile(RuleSet rules, AlarmTracker alarms)
    {
        var held = new HashSet<string>(alarms.Held.Select(h => h.Transition.Condition.Key), StringComparer.Ordinal);
        foreach (var gateway in rules.Gateways)
        {
            foreach (var condition in gateway.GatewayConditions)
                Reconcile(gateway, condition, alarms, held);
            foreach (var sensor in gateway.Sensors)
            {
                foreach (var condition in sensor.Conditions)
                    Reconcile(gateway, condition, alarms, held);
            }
        }
    }

    private static void Reconcile(GatewayRules gateway, AlarmCondition condition, AlarmTracker alarms, HashSet<string> held)
    {
        var active = held.Contains(condition.Key) || (alarms.TryGetByKey(condition.Key, out var alarm) && alarm.ConditionActive);
        if (gateway.IsRaised(condition) != active)
            gateway.Restore(condition, active);
    }
}

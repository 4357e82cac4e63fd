using Monitoring.Rules.Evaluation;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>The rule set in force. Swapped whole on reload; workers read it once per message.</summary>
internal sealed class RuleSetHolder(RuleSet initial)
{
    private RuleSet _current = initial;

    public RuleSet Current => Volatile.Read(ref _current);

    public void Replace(RuleSet next) => Volatile.Write(ref _current, next);
}

using Monitoring.Rules.Evaluation;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>The rule set in force. Swapped whole on reload; workers read it once per message.</summary>
internal sealed class RuleSetHolder(RuleSet initial)
{
    private RuleSet _current = initial;
    private int _version = 1;

    public RuleSet Current => Volatile.Read(ref _current);

    /// <summary>1 for the configuration loaded at start, +1 per applied reload.</summary>
    public int Version => Volatile.Read(ref _version);

    public void Replace(RuleSet next)
    {
        Volatile.Write(ref _current, next);
        Interlocked.Increment(ref _version);
    }
}

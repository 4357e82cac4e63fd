using Monitoring.Rules.Compilation;
using Monitoring.Rules.Runtime;

namespace Monitoring.Ingestion.Pipeline;

/// <summary>
/// The rule set in force. Swapped whole on reload; workers read it once per message.
/// Beside it, a second compilation of the same sites evaluates late data: readings older than what a
/// sensor's live rules have already evaluated (a gateway's back-fill after an outage). Its own state
/// follows the late stream in its order, so a transition hidden in the back-fill is found and recorded
/// as historical without rewinding, or disturbing, the live rules.
/// </summary>
internal sealed class RuleSetHolder
{
    private RuleSet _current;
    private RuleSet _lateData;
    private int _version = 1;

    public RuleSetHolder(RuleSet initial)
    {
        _current = initial;
        _lateData = CompileAgain(initial);
    }

    public RuleSet Current => Volatile.Read(ref _current);

    /// <summary>The late-data twin of <see cref="Current"/> (same conditions and keys, separate state).</summary>
    public RuleSet LateData => Volatile.Read(ref _lateData);

    /// <summary>1 for the configuration loaded at start, +1 per applied reload.</summary>
    public int Version => Volatile.Read(ref _version);

    public void Replace(RuleSet next)
    {
        Volatile.Write(ref _lateData, CompileAgain(next));
        Volatile.Write(ref _current, next);
        Interlocked.Increment(ref _version);
    }

    // The sites compiled once already: compiling them again cannot fail.
    private static RuleSet CompileAgain(RuleSet rules) =>
        RuleCompiler.Compile(rules.Sites, rules.Options).RuleSet ?? throw new InvalidOperationException("a compiled rule set failed to compile again");
}

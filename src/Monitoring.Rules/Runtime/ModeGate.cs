namespace Monitoring.Rules.Runtime;

/// <summary>
/// Mode gating, fail safe: the gate closes (the rule is disarmed) only on positive evidence, when a gate signal is
/// available and below its threshold. A gate signal is available while its latest reading (by event time) is good
/// or uncertain and its value is not stale: younger than <see cref="StaleAfterMs"/> against the gateway's newest
/// reading. A signal never received, bad, or stale cannot close the gate: the rule stays armed (and the gate
/// signal's MODE_SIGNAL_UNAVAILABLE diagnostic, <see cref="ModeSignalRule"/>, says why).
/// </summary>
internal sealed class ModeGate(int[] signals, double[] thresholds, long staleAfterMs)
{
    /// <summary>Used when a rule does not set <c>gateStaleAfter</c>; also how long a gate signal may be never seen before it is reported.</summary>
    public const long DefaultStaleAfterMs = 60_000;

    public int[] Signals { get; } = signals;

    /// <summary>Age (event time) at which a gate signal's value is stale; 0: never stale.</summary>
    public long StaleAfterMs { get; } = staleAfterMs;

    public bool IsArmed(SignalTable table)
    {
        var all = Signals;
        for (var i = 0; i < all.Length; i++)
        {
            var s = all[i];
            if (IsAvailable(table, s, StaleAfterMs) && !(table.Value[s] >= thresholds[i]))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Good or uncertain latest reading, and a value younger than <paramref name="staleAfterMs"/> (0: never stale) against the gateway's newest reading.</summary>
    public static bool IsAvailable(SignalTable table, int signal, long staleAfterMs)
        => table.HasValue[signal] && !table.Bad[signal] && !IsStale(table, signal, staleAfterMs);

    public static bool IsStale(SignalTable table, int signal, long staleAfterMs)
        => staleAfterMs > 0 && table.LatestEventMs - table.ValueMs[signal] >= staleAfterMs;
}

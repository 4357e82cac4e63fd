using System.Globalization;
using Monitoring.IntegrationTests.Ingestion;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// Limit crossings on the test site's CAST1.MOULD.WATER.P (low limit 0.14): reading k is 0.1 for even
/// k and 0.2 for odd k, 2 s apart in sensor time. Nobody acknowledges, so the first raise opens one
/// alarm that returns to normal and re-activates (ISA-18.2): reading k is transition k + 1 of that
/// alarm, and n acknowledged readings must give exactly the events with sequences 1..n.
/// </summary>
internal static class AlarmTransitions
{
    public const int ReadingsApartMs = 2000;

    public static Func<long, string> Messages(long firstTs) =>
        k => Gateway.Batch(k + 1, firstTs + (k * ReadingsApartMs), (TestSite.PressureTag, k % 2 == 0 ? "0.1" : "0.2"));

    /// <summary>
    /// One alarm; sequences exactly 1..<paramref name="expected"/> (none lost, none extra); one eventId per
    /// sequence (a redelivery may repeat an event, never with another id); raises odd, clears even.
    /// Returns a line for the test output.
    /// </summary>
    public static string AssertGapless(IReadOnlyList<ReceivedEvent> events, long expected)
    {
        Assert.NotEmpty(events);
        var alarmId = events[0].AlarmId;
        Assert.All(events, e => Assert.Equal(alarmId, e.AlarmId));
        Assert.All(events, e => Assert.Equal(e.EventId, e.MessageId));
        var bySequence = events.GroupBy(e => e.Sequence).OrderBy(g => g.Key).ToList();
        foreach (var group in bySequence)
        {
            var ids = group.Select(e => e.EventId).Distinct().ToList();
            Assert.True(ids.Count == 1, $"sequence {group.Key} published with {ids.Count} different eventIds");
            var type = group.Key % 2 == 1 ? "AlarmRaised" : "AlarmCleared";
            Assert.All(group, e => Assert.Equal(type, e.Type));
        }

        var sequences = bySequence.Select(g => g.Key).ToArray();
        var missing = LongRange(1, expected).Except(sequences).ToArray();
        var extra = sequences.Where(s => s < 1 || s > expected).ToArray();
        Assert.True(missing.Length == 0, $"missing sequences: {string.Join(',', missing.Take(20))} (of 1..{expected})");
        Assert.True(extra.Length == 0, $"unexpected sequences: {string.Join(',', extra.Take(20))} (expected 1..{expected})");
        return string.Create(CultureInfo.InvariantCulture,
            $"events expected {expected}, received {events.Count} ({sequences.Length} distinct eventIds, {events.Count - sequences.Length} redelivered with the same eventId), one alarm, sequences 1..{expected} without gaps");
    }

    private static IEnumerable<long> LongRange(long first, long last)
    {
        for (var i = first; i <= last; i++)
            yield return i;
    }
}

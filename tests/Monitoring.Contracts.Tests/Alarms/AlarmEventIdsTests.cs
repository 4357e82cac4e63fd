namespace Monitoring.Contracts.Tests.Alarms;

public class AlarmEventIdsTests
{
    private static readonly Guid AlarmId = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");

    // Vectors computed outside .NET (Python: uuid.UUID(bytes=sha1(ns.bytes + pack('>q', seq)).digest()[:16], version=5)),
    // so that a consumer in another language can recompute eventId.
    [Theory]
    [InlineData(1L, "48456311-4991-5db6-a15b-0ca9001d6dab")]
    [InlineData(2L, "5f2fe610-6acb-5000-97a2-24e25e70421a")]
    [InlineData(-1L, "fb52b769-91e2-5ceb-89df-04a7abcbdfa8")]
    public void For_KnownAlarmAndSequence_MatchesIndependentUuidV5(long sequence, string expected) =>
        Assert.Equal(Guid.Parse(expected), AlarmEventIds.For(AlarmId, sequence));

    [Fact]
    public void For_SameInput_IsDeterministic() =>
        Assert.Equal(AlarmEventIds.For(AlarmId, 7), AlarmEventIds.For(AlarmId, 7));

    [Fact]
    public void For_DifferentSequenceOrAlarm_Differs()
    {
        var other = Guid.Parse("00000000-0000-0000-0000-000000000001");
        var ids = new HashSet<Guid>();
        for (var seq = 1L; seq <= 1000; seq++)
        {
            Assert.True(ids.Add(AlarmEventIds.For(AlarmId, seq)));
            Assert.True(ids.Add(AlarmEventIds.For(other, seq)));
        }
    }

    [Fact]
    public void For_Result_IsVersion5WithRfc4122Variant()
    {
        var bytes = AlarmEventIds.For(AlarmId, 42).ToByteArray(bigEndian: true);

        Assert.Equal(0x50, bytes[6] & 0xF0);
        Assert.Equal(0x80, bytes[8] & 0xC0);
        Assert.Equal(5, AlarmEventIds.For(AlarmId, 42).Version);
    }
}

using Monitoring.Ingestion.Pipeline;

namespace Monitoring.Ingestion.Tests.Pipeline;

public sealed class GatewayStateTests
{
    private static GatewayState NewGateway() => new("ENT", "gw01", new GatewayClock(TimeSpan.FromMinutes(10)));

    [Fact]
    public void AccountSequence_ConsecutiveSeqs_CountNothingLostOrDuplicated()
    {
        var gateway = NewGateway();
        for (ulong seq = 0; seq < 10; seq++)
            Assert.True(gateway.AccountSequence(seq, restartAllowed: false));

        Assert.Equal(0, gateway.LostMessages);
        Assert.Equal(0, gateway.DuplicateMessages);
        Assert.Equal(9UL, gateway.LastSeq);
    }

    [Fact]
    public void AccountSequence_Gap_CountsTheMissingMessagesAsLost()
    {
        var gateway = NewGateway();
        gateway.AccountSequence(5, restartAllowed: false);
        gateway.AccountSequence(9, restartAllowed: false);

        Assert.Equal(3, gateway.LostMessages);
    }

    [Fact]
    public void AccountSequence_RepeatedOrOlderSeq_IsADuplicate()
    {
        var gateway = NewGateway();
        gateway.AccountSequence(5, restartAllowed: false);

        Assert.False(gateway.AccountSequence(5, restartAllowed: false));
        Assert.False(gateway.AccountSequence(3, restartAllowed: false));
        Assert.Equal(2, gateway.DuplicateMessages);
        Assert.Equal(5UL, gateway.LastSeq);
    }

    [Fact]
    public void AccountSequence_RestartAfterOnline_IsARestartNotADuplicate()
    {
        var gateway = NewGateway();
        gateway.AccountSequence(500, restartAllowed: false);

        Assert.True(gateway.AccountSequence(0, restartAllowed: true));
        Assert.Equal(1, gateway.SequenceRestarts);
        Assert.Equal(0, gateway.DuplicateMessages);
        Assert.Equal(0UL, gateway.LastSeq);
    }

    [Fact]
    public void CountRejection_CountsPerReason()
    {
        var gateway = NewGateway();
        gateway.CountRejection("invalid_tag");
        gateway.CountRejection("invalid_tag");
        gateway.CountRejection("too_old");

        Assert.Equal(2, gateway.Rejections["invalid_tag"]);
        Assert.Equal(1, gateway.Rejections["too_old"]);
    }

    [Fact]
    public void ExpectIfUnknown_KnownGateway_KeepsItsLastSeenTime_UnknownGatewayIsRegistered()
    {
        var registry = new GatewayRegistry();
        registry.Get("ENT", "gw01").LastSeenAtMs = 100;

        registry.ExpectIfUnknown("ENT", "gw01", 500);
        registry.ExpectIfUnknown("ENT", "gw02", 500);

        Assert.Equal(100, registry.Get("ENT", "gw01").LastSeenAtMs);
        Assert.Equal(500, registry.Get("ENT", "gw02").LastSeenAtMs);
    }
}

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

    [Fact]
    public void Resolve_FromTheTopicsGatewayPart_FindsTheSameStateAsGet_AndAllocatesNothingOnceKnown()
    {
        var registry = new GatewayRegistry();
        var topic = "mon/v1/ENT/gw01/telemetry";
        var id = topic.AsSpan(7, "ENT/gw01".Length);

        var first = registry.Resolve(id, "ENT".Length);
        Assert.Same(first, registry.Get("ENT", "gw01"));
        Assert.Equal(("ENT", "gw01"), (first.Enterprise, first.Gateway));

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 1000; i++)
            Assert.Same(first, registry.Resolve(id, 3));
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void UsePartitions_EveryGatewayIsOwnedByExactlyThePartitionItHashesTo_AlsoThoseKnownBefore()
    {
        var registry = new GatewayRegistry();
        registry.Expect("ENT", "before", 0);
        registry.UsePartitions(4);
        for (var i = 0; i < 50; i++)
            registry.Get("ENT", $"gw{i:00}");

        var all = registry.All();
        Assert.Equal(51, all.Count);
        foreach (var gateway in all)
        {
            var partition = Partitioning.Of(gateway.Enterprise, gateway.Gateway, 4);
            Assert.Equal(partition, gateway.Partition);
            for (var p = 0; p < 4; p++)
                Assert.Equal(p == partition, registry.OwnedBy(p).Contains(gateway));
        }

        Assert.Equal(51, Enumerable.Range(0, 4).Sum(p => registry.OwnedBy(p).Count));
    }

    [Fact]
    public void RulesIn_IsLookedUpOncePerRuleSet_AndAgainForAReloadedOne()
    {
        const string Site = "enterprise: ENT\nindustry: steel\ngateways:\n  - id: gw01\n    points:\n      - tag: P\n";
        static Rules.Runtime.RuleSet Compile() =>
            Rules.Compilation.RuleCompiler.Compile([Rules.Configuration.SiteConfigurationParser.Parse(Site, "s.yaml").Site!]).RuleSet!;
        var gateway = NewGateway();
        var first = Compile();
        var reloaded = Compile();

        Assert.Same(first.FindGateway("ENT", "gw01"), gateway.RulesIn(first));
        Assert.Same(gateway.RulesIn(first), gateway.RulesIn(first));
        Assert.Same(reloaded.FindGateway("ENT", "gw01"), gateway.RulesIn(reloaded));
        Assert.Null(new GatewayState("ENT", "unconfigured", new GatewayClock(TimeSpan.FromMinutes(10))).RulesIn(first));
    }
}

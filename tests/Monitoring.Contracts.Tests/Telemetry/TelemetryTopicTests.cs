using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.Tests.Telemetry;

public class TelemetryTopicTests
{
    [Theory]
    [InlineData("mon/v1/91310000MA1FL4XQ3A/gw-01/telemetry", "mon/v1", "91310000MA1FL4XQ3A", "gw-01", TopicKind.Telemetry)]
    [InlineData("mon/v1/ENT/GW_2/status", "mon/v1", "ENT", "GW_2", TopicKind.Status)]
    [InlineData("a/b/c/d/ENT/GW/telemetry", "a/b/c/d", "ENT", "GW", TopicKind.Telemetry)]
    [InlineData("plant/ENT/GW/status", "plant", "ENT", "GW", TopicKind.Status)]
    [InlineData("ENT/GW/telemetry", "", "ENT", "GW", TopicKind.Telemetry)]
    public void TryParse_GatewayTopic_ReturnsIdentifiersAndKind(string topic, string root, string enterprise, string gateway, TopicKind kind)
    {
        Assert.True(TelemetryTopic.TryParse(topic, root, out var e, out var g, out var k));
        Assert.Equal((enterprise, gateway, kind), (e, g, k));
    }

    [Theory]
    [InlineData("mon/v1/ENT/GW/telemetry/extra")]
    [InlineData("mon/v1/ENT/GW/Telemetry")]
    [InlineData("mon/v1/ENT/GW/state")]
    [InlineData("mon/v1/ENT/telemetry")]
    [InlineData("mon/v1/ENT/GW/")]
    [InlineData("mon/v1//GW/telemetry")]
    [InlineData("mon/v1/ENT//telemetry")]
    [InlineData("mon/v1/E.NT/GW/telemetry")]
    [InlineData("mon/v1/ENT/G W/telemetry")]
    [InlineData("mon/v1/ENT/GW+/telemetry")]
    [InlineData("mon/v2/ENT/GW/telemetry")]
    [InlineData("mon/v1x/ENT/GW/telemetry")]
    [InlineData("x/mon/v1/ENT/GW/telemetry")]
    [InlineData("mon/v1")]
    [InlineData("mon/v1/")]
    [InlineData("")]
    public void TryParse_OtherTopic_ReturnsFalse(string topic)
    {
        Assert.False(TelemetryTopic.TryParse(topic, "mon/v1", out var e, out var g, out _));
        Assert.Equal(string.Empty, e);
        Assert.Equal(string.Empty, g);
    }

    [Fact]
    public void TryParse_IdentifierOf65Characters_ReturnsFalse()
    {
        var topic = "mon/v1/" + new string('E', 65) + "/GW/telemetry";

        Assert.False(TelemetryTopic.TryParse(topic, "mon/v1", out _, out _, out _));
        Assert.True(TelemetryTopic.TryParse(topic.Replace(new string('E', 65), new string('E', 64), StringComparison.Ordinal), "mon/v1", out _, out _, out _));
    }

    [Fact]
    public void TryParse_SpanForm_ReturnsRangesOfTheTopic()
    {
        const string topic = "mon/v1/ENT/GW/status";

        Assert.True(TelemetryTopic.TryParse(topic.AsSpan(), "mon/v1".AsSpan(), out var e, out var g, out var k));
        Assert.Equal("ENT", topic[e]);
        Assert.Equal("GW", topic[g]);
        Assert.Equal(TopicKind.Status, k);
    }

    [Fact]
    public void Builders_DefaultRoot_ProduceTheContractTopics()
    {
        Assert.Equal("mon/v1/+/+/telemetry", TelemetryTopic.TelemetryFilter(TelemetryTopic.DefaultRoot));
        Assert.Equal("mon/v1/+/+/status", TelemetryTopic.StatusFilter(TelemetryTopic.DefaultRoot));
        Assert.Equal("mon/v1/ENT/GW/telemetry", TelemetryTopic.Telemetry("mon/v1", "ENT", "GW"));
        Assert.Equal("mon/v1/ENT/GW/status", TelemetryTopic.Status("mon/v1", "ENT", "GW"));
    }

    [Fact]
    public void Builders_BuiltTopic_ParsesBack()
    {
        var topic = TelemetryTopic.Telemetry("a/b", "E-1", "G_2");

        Assert.True(TelemetryTopic.TryParse(topic, "a/b", out var e, out var g, out var k));
        Assert.Equal(("E-1", "G_2", TopicKind.Telemetry), (e, g, k));
    }

    [Fact]
    public void Builders_InvalidIdentifier_Throw()
    {
        Assert.Throws<ArgumentException>(() => TelemetryTopic.Telemetry("mon/v1", "E/1", "G"));
        Assert.Throws<ArgumentException>(() => TelemetryTopic.Status("mon/v1", "E", "+"));
    }
}

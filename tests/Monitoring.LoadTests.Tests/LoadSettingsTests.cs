namespace Monitoring.LoadTests.Tests;

public sealed class LoadSettingsTests
{
    [Fact]
    public void Parse_NoBrokerAutosave_UsesProductionLikeThirtySeconds()
    {
        // The tests' 1 s autosave rewrites Mosquitto's whole store every second: with a backlog that was 350 MB/s
        // of disk writes (docs/performance.md, Soak). A load run measures a production-like broker.
        var settings = LoadSettings.Parse(["soak", "--rate", "1000"]);

        Assert.Equal(30, settings.BrokerAutosaveSeconds);
        Assert.Equal("30", settings.Describe()["brokerAutosaveSeconds"]);
    }

    [Fact]
    public void Parse_BrokerAutosaveGiven_TakesIt()
    {
        var settings = LoadSettings.Parse(["run", "--broker-autosave", "1"]);

        Assert.Equal(1, settings.BrokerAutosaveSeconds);
    }
}

namespace Monitoring.LoadTests.Tests;

public sealed class LoadSettingsTests
{
    [Fact]
    public void Parse_NoBrokerAutosave_UsesProductionLikeThirtySeconds()
    {
        // The tests' 1 s autosave rewrites Mosquitto's whole store every second and stalls delivery once a
        // backlog builds (docs/performance.md, Soak): a load run must not measure that.
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

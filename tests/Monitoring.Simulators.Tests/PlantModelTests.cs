using Monitoring.Simulators.Plants;

namespace Monitoring.Simulators.Tests;

public sealed class PlantModelTests
{
    private static PlantDefinition Plant(string key) => PlantCatalog.Find(key)!;

    private static List<double> Trace(PlantModel model, string tag, int steps, double dt = 0.5)
    {
        var values = new List<double>();
        for (var i = 0; i < steps; i++)
        {
            model.Step(dt);
            values.Add(model.Value(tag));
        }

        return values;
    }

    [Fact]
    public void Step_SameSeed_SameSignals()
    {
        var a = Trace(new PlantModel(Plant("aluminium-casting"), seed: 42), "CAST1.MOULD.WATER.P", 200);
        var b = Trace(new PlantModel(Plant("aluminium-casting"), seed: 42), "CAST1.MOULD.WATER.P", 200);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Step_OtherSeed_OtherNoise()
    {
        var a = Trace(new PlantModel(Plant("aluminium-casting"), seed: 42), "CAST1.MOULD.WATER.P", 200);
        var b = Trace(new PlantModel(Plant("aluminium-casting"), seed: 43), "CAST1.MOULD.WATER.P", 200);

        Assert.NotEqual(a, b);
    }

    [Fact]
    public void Step_NoisyAnalog_VariesAroundItsNominalValue()
    {
        var values = Trace(new PlantModel(Plant("steel"), seed: 1), "BF1.TOP.P", 600, dt: 1);

        Assert.True(values.Distinct().Count() > 100, "noise makes the readings differ");
        Assert.InRange(values.Average(), 205, 215);
    }

    [Theory]
    [InlineData("aluminium-casting", "CAST1.MOULD.WATER.P", 0.17, double.MaxValue)]
    [InlineData("aluminium-casting", "CAST1.MOULD.WATER.Q", 102, double.MaxValue)]
    [InlineData("aluminium-casting", "CAST1.LAUNDER.LEVEL", 90, 110)]
    [InlineData("steel", "BOF1.LANCE.WATER.DQ", double.MinValue, 5.4)]
    [InlineData("steel", "BOF1.CO.AT01", double.MinValue, 24)]
    [InlineData("dust", "DC1.DP", 800, 1200)]
    [InlineData("dust", "WC1.H2", double.MinValue, 25)]
    public void Step_QuietPlantForAnHour_StaysInsideTheDemoLimits(string plant, string tag, double low, double high)
    {
        var values = Trace(new PlantModel(Plant(plant), seed: 5), tag, 3600, dt: 1);

        Assert.All(values, v => Assert.InRange(v, low, high));
    }

    [Fact]
    public void RampRelative_ThirtyPercentOverTwoSeconds_ReachesSeventyPercentAndHolds()
    {
        var model = new PlantModel(Plant("aluminium-casting"), seed: 3);
        var start = model.Value("CAST1.MOULD.WATER.P");

        model.RampRelative("CAST1.MOULD.WATER.P", -30, 2);
        var halfway = Trace(model, "CAST1.MOULD.WATER.P", 2)[^1];
        var end = Trace(model, "CAST1.MOULD.WATER.P", 10)[^1];

        Assert.InRange(halfway, (start * 0.85) - 0.006, (start * 0.85) + 0.006);
        Assert.InRange(end, (start * 0.7) - 0.006, (start * 0.7) + 0.006);
    }

    [Fact]
    public void Restore_AfterARamp_ReturnsToTheModel()
    {
        var model = new PlantModel(Plant("dust"), seed: 3);
        model.Ramp("DC1.INLET.TEMP", 80, 1);
        Trace(model, "DC1.INLET.TEMP", 10);

        model.Restore("DC1.INLET.TEMP", 2);
        var after = Trace(model, "DC1.INLET.TEMP", 10);

        Assert.InRange(after[^1], 32, 38);
    }

    [Fact]
    public void Phase_Shutdown_MovesSignalsToTheirShutdownValues()
    {
        var model = new PlantModel(Plant("aluminium-casting"), seed: 3);
        Assert.Equal(0, model.Value("CAST1.FAST_CUTOFF.CLOSED"));
        Assert.Equal(2, model.Value("CAST1.PHASE"));

        model.Phase = PlantPhase.Shutdown;
        var tilt = Trace(model, "CAST1.FURNACE.TILT", 400);

        Assert.Equal(1, model.Value("CAST1.FAST_CUTOFF.CLOSED"));
        Assert.Equal(3, model.Value("CAST1.PHASE"));
        Assert.InRange(tilt[^1], 0, 4);
    }

    [Fact]
    public void Step_CastLength_GrowsAtTheCastingSpeed()
    {
        var model = new PlantModel(Plant("aluminium-casting"), seed: 3);
        var before = model.Value("CAST1.LENGTH");

        Trace(model, "CAST1.LENGTH", 120);

        Assert.Equal(before + 66, model.Value("CAST1.LENGTH"), 1);
    }

    [Fact]
    public void Step_LanceLeak_RaisesTheFlowDifferenceAndLowersTheOutletFlow()
    {
        var model = new PlantModel(Plant("steel"), seed: 3);
        var outletBefore = model.Value("BOF1.LANCE.WATER.QOUT");

        model.Ramp("BOF1.LANCE.WATER.DQ", 12, 1);
        Trace(model, "BOF1.LANCE.WATER.DQ", 5);

        Assert.InRange(model.Value("BOF1.LANCE.WATER.DQ"), 11, 13);
        Assert.InRange(outletBefore - model.Value("BOF1.LANCE.WATER.QOUT"), 8, 14);
    }

    [Fact]
    public void MarkBad_ForFiveSeconds_BadThenGoodAgain()
    {
        var model = new PlantModel(Plant("dust"), seed: 3);

        model.MarkBad("WC1.H2", 5);
        Trace(model, "WC1.H2", 4, dt: 1);
        Assert.True(model.IsBad("WC1.H2"));
        Trace(model, "WC1.H2", 2, dt: 1);

        Assert.False(model.IsBad("WC1.H2"));
    }
}

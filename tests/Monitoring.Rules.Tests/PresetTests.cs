using Monitoring.Rules.Compilation.Presets;

namespace Monitoring.Rules.Tests;

/// <summary>Every preset fires on the sequence it exists for and stays quiet on a near miss.</summary>
public class PresetTests
{
    // id, instance settings (YAML flow mappings), the firing script, the stage that must raise, the near-miss script.
    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        { "CO_AMBIENT", "signals: { value: CO1 }", "CO1=30@0; CO1=30@5000", "H", "CO1=30@0; CO1=20@4000; CO1=30@5000" },
        { "DETECTOR_OFFLINE_OR_FAULT", "signals: { value: CO1 }\n  parameters: { period: 10s }", "CO1=5@0; tick@59999; tick@60000", "NO_DATA", "CO1=5@0; CO1=5@50000; tick@100000" },
        { "INTERLOCK_BYPASSED", "signals: { interlock: IL, running: RUN }", "RUN=1@0; IL=0@1000", "STATE", "RUN=0@0; IL=0@1000" },
        { "LANCE_COOLING_DQ", "signals: { inlet: QI, outlet: QO, blowing: BL }", "BL=1@0; QI=180@0; QO=170@0; QI=180@2000", "HH", "BL=1@0; QI=180@0; QO=176@0; QI=180@2000" },
        { "LANCE_COOLING_TOUT", "signals: { value: TO }", "TO=56@0; TO=56@3000", "HH", "TO=49@0; TO=49@3000" },
        { "LANCE_FLOW_OR_O2_LOW", "signals: { flow: Q, oxygen: OX }\n  parameters: { nominalFlow: 180, nominalOxygen: 0.9 }", "Q=150@0; Q=150@2000", "FLOW_L", "Q=160@0; Q=160@2000; OX=0.8@0; OX=0.8@2000" },
        { "LANCE_TRIP_NOT_EXECUTED", "signals: { trip: TR, lanceRaised: LR }", "LR=0@0; TR=1@1000; tick@6000", "NOT_EXECUTED", "LR=0@0; TR=1@1000; LR=1@4000; tick@7000" },
        { "BF_TOP_PRESSURE", "signals: { value: P }\n  parameters: { designMax: 250 }", "P=240@0; P=240@2000", "H", "P=236@0; P=236@2000" },
        { "BF_RELIEF_SETPOINT_CHECK", "parameters: { reliefSetpoint: 260, designPressure: 250 }", "", "RELIEF_STATIC", "" },
        { "GAS_DRAINER_SEAL", "signals: { pressure: GP }\n  parameters: { sealRating: 40 }", "GP=33@0; GP=33@5000", "H", "GP=30@0; GP=30@5000" },
        { "DC_MOULD_WATER_PRESSURE", "signals: { pressure: MP, casting: CS }\n  parameters: { recipe: 0.2 }", "CS=1@0; MP=0.2@0; MP=0.15@1000", "FALL", "CS=0@0; MP=0.2@0; MP=0.1@1000" },
        { "DC_MOULD_WATER_FLOW", "signals: { flow: MQ, casting: CS }\n  parameters: { recipe: 120 }", "CS=1@0; MQ=120@0; MQ=80@1000", "LL", "CS=1@0; MQ=120@0; MQ=110@1000; MQ=104@3500" },
        { "DC_LAUNDER_LEVEL", "signals: { level: LV, casting: CS, castLength: CL }\n  parameters: { setpoint: 100 }", "CS=1@0; CL=400@0; LV=100@0; LV=125@600; LV=125@1200", "HH", "CS=1@0; CL=200@0; LV=100@0; LV=125@600; LV=125@1200" },
        { "DC_TRIP_ACTUATION_VERIFY", "signals: { trip: TR, cutOff: CV, discharge: DV }", "CV=0@0; DV=0@0; TR=1@1000; CV=1@2000; tick@4500", "NOT_EXECUTED", "CV=0@0; DV=0@0; TR=1@1000; CV=1@2000; DV=1@3000; tick@5000" },
        { "DC_SAFETY_SETPOINT_ENVELOPE", "parameters: { configured: 0.12, envelopeLow: 0.14, envelopeHigh: 0.18 }", "", "LOW_STATIC", "" },
        { "DC_MODE_AND_SELFTEST", "signals: { casting: CS, auto: AU }", "AU=0@0; CS=1@1000", "AUTO_STATE", "AU=1@0; CS=1@1000" },
        { "FURNACE_COOLING_CLOSED_OPEN", "signals: { outletTemp: FT, inlet: FQI, outlet: FQO }", "FQI=100@0; FQO=94@0; FQI=100@2000", "DQ_HH", "FT=40@0; FQI=100@0; FQO=98@0; FQI=100@2000" },
        { "EMERGENCY_WATER_READY", "signals: { level: EL }\n  parameters: { levelMin: 3 }", "EL=2.5@0; EL=2.5@10000", "LEVEL_L", "EL=2.5@0; EL=3.5@5000; EL=2.5@9000; EL=2.5@10000" },
        { "GAS_HEADER_PRESSURE", "signals: { pressure: HP, shutOffClosed: SV }\n  parameters: { low: 5, high: 15 }", "SV=0@0; HP=10@0; HP=3@1000; tick@4000", "SHUTOFF_NOT_EXECUTED", "SV=0@0; HP=10@0; HP=3@1000; SV=1@1500; HP=6@1800; tick@5000" },
        { "DUST_DP_DEVIATION", "signals: { dp: DP, bagChange: BC }\n  parameters: { learnFor: 10m }", "BC=1@0; DP=1000@0; DP=1000@300000; DP=1000@599000; DP=1300@600000; DP=1300@660000", "H", "BC=1@0; DP=1000@0; DP=1000@300000; DP=1000@599000; DP=1150@600000; DP=1150@660000" },
        { "DUST_INLET_OR_HOPPER_TEMP", "signals: { inlet: IT }", "IT=72@0", "INLET_HH", "IT=68@0" },
        { "DUST_AIRLOCK_FAULT", "signals: { fault: AF }", "AF=1@0; AF=1@10000", "FAULT_STATE", "AF=1@0; AF=0@5000; AF=0@10000" },
        { "WET_COLLECTOR_WATER", "signals: { level: WL, flow: WF }\n  parameters: { levelTrip: 0.8, flowTrip: 8 }", "WF=7@0; WF=7@5000", "FLOW_LL", "WL=1@0; WF=9@0; WF=9@5000" },
        { "H2_ACCUMULATION", "signals: { h2: H2 }", "H2=30@0", "H", "H2=20@0" },
        { "SPARK_DETECTION", "signals: { sparks: SP }", "SP=1@0; SP=0@1000; SP=1@2000; SP=0@3000; SP=1@4000", "COUNT", "SP=1@0; SP=1@2000; SP=1@61000" },
    };

    private static Plant Instance(string id, string settings) => Plant.Load($"- preset: {id}\n  {settings}");

    private static string[] Raised(Plant plant, string[] transitions)
        => [.. transitions.Where(t => t.StartsWith("Raised", StringComparison.Ordinal)).Select(t => t.Split(' ', '@')[1]), .. plant.RuleSet.StaticViolations.Select(c => c.Stage!)];

    [Theory]
    [MemberData(nameof(Cases))]
    public void Preset_TriggeringSequence_RaisesItsCondition(string id, string settings, string firing, string stage, string nearMiss)
    {
        _ = nearMiss;
        var plant = Instance(id, settings);

        var raised = Raised(plant, plant.Run(firing));

        Assert.Contains(stage, raised);
        var condition = plant.Condition(stage);
        Assert.Equal(id, condition.RuleId);
        Assert.True(RulePresets.TryGet(id, out var preset));
        Assert.Equal(preset.Clause, condition.Clause);
        Assert.Equal(preset.MajorHazard, condition.MajorHazard);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Preset_NearMiss_StaysQuiet(string id, string settings, string firing, string stage, string nearMiss)
    {
        _ = firing;
        _ = stage;
        var plant = Instance(id, settings.Replace("260", "240").Replace("configured: 0.12", "configured: 0.15"));

        Assert.Empty(Raised(plant, plant.Run(nearMiss)));
    }

    [Fact]
    public void Presets_Catalogue_HasTheTwentyFiveDomainPresetsWithClauses()
    {
        Assert.Equal(25, RulePresets.All.Count);
        Assert.Equal(25, Cases.Count);
        Assert.All(RulePresets.All, p => Assert.False(string.IsNullOrWhiteSpace(p.Clause)));
        Assert.Equal(RulePresets.All.Count, RulePresets.All.Select(p => p.Id).Distinct().Count());
    }
}

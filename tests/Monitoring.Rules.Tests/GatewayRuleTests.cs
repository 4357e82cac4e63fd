using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Runtime;

namespace Monitoring.Rules.Tests;

public class GatewayRuleTests
{
    [Fact]
    public void Limit_GateClosed_SuppressedVisibleAndCounted()
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { l: 10 }");

        Assert.Empty(plant.Run("RUN=0@0; P=5@1000"));
        var low = plant.Condition("L");
        Assert.True(plant.Gateway.IsSuppressedByMode(low));
        Assert.Equal(1, plant.Gateway.SuppressedCount);

        Assert.Equal(["Raised L@2000"], plant.Run("RUN=1@2000"));
        Assert.False(plant.Gateway.IsSuppressedByMode(low));
    }

    [Fact]
    public void Limit_GateClosesWhileActive_ClearsByDesign()
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { l: 10 }");

        Assert.Equal(["Raised L@0", "Cleared L@1000"], plant.Run("RUN=1@0; P=5@0; RUN=0@1000"));
        Assert.True(plant.Gateway.IsSuppressedByMode(plant.Condition("L")));
    }

    [Fact]
    public void Limit_OnDelayMaturesOnTick_WithoutNewReading()
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P }\n  parameters: { h: 10, onDelay: 2s, offDelay: 1s }");

        Assert.Empty(plant.Run("P=12@0; tick@1999"));
        Assert.Equal(["Raised H@2000"], plant.Run("tick@2500"));
        Assert.Equal(["Cleared H@4000"], plant.Run("P=5@3000; tick@4100"));
    }

    [Fact]
    public void Tick_WithReadingsQueued_DoesNotMatureADelayByExtrapolation()
    {
        // Found by the model-based fault test: a worker behind on its queue ticked a gateway whose next readings
        // (out of alarm) were still queued, matured the on-delay by sample and hold, and raised a false alarm.
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P }\n  parameters: { h: 10, onDelay: 2s, offDelay: 1s }");

        Assert.Empty(plant.Run("P=12@0; tick-queued@2500"));
        Assert.Empty(plant.Run("P=5@250; tick@2500"));
        Assert.Equal(["Raised H@2500"], plant.Run("P=12@500; tick-queued@2500; P=12@2500"));
    }

    [Fact]
    public void Tick_GatewayClockSkewed_UsesGatewayTimePlusElapsedServerTime()
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P }\n  parameters: { h: 10, onDelay: 2s }");

        // The gateway's clock is an hour behind the server: the reading at 0 arrives at server time 3 600 000.
        Assert.Empty(plant.Run("P=12@0>3600000; tick@3601000"));
        Assert.Equal(["Raised H@2000"], plant.Run("tick@3602000"));
    }

    [Theory]
    [InlineData("type: difference\n  signals: { a: QI, b: QO }\n  parameters: { h: 5 }", "QI=100@0; QO=96@0", "QO=94@1000", "H")]
    [InlineData("type: difference\n  signals: { a: QI, b: QO }\n  parameters: { h: 5, percent: true }", "QI=200@0; QO=191@0", "QO=189@1000", "H")]
    [InlineData("type: ratio\n  signals: { a: QI, b: QO }\n  parameters: { h: 1.1 }", "QI=100@0; QO=100@0", "QO=90@1000", "H")]
    [InlineData("type: state\n  signals: { value: IL }", "IL=1@0", "IL=0@1000", "STATE")]
    [InlineData("type: voting\n  signals: { input1: C1, input2: C2, input3: C3 }\n  parameters: { setpoint: 160, votes: 2 }", "C1=200@0; C2=10@0; C3=10@0", "C3=170@1000", "VOTE")]
    [InlineData("type: deviation\n  signals: { value: P }\n  parameters: { reference: 0.2, l: 85 }", "P=0.18@0", "P=0.169@1000", "L")]
    public void TwoSignalsStateVotingDeviation_CrossTheLimit_Raise(string rule, string before, string crossing, string stage)
    {
        var plant = Plant.Load("- id: R\n  " + rule);

        Assert.Empty(plant.Run(before));
        Assert.Equal([$"Raised {stage}@1000"], plant.Run(crossing));
    }

    [Fact]
    public void Voting_BadInput_DoesNotVote()
    {
        var plant = Plant.Load("- id: R\n  type: voting\n  signals: { input1: C1, input2: C2 }\n  parameters: { setpoint: 160, votes: 2 }");
        Assert.Equal(["Raised VOTE@0"], plant.Run("C1=200@0; C2=200@0"));

        Assert.Equal(["Cleared VOTE@1000"], plant.Run("bad:C2@1000; C1=199@1000"));
    }

    [Fact]
    public void Deviation_Baseline_LearntAfterReset()
    {
        var plant = Plant.Load("- id: R\n  type: deviation\n  signals: { value: DP, reset: BC }\n  parameters: { learnFor: 1m, h: 120, l: 80 }");

        Assert.Empty(plant.Run("BC=1@0; DP=900@0; DP=1100@30000; DP=1000@59999"));
        Assert.Equal(["Raised H@60000"], plant.Run("DP=1300@60000"));
        Assert.Equal(["Cleared H@61000", "Raised L@61000"], plant.Run("DP=700@61000"));
    }

    [Fact]
    public void RateOfChange_FallWithinWindow_RaisesAndClearsWhenWindowExpiresOnTick()
    {
        var plant = Plant.Load("- id: R\n  type: rateOfChange\n  signals: { value: P }\n  parameters: { window: 2s, fallPercent: 20 }");

        Assert.Empty(plant.Run("P=100@0; P=90@1000; P=85@2500"));
        Assert.Equal(["Raised FALL@2900"], plant.Run("P=70@2900"));
        Assert.Equal(["Cleared FALL@5000"], plant.Run("tick@5000"));
    }

    [Fact]
    public void RateOfChange_SlowFall_StaysQuiet()
    {
        var plant = Plant.Load("- id: R\n  type: rateOfChange\n  signals: { value: P }\n  parameters: { window: 2s, fallPercent: 20, fallRate: 10 }");

        Assert.Empty(plant.Run("P=100@0; P=90@2000; P=81@4000; P=73@6000; tick@9000"));
    }

    [Fact]
    public void CountInWindow_CumulativeCounter_CountsIncreasesAndExpires()
    {
        var plant = Plant.Load("- id: R\n  type: countInWindow\n  signals: { value: N }\n  parameters: { window: 60s, count: 3, counter: true }");

        Assert.Empty(plant.Run("N=10@0; N=11@1000; N=12@2000"));
        Assert.Equal(["Raised COUNT@3000"], plant.Run("N=13@3000"));
        Assert.Equal(["Cleared COUNT@61000"], plant.Run("tick@61000"));
    }

    [Fact]
    public void CauseEffect_EffectInTime_Quiet_EffectLate_RaisesAtDeadlineThenClears()
    {
        var plant = Plant.Load("- id: R\n  type: causeEffect\n  signals: { cause: TR, effect1: V }\n  parameters: { within: 3s }");

        Assert.Empty(plant.Run("V=0@0; TR=1@1000; V=1@3900; tick@9000; TR=0@10000; V=0@10000"));
        Assert.Empty(plant.Run("TR=1@20000; tick@22999"));
        Assert.Equal(["Raised NOT_EXECUTED@23000"], plant.Run("tick@23500"));
        Assert.Equal(["Cleared NOT_EXECUTED@24000"], plant.Run("V=1@24000"));
    }

    [Fact]
    public void NoData_ComparesServerClockWithArrival_NotEventTime()
    {
        var plant = Plant.Load("- id: R\n  type: noData\n  signals: { value: P }\n  parameters: { timeout: 30s }");

        // Event timestamps a day old (skewed gateway) but arriving now: data is flowing.
        Assert.Empty(plant.Run("P=1@0>86400000; tick@86429999"));
        Assert.Equal(["Raised NO_DATA@86430000"], plant.Run("tick@86431000"));
        Assert.Equal(["Cleared NO_DATA@86440000"], plant.Run("bad:P@5000>86440000"));
    }

    [Fact]
    public void NoData_NeverReceived_CountsFromFirstTick()
    {
        var plant = Plant.Load("- id: R\n  type: noData\n  signals: { value: P }\n  parameters: { period: 5s, minimum: 10s }");

        Assert.Empty(plant.Run("tick@1000; tick@15999"));
        Assert.Equal(["Raised NO_DATA@16000"], plant.Run("tick@16000"));
    }

    [Fact]
    public void SensorHealth_BadQualityLasts_RaisesOnTick_GoodReadingClears()
    {
        var plant = Plant.Load("- id: R\n  type: sensorHealth\n  signals: { value: P }\n  parameters: { badFor: 10s, rangeLow: 0, rangeHigh: 100 }");

        Assert.Empty(plant.Run("P=5@0; bad:P@1000; bad:P@5000; tick@10999"));
        Assert.Equal(["Raised BAD_QUALITY@11000"], plant.Run("tick@11000"));
        Assert.Equal(["Cleared BAD_QUALITY@12000", "Raised OUT_OF_RANGE@12000"], plant.Run("P=120@12000"));
        Assert.Equal(["Cleared OUT_OF_RANGE@13000"], plant.Run("P=50@13000"));
    }

    [Fact]
    public void SensorHealth_FlatLineOnlyWhileRunning()
    {
        var plant = Plant.Load("- id: R\n  type: sensorHealth\n  signals: { value: P, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { flatFor: 1m, flatTolerance: 0.1 }");

        // The running bit is reported with the value: a gate signal that stops reporting would re-arm the check (fail safe).
        Assert.Empty(plant.Run("RUN=0@0; P=5@0; RUN=0@100000; P=5@100000; tick@200000"));
        Assert.Empty(plant.Run("RUN=1@200000; P=5.05@230000; tick@259999"));
        Assert.Equal(["Raised FLATLINE@260000"], plant.Run("tick@261000"));
        Assert.Equal(["Cleared FLATLINE@262000"], plant.Run("P=6@262000"));
    }

    [Fact]
    public void SetpointCheck_Violation_ListedAsStaticViolation()
    {
        var plant = Plant.Load("- id: R\n  type: setpointCheck\n  parameters: { setpoint: 260, maximum: 250 }");

        var violation = Assert.Single(plant.RuleSet.StaticViolations);
        Assert.Equal("E1/gw01/@config/R/STATIC", violation.Key);
        Assert.Empty(violation.Tags);
        Assert.Contains(violation, plant.RuleSet.Conditions);
        Assert.Empty(Plant.Load("- id: R\n  type: setpointCheck\n  parameters: { setpoint: 240, maximum: 250 }").RuleSet.StaticViolations);
    }

    // A rule set restored after a restart: the active condition raises nothing new and clears by its own logic.
    [Theory]
    [InlineData("type: limit\n  signals: { value: P }\n  parameters: { h: 10 }", "H", "P", "P=12@0", "P=5@1000")]
    [InlineData("type: state\n  signals: { value: P }", "STATE", "P", "P=0@0", "P=1@1000")]
    [InlineData("type: difference\n  signals: { a: P, b: Q }\n  parameters: { h: 10 }", "H", "Q", "P=20@0; Q=5@0", "Q=15@1000")]
    [InlineData("type: ratio\n  signals: { a: P, b: Q }\n  parameters: { h: 2 }", "H", "P", "P=20@0; Q=5@0", "Q=15@1000")]
    [InlineData("type: deviation\n  signals: { value: P }\n  parameters: { reference: 10, h: 120 }", "H", "P", "P=13@0", "P=10@1000")]
    [InlineData("type: rateOfChange\n  signals: { value: P }\n  parameters: { window: 1s, fallPercent: 20 }", "FALL", "P", "P=10@0; P=5@500", "P=5@3000")]
    [InlineData("type: countInWindow\n  signals: { value: P }\n  parameters: { window: 1s, count: 1 }", "COUNT", "P", "P=1@0", "P=0@3000")]
    [InlineData("type: voting\n  signals: { input1: P, input2: Q }\n  parameters: { setpoint: 5, votes: 2 }", "VOTE", "Q", "P=9@0; Q=9@0", "Q=1@1000")]
    [InlineData("type: causeEffect\n  signals: { cause: P, effect1: Q }\n  parameters: { within: 1s }", "NOT_EXECUTED", "P", "Q=0@0; P=1@0; tick@1500", "Q=1@2000")]
    [InlineData("type: noData\n  signals: { value: P }\n  parameters: { timeout: 10s }", "NO_DATA", "P", "tick@0; tick@20000", "P=1@21000")]
    [InlineData("type: sensorHealth\n  signals: { value: P }\n  parameters: { badFor: 1s }", "BAD_QUALITY", "P", "bad:P@0; bad:P@2000", "P=1@3000")]
    public void RestoreActive_EveryRuleType_NoSecondRaise_ClearsWhenNormal(string rule, string stage, string tag, string alarming, string normal)
    {
        var plant = Plant.Load("- id: R\n  " + rule);
        var condition = plant.Condition(stage);
        Assert.Contains(tag, condition.Tags);

        // What the service does at start: restore through every tag of the condition.
        foreach (var t in condition.Tags)
        {
            Assert.True(plant.Sensor(t).RestoreActive(condition));
        }

        Assert.True(plant.Sensor(tag).IsActive(condition));
        Assert.True(plant.Gateway.IsActive(condition));
        Assert.DoesNotContain(plant.Run(alarming), t => t.StartsWith($"Raised {stage}@", StringComparison.Ordinal));
        Assert.Contains(plant.Run(normal + "; tick@30000"), t => t.StartsWith($"Cleared {stage}@", StringComparison.Ordinal));
        Assert.False(plant.Gateway.IsActive(condition));
    }

    [Fact]
    public void EvaluateBadQuality_Duplicate_ReportedAndNotRestarted()
    {
        var plant = Plant.Load("- id: R\n  type: sensorHealth\n  signals: { value: P }\n  parameters: { badFor: 1s }");
        var transitions = new List<AlarmTransition>();
        var sensor = plant.Sensor("P");

        Assert.Equal(EvaluationOutcome.Evaluated, sensor.Evaluate(Plant.T0, 1, PointQuality.Good, transitions, Plant.T0));
        Assert.Equal(EvaluationOutcome.SkippedBadQuality, sensor.EvaluateBadQuality(Plant.T0 + 10, Plant.T0 + 10, transitions));
        Assert.Equal(EvaluationOutcome.Duplicate, sensor.EvaluateBadQuality(Plant.T0, Plant.T0 + 20, transitions));
        Assert.Equal(EvaluationOutcome.SkippedBadQuality, sensor.Evaluate(Plant.T0 + 1010, double.NaN, PointQuality.Bad, transitions, Plant.T0 + 1010));
        Assert.Equal("BAD_QUALITY", Assert.Single(transitions).Condition.Stage);
    }
}

public class PointLimitTickTests
{
    private static (GatewayRules Gateway, SensorRules Sensor) Build()
    {
        var rule = new Monitoring.Rules.Configuration.LimitRuleConfiguration { Id = "R1", High = 80, Deadband = 1, OnDelay = TimeSpan.FromSeconds(2), OffDelay = TimeSpan.FromSeconds(3) };
        var ruleSet = TestSites.Compile(TestSites.Site("test.yaml", TestSites.Enterprise, TestSites.Gateway_(TestSites.Gateway, default, TestSites.Point(TestSites.Tag, rule))));
        var gateway = ruleSet.FindGateway(TestSites.Enterprise, TestSites.Gateway)!;
        Assert.True(gateway.TryGetSensor(TestSites.Tag, out var sensor));
        return (gateway, sensor);
    }

    [Fact]
    public void Tick_PointLimitOnDelayAndOffDelay_MatureWithoutReading()
    {
        var (gateway, sensor) = Build();
        var transitions = new List<AlarmTransition>();

        sensor.Evaluate(Plant.T0, 85, PointQuality.Good, transitions, Plant.T0);
        gateway.Tick(Plant.T0 + 1999, transitions);
        Assert.Empty(transitions);
        gateway.Tick(Plant.T0 + 2500, transitions);
        var raised = Assert.Single(transitions);
        Assert.Equal((AlarmTransitionKind.Raised, Plant.T0 + 2000, 85d), (raised.Kind, raised.OccurredAtMs, raised.Value));

        transitions.Clear();
        sensor.Evaluate(Plant.T0 + 3000, 70, PointQuality.Good, transitions, Plant.T0 + 3000);
        gateway.Tick(Plant.T0 + 6000, transitions);
        Assert.Equal((AlarmTransitionKind.Cleared, Plant.T0 + 6000), (Assert.Single(transitions).Kind, transitions[0].OccurredAtMs));
    }

    [Fact]
    public void Tick_PointLatestReadingBad_DelayDoesNotMature()
    {
        var (gateway, sensor) = Build();
        var transitions = new List<AlarmTransition>();

        sensor.Evaluate(Plant.T0, 85, PointQuality.Good, transitions, Plant.T0);
        sensor.Evaluate(Plant.T0 + 500, 85, PointQuality.Bad, transitions, Plant.T0 + 500);
        gateway.Tick(Plant.T0 + 5000, transitions);

        Assert.Empty(transitions);
    }
}

using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Runtime;

namespace Monitoring.Rules.Tests;

/// <summary>
/// Mode gates fail safe (docs/rules.md, "Mode gating and suppression"): a gate signal that is bad, stale or never seen
/// keeps the gated rules armed and raises MODE_SIGNAL_UNAVAILABLE; only an available signal below its threshold
/// disarms, and the clear it causes says so.
/// </summary>
public class FailSafeGateTests
{
    private const string Gated = "- id: R\n  type: limit\n  signals: { value: P, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { l: 10 }";
    private const string Diagnostic = DiagnosticRuleIds.ModeSignalUnavailable;

    private static Plant Load(string extra = "", params string[] extraTags) => Plant.Load(Gated + extra, extraTags);

    [Fact]
    public void NeverSeenGate_RuleArmedAtOnce_DiagnosticOnlyAfterStaleTime()
    {
        var plant = Load();

        Assert.Equal(["Raised L@0"], plant.Run("P=5@0"));
        Assert.False(plant.Gateway.IsSuppressedByMode(plant.Condition("L")));

        // The gateway has reported for less than the stale time (60 s by default): a gate that has not reported yet is not reported.
        Assert.Empty(plant.Run("P=5@59000; tick@59500"));
        Assert.Equal([$"Raised {Diagnostic}@60000"], plant.Run("P=5@60000; tick@60100"));

        // A good reading of the gate clears the diagnostic; the gate is open (1 >= 1), the alarm stays.
        Assert.Equal([$"Cleared {Diagnostic}@61000"], plant.Run("RUN=1@61000"));
        Assert.True(plant.Gateway.IsActive(plant.Condition("L")));
    }

    [Fact]
    public void NeverSeenGate_GatewaySilent_NoDiagnostic()
    {
        var plant = Load();

        // Nothing at all from the gateway: gateway silence and no-data rules report that, not one diagnostic per gate.
        Assert.Empty(plant.Run("tick@0; tick@120000; tick@600000"));
    }

    [Fact]
    public void BadGate_ReArmsAClosedGateAtOnce_AndRaisesDiagnostic()
    {
        var plant = Load();

        Assert.Empty(plant.Run("RUN=0@0; P=5@0"));
        Assert.True(plant.Gateway.IsSuppressedByMode(plant.Condition("L")));

        Assert.Equal(["Raised L@1000", $"Raised {Diagnostic}@1000"], plant.Run("bad:RUN@1000"));
        Assert.False(plant.Gateway.IsSuppressedByMode(plant.Condition("L")));

        // A good value below the threshold closes the gate again: a clear by design, marked as such.
        Assert.Equal(["Cleared L@2000", $"Cleared {Diagnostic}@2000"], plant.Run("RUN=0@2000"));
        Assert.Equal([ClearCause.ModeGate, ClearCause.Normal], plant.Transitions.Select(t => t.Cause));
    }

    [Fact]
    public void BadGate_WhileArmed_AlarmStays_DiagnosticRaised()
    {
        var plant = Load();

        Assert.Equal(["Raised L@0"], plant.Run("RUN=1@0; P=5@0"));
        Assert.Equal([$"Raised {Diagnostic}@1000"], plant.Run("bad:RUN@1000; P=5@1500"));
        Assert.True(plant.Gateway.IsActive(plant.Condition("L")));
        Assert.True(double.IsNaN(plant.Transitions[0].Value));
    }

    [Fact]
    public void StaleGate_ValueKeepsReporting_ReArmsAndRaisesDiagnostic_ClearedWhenFresh()
    {
        var plant = Load();

        Assert.Empty(plant.Run("RUN=0@0; P=5@0; P=5@30000; P=5@59999; tick@59999"));
        Assert.Equal(["Raised L@60000"], plant.Run("P=5@60000"));
        Assert.Equal([$"Raised {Diagnostic}@60000"], plant.Run("tick@60100"));
        Assert.Equal(0, plant.Transitions[0].Value);

        Assert.Equal(["Cleared L@61000", $"Cleared {Diagnostic}@61000"], plant.Run("RUN=0@61000"));
        Assert.Equal(ClearCause.ModeGate, plant.Transitions[0].Cause);
    }

    [Fact]
    public void StaleGate_OtherPointsReport_RuleReArmedOnTheTimer()
    {
        var plant = Load("", "X");

        // The gated value and its gate report once (by exception), another point of the gateway keeps reporting.
        Assert.Empty(plant.Run("RUN=0@0; P=5@0; X=1@30000; X=1@59999; tick@59999"));
        Assert.Equal(["Raised L@60500", $"Raised {Diagnostic}@60000"], plant.Run("X=1@60000; tick@60500"));
    }

    [Fact]
    public void GateStaleAfter_Configured_ShorterOrNever()
    {
        var shorter = Load("\n  gateStaleAfter: 10s");
        Assert.Empty(shorter.Run("RUN=0@0; P=5@0; P=5@9999"));
        Assert.Equal(["Raised L@10000", $"Raised {Diagnostic}@10000"], shorter.Run("P=5@10000; tick@10000"));

        var never = Load("\n  gateStaleAfter: 0");
        Assert.Empty(never.Run("RUN=0@0; P=5@0; P=5@3600000; tick@3600000"));
        Assert.True(never.Gateway.IsSuppressedByMode(never.Condition("L")));
    }

    [Fact]
    public void GateStaleAfterZero_NeverSeenGate_StillReportedAfterDefault()
    {
        var plant = Load("\n  gateStaleAfter: 0");

        Assert.Equal(["Raised L@0"], plant.Run("P=5@0; P=5@59999; tick@59999"));
        Assert.Equal([$"Raised {Diagnostic}@60000"], plant.Run("P=5@60000; tick@60000"));
    }

    [Fact]
    public void UncertainGate_IsAvailable_ClosesTheGate()
    {
        var plant = Load();
        var transitions = new List<AlarmTransition>();

        plant.Sensor("RUN").Evaluate(Plant.T0, 0, PointQuality.Uncertain, transitions);
        plant.Sensor("P").Evaluate(Plant.T0, 5, PointQuality.Good, transitions);

        Assert.Empty(transitions);
        Assert.True(plant.Gateway.IsSuppressedByMode(plant.Condition("L")));
    }

    [Fact]
    public void TwoGateSignals_AnAvailableOneBelowThreshold_StillCloses()
    {
        // Closed on positive evidence only: the cast-length signal says "start-up ramp" even though casting is unknown.
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P, casting: CS, length: LEN }\n  armedWhen: { casting: 1, length: 300 }\n  parameters: { l: 10 }");

        Assert.Empty(plant.Run("LEN=100@0; P=5@0"));
        Assert.True(plant.Gateway.IsSuppressedByMode(plant.Condition("L")));
        Assert.Equal(["Raised L@1000", $"Raised {Diagnostic}@1000"], plant.Run("bad:LEN@1000"));
        Assert.Equal(2, plant.Gateway.GatewayConditions.Count(c => c.RuleId == Diagnostic));
    }

    [Fact]
    public void AvailableClosedGate_ClearsActiveAlarm_WithModeGateCause_NormalClearStaysNormal()
    {
        var plant = Load();

        Assert.Equal(["Raised L@0", "Cleared L@1000"], plant.Run("RUN=1@0; P=5@0; RUN=0@1000"));
        Assert.Equal(ClearCause.ModeGate, plant.Transitions[1].Cause);
        Assert.Equal(ClearCause.Normal, plant.Transitions[0].Cause);

        Assert.Equal(["Raised L@2000", "Cleared L@3000"], plant.Run("RUN=1@2000; P=20@3000"));
        Assert.Equal(ClearCause.Normal, plant.Transitions[1].Cause);
    }

    [Fact]
    public void CauseEffectAndFlatLine_DisarmedByGate_ClearWithModeGateCause()
    {
        var causeEffect = Plant.Load("- id: R\n  type: causeEffect\n  signals: { cause: T, effect1: E, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { within: 1s }");
        Assert.Equal(["Raised NOT_EXECUTED@1000", "Cleared NOT_EXECUTED@2000"], causeEffect.Run("RUN=1@0; E=0@0; T=1@0; tick@1500; RUN=0@2000"));
        Assert.Equal(ClearCause.ModeGate, causeEffect.Transitions[1].Cause);

        // Disarmed while overdue, then the gate turns bad: armed again at once, not at the next tick.
        var rearmed = Plant.Load("- id: R\n  type: causeEffect\n  signals: { cause: T, effect1: E, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { within: 1s }");
        Assert.Empty(rearmed.Run("RUN=0@0; E=0@0; T=1@0; tick@1500"));
        Assert.Equal(["Raised NOT_EXECUTED@1000", $"Raised {Diagnostic}@2000"], rearmed.Run("bad:RUN@2000"));

        var flat = Plant.Load("- id: R\n  type: sensorHealth\n  signals: { value: P, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { flatFor: 1m }");
        Assert.Equal(["Raised FLATLINE@60000", "Cleared FLATLINE@61000"], flat.Run("RUN=1@0; P=5@0; RUN=1@30000; RUN=1@60000; tick@60500; RUN=0@61000"));
        Assert.Equal(ClearCause.ModeGate, flat.Transitions[1].Cause);
    }

    [Fact]
    public void Diagnostic_OnePerGateSignal_SharedByGatedRules_ListedWithItsDescription()
    {
        var plant = Plant.Load(Gated + "\n  gateStaleAfter: 30s\n- id: S\n  type: limit\n  signals: { value: Q, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { h: 10 }");

        var diagnostic = Assert.Single(plant.Gateway.GatewayConditions, c => c.RuleId == Diagnostic);
        Assert.Equal("E1/gw01/RUN/@mode/MODE_SIGNAL_UNAVAILABLE", diagnostic.Key);
        Assert.Equal(["RUN"], diagnostic.Tags);
        Assert.Equal(AlarmPriorities.High, diagnostic.Priority);
        Assert.Equal(1, diagnostic.Level);
        Assert.False(diagnostic.MajorHazard);
        Assert.Null(diagnostic.Limit);
        Assert.Contains("RUN", diagnostic.Description.Zh, StringComparison.Ordinal);
        Assert.Contains("保持投入", diagnostic.Description.Zh, StringComparison.Ordinal);
        Assert.Contains("gated alarms kept armed", diagnostic.Description.En, StringComparison.Ordinal);
        Assert.Contains(diagnostic, plant.RuleSet.Conditions);
        Assert.True(plant.RuleSet.TryGetCondition(diagnostic.Key, out _));

        // The shortest stale time of the rules gated on the signal (30 s, not the other rule's default 60 s).
        Assert.Equal(["Raised H@0"], plant.Run("RUN=1@0; Q=20@0"));
        Assert.Equal([$"Raised {Diagnostic}@30000"], plant.Run("Q=20@30000; tick@30000"));
    }

    [Fact]
    public void Diagnostic_RestoredActive_NoSecondRaise_ClearsWhenGateAvailable()
    {
        var plant = Load();
        var diagnostic = plant.Condition(Diagnostic);

        // What the service does at start: restore through every tag of the condition.
        Assert.True(plant.Sensor("RUN").RestoreActive(diagnostic));
        Assert.True(plant.Gateway.IsActive(diagnostic));
        Assert.DoesNotContain(plant.Run("P=20@0; bad:RUN@1000; P=20@70000; tick@70000"), t => t.StartsWith($"Raised {Diagnostic}", StringComparison.Ordinal));
        Assert.Equal([$"Cleared {Diagnostic}@71000"], plant.Run("RUN=1@71000"));

        // Restored while the gate is already good and fresh (the replay filled it in): the next tick clears it.
        Assert.True(plant.Gateway.RestoreActive(diagnostic));
        Assert.Equal([$"Cleared {Diagnostic}@71000"], plant.Run("tick@71500"));
    }

    [Fact]
    public void Diagnostic_NotCreatedForUngatedRules()
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P }\n  parameters: { l: 10 }");

        Assert.DoesNotContain(plant.RuleSet.Conditions, c => c.RuleId == Diagnostic);
    }

    [Fact]
    public void Preset_GateStaleAfter_Accepted()
    {
        var plant = Plant.Load("- preset: LANCE_COOLING_TOUT\n  signals: { value: TO, blowing: BL }\n  gateStaleAfter: 5s");

        Assert.Empty(plant.Run("BL=0@0; TO=60@0; TO=60@4999"));
        Assert.Equal(["Raised H@8000", "Raised HH@8000"], plant.Run("TO=60@5000; TO=60@8000"));
    }

    [Theory]
    [InlineData("\n  gateStaleAfter: -1s", 6, "gateStaleAfter must be 0 (never stale) or more")]
    [InlineData("\n  gateStaleAfter: 10", 6, "'gateStaleAfter' is not a duration")]
    public void GateStaleAfter_Invalid_ErrorNamesLine(string extra, int line, string problem)
    {
        var rules = Gated + extra;
        var error = Assert.Single(Plant.Errors(rules), e => e.Message.Contains(problem, StringComparison.Ordinal));

        Assert.Equal("plant.yaml", error.File);
        Assert.Equal(line, error.Line - Plant.RulesLine(rules));
    }

    [Theory]
    [InlineData("- id: R\n  type: limit\n  signals: { value: P }\n  parameters: { l: 10 }\n  gateStaleAfter: 30s", 5)]
    [InlineData("- preset: LANCE_COOLING_TOUT\n  signals: { value: TO }\n  gateStaleAfter: 30s", 3)]
    public void GateStaleAfter_WithoutGate_Error(string rules, int line)
    {
        var error = Assert.Single(Plant.Errors(rules), e => e.Message.Contains("gateStaleAfter is given but the rule has no mode gate", StringComparison.Ordinal));

        Assert.Equal(line, error.Line - Plant.RulesLine(rules));
    }

    /// <summary>Zero allocation per reading and per tick in every gate state: open, closed, bad, stale, never seen.</summary>
    [Theory]
    [InlineData("open")]
    [InlineData("closed")]
    [InlineData("bad")]
    [InlineData("stale")]
    [InlineData("never")]
    public void GatedRule_EveryGateState_AllocatesNothingPerReadingOrTick(string gate)
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P, running: RUN }\n  armedWhen: { running: 1 }\n  parameters: { l: 10, onDelay: 1s }");
        var p = plant.Sensor("P");
        var run = plant.Sensor("RUN");
        var transitions = new List<AlarmTransition>(16);
        var ts = Plant.T0;
        if (gate == "stale")
        {
            run.Evaluate(ts, 0, PointQuality.Good, transitions, ts);
        }

        void Feed(int count)
        {
            for (var i = 0; i < count; i++)
            {
                ts += 100;
                p.Evaluate(ts, 5 + ((i & 1) * 0.01), PointQuality.Good, transitions, ts);
                switch (gate)
                {
                    case "open":
                        run.Evaluate(ts, 1, PointQuality.Good, transitions, ts);
                        break;
                    case "closed":
                        run.Evaluate(ts, 0, PointQuality.Good, transitions, ts);
                        break;
                    case "bad":
                        run.EvaluateBadQuality(ts, ts, transitions);
                        break;
                }

                plant.Gateway.Tick(ts + 50, transitions);
            }
        }

        Feed(1_000);
        transitions.Clear();
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(transitions);
        Assert.Equal(0, allocated);
    }
}

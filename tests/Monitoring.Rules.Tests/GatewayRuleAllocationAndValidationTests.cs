using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Runtime;

namespace Monitoring.Rules.Tests;

public class GatewayRuleAllocationTests
{
    [Theory]
    [InlineData("type: limit\n  signals: { value: A, running: B }\n  armedWhen: { running: 0 }\n  parameters: { h: 100, l: 1, onDelay: 1s }", 10)]
    [InlineData("type: state\n  signals: { value: A }\n  parameters: { expected: 10 }\n  # values alternate within 0.5 of expected", 10)]
    [InlineData("type: difference\n  signals: { a: A, b: B }\n  parameters: { h: 5, percent: true }", 10)]
    [InlineData("type: ratio\n  signals: { a: A, b: B }\n  parameters: { h: 5 }", 10)]
    [InlineData("type: deviation\n  signals: { value: A, reset: B }\n  parameters: { reference: 10, learnFor: 1s, h: 150, l: 50 }", 0)]
    [InlineData("type: rateOfChange\n  signals: { value: A }\n  parameters: { window: 2s, fallPercent: 20, riseRate: 100, samples: 8 }", 0)]
    [InlineData("type: countInWindow\n  signals: { value: B }\n  parameters: { window: 2s, count: 3 }", 0)]
    [InlineData("type: voting\n  signals: { input1: A, input2: B }\n  parameters: { setpoint: 100, votes: 2 }", 0)]
    [InlineData("type: causeEffect\n  signals: { cause: B, effect1: A }\n  parameters: { within: 1s }", 0)]
    [InlineData("type: noData\n  signals: { value: A }\n  parameters: { timeout: 10s }", 0)]
    [InlineData("type: sensorHealth\n  signals: { value: A }\n  parameters: { badFor: 10s, rangeLow: 0, rangeHigh: 100, flatFor: 1m }", 0)]
    public void Evaluate_EveryRuleKind_AllocatesNothingPerReadingOrTick(string rule, double bValue)
    {
        var plant = Plant.Load("- id: R\n  " + rule, "A", "B");
        var a = plant.Sensor("A");
        var b = plant.Sensor("B");
        var transitions = new List<AlarmTransition>(16);
        var ts = Plant.T0;

        void Feed(int count)
        {
            for (var i = 0; i < count; i++)
            {
                ts += 100;
                a.Evaluate(ts, 10 + ((i & 1) * 0.01), PointQuality.Good, transitions, ts);
                b.Evaluate(ts, bValue, PointQuality.Good, transitions, ts);
                plant.Gateway.Tick(ts + 50, transitions);
            }
        }

        Feed(1_000);
        Assert.Empty(transitions);
        var before = GC.GetAllocatedBytesForCurrentThread();
        Feed(10_000);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(transitions);
        Assert.Equal(0, allocated);
    }
}

public class GatewayRuleValidationTests
{
    [Theory]
    [InlineData("- preset: NO_SUCH_PRESET\n  signals: { value: A }", 1, "unknown preset 'NO_SUCH_PRESET'")]
    [InlineData("- preset: CO_AMBIENT\n  signals: { valu: A }", 2, "unknown signal role 'valu'")]
    [InlineData("- preset: BF_TOP_PRESSURE\n  signals: { value: A }", 1, "missing parameter 'designMax'")]
    [InlineData("- preset: CO_AMBIENT\n  signals: { value: A }\n  parameters: { firts: 30 }", 3, "unknown parameter 'firts'")]
    [InlineData("- preset: CO_AMBIENT\n  signals: { value: not.configured }", 2, "unknown tag 'not.configured'")]
    [InlineData("- preset: CO_AMBIENT\n  signals: { value: A }\n  parameters: { first: 200 }", 1, "inconsistent limits")]
    [InlineData("- preset: CO_AMBIENT\n  signals: { value: A }\n  parameters: { onDelay: 5 }", 3, "'onDelay' is not a duration")]
    [InlineData("- preset: LANCE_COOLING_DQ\n  signals: { inlet: A }", 1, "missing signal 'outlet'")]
    [InlineData("- id: R\n  type: difference\n  signals: { a: A, c: A }\n  parameters: { h: 1 }", 3, "unknown signal role 'c'")]
    [InlineData("- id: R\n  type: limit\n  signals: { value: A }\n  parameters: { hh: 1, h: 2 }", 4, "inconsistent limits")]
    [InlineData("- id: R\n  type: rateOfChange\n  signals: { value: A }\n  parameters: { fallPercent: 20 }", 1, "missing parameter 'window'")]
    [InlineData("- id: R\n  type: limit\n  signals: { value: A, run: A }\n  armedWhen: { running: 1 }\n  parameters: { h: 1 }", 4, "armedWhen names 'running'")]
    [InlineData("- id: R\n  type: nope\n  signals: { value: A }", 1, "unknown rule type 'nope'")]
    [InlineData("- id: R\n  preset: CO_AMBIENT\n  type: limit", 1, "exactly one of 'type'")]
    public void Compile_BadGatewayRule_ErrorNamesFileLineAndProblem(string rules, int line, string problem)
    {
        var errors = Plant.Errors(rules, "A");

        var error = Assert.Single(errors, e => e.Message.Contains(problem, StringComparison.Ordinal));
        Assert.Equal("plant.yaml", error.File);
        Assert.Equal(line, error.Line - Plant.RulesLine(rules, "A"));
    }

    [Fact]
    public void Compile_SameKeyFromTwoRules_Error()
    {
        var errors = Plant.Errors("- preset: CO_AMBIENT\n  signals: { value: A }\n- id: CO_AMBIENT\n  type: limit\n  signals: { value: A }\n  parameters: { h: 1 }");

        Assert.Contains(errors, e => e.Message.Contains("duplicate rule id 'CO_AMBIENT'", StringComparison.Ordinal));
    }
}

using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;

namespace Monitoring.Rules.Tests;

public class LimitRuleEvaluationTests
{
    private const long T0 = 1_763_800_000_000;
    private const string KeyPrefix = "E1/gw01/T.1/R1/";

    private readonly List<AlarmTransition> _transitions = new(16);

    private static LimitRuleConfiguration FourStages(double deadband = 0, TimeSpan onDelay = default, TimeSpan offDelay = default) => new()
    {
        Id = "R1",
        LowLow = 10,
        Low = 20,
        High = 80,
        HighHigh = 90,
        Deadband = deadband,
        OnDelay = onDelay,
        OffDelay = offDelay,
    };

    private EvaluationOutcome Feed(SensorRules sensor, long timestampMs, double value, PointQuality quality = PointQuality.Good)
    {
        _transitions.Clear();
        return sensor.Evaluate(timestampMs, value, quality, _transitions);
    }

    private string[] Transitions() => [.. _transitions.Select(t => $"{t.Kind} {t.Condition.Stage}")];

    [Theory]
    [InlineData(79.999, new string[0])]
    [InlineData(80, new[] { "Raised H" })]
    [InlineData(90, new[] { "Raised H", "Raised HH" })]
    [InlineData(1e9, new[] { "Raised H", "Raised HH" })]
    [InlineData(20.001, new string[0])]
    [InlineData(20, new[] { "Raised L" })]
    [InlineData(10, new[] { "Raised L", "Raised LL" })]
    [InlineData(-1e9, new[] { "Raised L", "Raised LL" })]
    public void Evaluate_ValueFromNormal_RaisesEveryStageItReaches(double value, string[] expected)
    {
        var sensor = TestSites.Sensor(FourStages());
        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0, 50));
        Assert.Empty(_transitions);

        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0 + 1000, value));

        Assert.Equal(expected, Transitions());
    }

    [Fact]
    public void Evaluate_Raise_CarriesConditionReadingTimeAndValue()
    {
        var sensor = TestSites.Sensor(FourStages());

        Feed(sensor, T0 + 250, 5.5);

        Assert.Equal(2, _transitions.Count);
        var ll = _transitions[1];
        Assert.Equal(AlarmTransitionKind.Raised, ll.Kind);
        Assert.Equal(KeyPrefix + "LL", ll.Condition.Key);
        Assert.Equal(T0 + 250, ll.OccurredAtMs);
        Assert.Equal(5.5, ll.Value);
        Assert.True(sensor.IsActive(ll.Condition));
    }

    [Fact]
    public void Evaluate_ActiveAndStillInAlarm_RaisesOnlyOnce()
    {
        var sensor = TestSites.Sensor(FourStages());
        Feed(sensor, T0, 85);

        Feed(sensor, T0 + 1000, 86);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 2000, 80);
        Assert.Empty(_transitions);
    }

    [Fact]
    public void Evaluate_HighStageBackInsideDeadband_StaysActiveUntilBeyondIt()
    {
        var sensor = TestSites.Sensor(FourStages(deadband: 5));
        Feed(sensor, T0, 85);
        Assert.Equal(["Raised H"], Transitions());

        Feed(sensor, T0 + 1000, 77);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 2000, 75);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 3000, 74.9);

        Assert.Equal(["Cleared H"], Transitions());
        Assert.Equal((T0 + 3000, 74.9), (_transitions[0].OccurredAtMs, _transitions[0].Value));
    }

    [Fact]
    public void Evaluate_LowStageBackInsideDeadband_StaysActiveUntilBeyondIt()
    {
        var sensor = TestSites.Sensor(FourStages(deadband: 5));
        Feed(sensor, T0, 8);
        Assert.Equal(["Raised L", "Raised LL"], Transitions());

        Feed(sensor, T0 + 1000, 15);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 2000, 15.1);
        Assert.Equal(["Cleared LL"], Transitions());
        Feed(sensor, T0 + 3000, 25);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 4000, 25.1);
        Assert.Equal(["Cleared L"], Transitions());
    }

    [Fact]
    public void Evaluate_ValueBelowDeadbandButNotInAlarm_DoesNotRaise()
    {
        var sensor = TestSites.Sensor(FourStages(deadband: 5));

        Feed(sensor, T0, 77);

        Assert.Empty(_transitions);
        Assert.DoesNotContain(sensor.Conditions, sensor.IsActive);
    }

    [Fact]
    public void Evaluate_OnDelay_RaisesAtFirstReadingAfterDelayHeld()
    {
        var sensor = TestSites.Sensor(FourStages(onDelay: TimeSpan.FromSeconds(2)));

        Feed(sensor, T0, 85);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 1999, 85);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 2000, 84);

        Assert.Equal(["Raised H"], Transitions());
        Assert.Equal((T0 + 2000, 84.0), (_transitions[0].OccurredAtMs, _transitions[0].Value));
    }

    [Fact]
    public void Evaluate_OnDelayInterruptedByNormalReading_StartsAgain()
    {
        var sensor = TestSites.Sensor(FourStages(onDelay: TimeSpan.FromSeconds(2)));

        Feed(sensor, T0, 85);
        Feed(sensor, T0 + 1000, 79);
        Feed(sensor, T0 + 2000, 85);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 3999, 85);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 4000, 85);

        Assert.Equal(["Raised H"], Transitions());
    }

    [Fact]
    public void Evaluate_OnDelayPerStage_SecondStageCountsFromItsOwnStart()
    {
        var sensor = TestSites.Sensor(FourStages(onDelay: TimeSpan.FromSeconds(2)));

        Feed(sensor, T0, 85);
        Feed(sensor, T0 + 1000, 95);
        Feed(sensor, T0 + 2000, 95);
        Assert.Equal(["Raised H"], Transitions());
        Feed(sensor, T0 + 3000, 95);

        Assert.Equal(["Raised HH"], Transitions());
    }

    [Fact]
    public void Evaluate_OffDelay_ClearsAfterDelayBeyondDeadband()
    {
        var sensor = TestSites.Sensor(FourStages(offDelay: TimeSpan.FromSeconds(2)));
        Feed(sensor, T0, 85);

        Feed(sensor, T0 + 1000, 70);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 2999, 70);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 3000, 71);

        Assert.Equal(["Cleared H"], Transitions());
        Assert.Equal((T0 + 3000, 71.0), (_transitions[0].OccurredAtMs, _transitions[0].Value));
    }

    [Fact]
    public void Evaluate_OffDelayInterruptedByAlarmValue_StartsAgain()
    {
        var sensor = TestSites.Sensor(FourStages(offDelay: TimeSpan.FromSeconds(2)));
        Feed(sensor, T0, 85);

        Feed(sensor, T0 + 1000, 70);
        Feed(sensor, T0 + 2000, 85);
        Feed(sensor, T0 + 3000, 70);
        Feed(sensor, T0 + 4999, 70);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 5000, 70);

        Assert.Equal(["Cleared H"], Transitions());
    }

    [Fact]
    public void Evaluate_DeadbandReadingDuringOffDelay_NeitherClearsNorRestartsTheCount()
    {
        var sensor = TestSites.Sensor(FourStages(deadband: 5, offDelay: TimeSpan.FromSeconds(2)));
        Feed(sensor, T0, 85);

        Feed(sensor, T0 + 1000, 70);
        Feed(sensor, T0 + 3500, 77);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 4000, 70);

        Assert.Equal(["Cleared H"], Transitions());
    }

    [Fact]
    public void Evaluate_SameTimestampAgain_IsDuplicateAndNotEvaluated()
    {
        var sensor = TestSites.Sensor(FourStages());
        Feed(sensor, T0, 50);

        Assert.Equal(EvaluationOutcome.Duplicate, Feed(sensor, T0, 85));
        Assert.Empty(_transitions);
        Assert.Equal(T0, sensor.LastEvaluatedMs);

        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0 + 1, 85));
        Assert.Equal(["Raised H"], Transitions());
    }

    [Fact]
    public void Evaluate_OlderReading_IsLateAndDoesNotRewindState()
    {
        var sensor = TestSites.Sensor(FourStages());
        Feed(sensor, T0 + 2000, 85);
        Assert.Equal(["Raised H"], Transitions());

        Assert.Equal(EvaluationOutcome.Late, Feed(sensor, T0 + 1000, 50));
        Assert.Empty(_transitions);
        Assert.Equal(EvaluationOutcome.Late, Feed(sensor, T0, 95));
        Assert.Empty(_transitions);
        Assert.Equal(T0 + 2000, sensor.LastEvaluatedMs);

        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0 + 3000, 50));
        Assert.Equal(["Cleared H"], Transitions());
    }

    [Fact]
    public void Evaluate_BadQuality_IsSkippedWithoutTouchingState()
    {
        var sensor = TestSites.Sensor(FourStages(onDelay: TimeSpan.FromSeconds(2)));
        Feed(sensor, T0, 85);

        Assert.Equal(EvaluationOutcome.SkippedBadQuality, Feed(sensor, T0 + 1000, 0, PointQuality.Bad));
        Assert.Empty(_transitions);
        Assert.Equal(T0, sensor.LastEvaluatedMs);

        // The bad reading neither broke the on-delay nor took the timestamp.
        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0 + 2000, 85));
        Assert.Equal(["Raised H"], Transitions());
    }

    [Fact]
    public void Evaluate_BadQualityInAlarmRange_NeverRaises()
    {
        var sensor = TestSites.Sensor(FourStages());

        Assert.Equal(EvaluationOutcome.SkippedBadQuality, Feed(sensor, T0, 95, PointQuality.Bad));
        Assert.Empty(_transitions);
        Assert.Null(sensor.LastEvaluatedMs);

        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0, 50));
        Assert.Empty(_transitions);
    }

    [Fact]
    public void Evaluate_NaN_IsSkippedLikeBadQuality()
    {
        var sensor = TestSites.Sensor(FourStages());
        Feed(sensor, T0, 85);

        Assert.Equal(EvaluationOutcome.SkippedBadQuality, Feed(sensor, T0 + 1000, double.NaN));
        Assert.Empty(_transitions);
        Assert.Equal(T0, sensor.LastEvaluatedMs);
        Assert.Contains(sensor.Conditions, sensor.IsActive);
    }

    [Fact]
    public void Evaluate_UncertainQuality_IsEvaluated()
    {
        var sensor = TestSites.Sensor(FourStages());

        Assert.Equal(EvaluationOutcome.Evaluated, Feed(sensor, T0, 85, PointQuality.Uncertain));

        Assert.Equal(["Raised H"], Transitions());
    }

    [Fact]
    public void Evaluate_BooleanFalseAsZeroWithLowLimitZero_RaisesAndTrueClears()
    {
        var sensor = TestSites.Sensor(new LimitRuleConfiguration { Id = "R1", Low = 0 });

        Feed(sensor, T0, 1);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 1000, 0);
        Assert.Equal(["Raised L"], Transitions());
        Feed(sensor, T0 + 2000, 1);
        Assert.Equal(["Cleared L"], Transitions());
    }

    [Fact]
    public void Evaluate_BooleanTrueAsOneWithHighLimitOne_Raises()
    {
        var sensor = TestSites.Sensor(new LimitRuleConfiguration { Id = "R1", High = 1 });

        Feed(sensor, T0, 0);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 1000, 1);

        Assert.Equal(["Raised H"], Transitions());
    }

    [Fact]
    public void RestoreActive_ConditionOfThisSensor_ClearsOnNextNormalReadingWithoutRaising()
    {
        var sensor = TestSites.Sensor(FourStages());
        var h = sensor.Conditions.Single(c => c.Stage == "H");

        Assert.True(sensor.RestoreActive(h));
        Assert.True(sensor.IsActive(h));
        Feed(sensor, T0, 85);
        Assert.Empty(_transitions);
        Feed(sensor, T0 + 1000, 50);

        Assert.Equal(["Cleared H"], Transitions());
    }

    [Fact]
    public void Evaluate_NoTransition_AllocatesNothing()
    {
        var sensor = TestSites.Sensor(FourStages(deadband: 1, onDelay: TimeSpan.FromSeconds(1), offDelay: TimeSpan.FromSeconds(1)));
        var transitions = new List<AlarmTransition>(8);
        sensor.Evaluate(T0, 85, PointQuality.Good, transitions);
        sensor.Evaluate(T0, 50, PointQuality.Good, transitions);
        sensor.Evaluate(T0 - 1, 50, PointQuality.Good, transitions);
        sensor.Evaluate(T0 + 1, 50, PointQuality.Bad, transitions);

        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 1; i <= 10_000; i++)
        {
            // Normal values, on-delays that never complete, duplicates, late and bad readings.
            // Every other reading is high for a single reading: shorter than the on-delay, so it never raises.
            var value = i % 2 == 0 ? 85 : 40 + (i % 30);
            sensor.Evaluate(T0 + (i * 100), value, PointQuality.Good, transitions);
            sensor.Evaluate(T0 + (i * 100), 95, PointQuality.Good, transitions);
            sensor.Evaluate(T0 + (i * 100) - 50, 85, PointQuality.Good, transitions);
            sensor.Evaluate(T0 + (i * 100) + 1, 95, PointQuality.Bad, transitions);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Empty(transitions);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Evaluate_TransitionsIntoPresizedList_AllocatesNothing()
    {
        var sensor = TestSites.Sensor(FourStages());
        var transitions = new List<AlarmTransition>(8);
        sensor.Evaluate(T0, 95, PointQuality.Good, transitions);
        sensor.Evaluate(T0 + 1, 50, PointQuality.Good, transitions);
        transitions.Clear();

        var before = GC.GetAllocatedBytesForCurrentThread();
        sensor.Evaluate(T0 + 2, 95, PointQuality.Good, transitions);
        sensor.Evaluate(T0 + 3, 5, PointQuality.Good, transitions);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(6, transitions.Count);
        Assert.Equal(0, allocated);
    }
}

using Monitoring.Contracts.Telemetry;
using Monitoring.Rules.Compilation;
using Monitoring.Rules.Configuration;
using Monitoring.Rules.Runtime;

namespace Monitoring.Rules.Tests;

/// <summary>
/// A limit is one rule wherever it is declared: the same limit on a point (<c>points[].rules</c>) and on the gateway
/// (<c>rules:</c> with <c>type: limit</c>) must raise and clear the same stages at the same times with the same values,
/// through delays, deadbands, bad quality, duplicates, late readings and timer ticks.
/// </summary>
public class OneLimitModelTests
{
    private const long T0 = 1_763_800_000_000;

    private const string Site = """
        enterprise: E1
        industry: steel
        gateways:
          - id: gw01
            points:
              - tag: T1
                unit: u
                rules:
                  - id: P
                    type: limit
                    ll: 10
                    l: 20
                    h: 80
                    hh: 90
                    deadband: 3
                    onDelay: 2s
                    offDelay: 1500ms
            rules:
              - id: G
                type: limit
                signals: { value: T1 }
                parameters: { ll: 10, l: 20, h: 80, hh: 90, deadband: 3, onDelay: 2s, offDelay: 1500ms }
        """;

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(20261203)]
    public void PointAndGatewayLimit_OnTheSameStream_TransitionIdentically(int seed)
    {
        var parsed = SiteConfigurationParser.Parse(Site, "limits.yaml");
        Assert.Empty(parsed.Errors);
        var compiled = RuleCompiler.Compile([parsed.Site!]);
        Assert.Empty(compiled.Errors);
        var gateway = compiled.RuleSet!.FindGateway("E1", "gw01")!;
        Assert.True(gateway.TryGetSensor("T1", out var sensor));

        var random = new Random(seed);
        var transitions = new List<AlarmTransition>();
        var t = T0;
        var value = 50.0;
        for (var i = 0; i < 5_000; i++)
        {
            t += random.Next(100, 900);
            var roll = random.Next(100);
            if (roll < 10)
            {
                gateway.Tick(t, transitions);
                continue;
            }

            // A random walk that crosses every stage and lingers in the deadbands.
            value = Math.Clamp(value + ((random.NextDouble() - 0.5) * 12), 0, 100);
            if (roll < 15)
            {
                sensor.EvaluateBadQuality(t, t, transitions);
            }
            else if (roll < 20)
            {
                sensor.Evaluate(t, value, PointQuality.Bad, transitions, t);
            }
            else if (roll < 23)
            {
                sensor.Evaluate(t - 2_000, value, PointQuality.Good, transitions, t);
            }
            else
            {
                sensor.Evaluate(t, value, roll < 30 ? PointQuality.Uncertain : PointQuality.Good, transitions, t);
                if (roll < 33)
                {
                    sensor.Evaluate(t, value, PointQuality.Good, transitions, t);
                }
            }
        }

        var point = transitions.Where(x => x.Condition.RuleId == "P").Select(Describe).ToList();
        var declaredOnGateway = transitions.Where(x => x.Condition.RuleId == "G").Select(Describe).ToList();
        Assert.True(point.Count > 100, $"the stream should keep the limit busy, got {point.Count} transitions");
        Assert.Contains(point, d => d.StartsWith("Raised HH", StringComparison.Ordinal));
        Assert.Contains(point, d => d.StartsWith("Raised LL", StringComparison.Ordinal));
        Assert.Equal(point, declaredOnGateway);
    }

    [Fact]
    public void GatewayLimit_DelayBeingCounted_DoesNotMatureThroughABadReading()
    {
        var plant = Plant.Load("- id: R\n  type: limit\n  signals: { value: P }\n  parameters: { h: 10, onDelay: 2s }");

        Assert.Empty(plant.Run("P=12@0; bad:P@500; tick@2500"));
        Assert.Equal(["Raised H@3000"], plant.Run("P=12@3000"));
    }

    private static string Describe(AlarmTransition t) => $"{t.Kind} {t.Condition.Stage}@{t.OccurredAtMs - T0}={t.Value:R}";
}

using System.Text.Json;

namespace Monitoring.LoadTests.Tests;

/// <summary>
/// The CI smoke of the load driver: its own servers, a small load on every target (InfluxDB ceiling,
/// broker pass-through, bare forwarder, service), about a minute. It checks the driver works end to end
/// and nothing is lost; the figures themselves are for the full run, not for CI.
/// </summary>
public sealed class LoadSmokeTests : IDisposable
{
    private readonly string _out = Path.Combine(Path.GetTempPath(), "monitoring-load-smoke-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Smoke_SmallLoadOnEveryTarget_NothingLostAndReportWritten()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        var settings = LoadSettings.Parse(["smoke", "--out", _out]);

        var run = await LoadProgram.RunAsync(settings, timeout.Token);

        Assert.Equal(["broker", "forwarder", "service"], run.Ladders.Select(l => l.Target));
        foreach (var step in run.Ladders.SelectMany(l => l.Steps))
        {
            Assert.True(step.Published > 0, $"{step.Target}: nothing published");
            Assert.True(step.Lost == 0, $"{step.Target}: {step.Lost} of {step.Published} readings lost ({step.Verdict})");
            Assert.Equal(step.Published, step.Stored);
        }

        var service = Assert.Single(run.Ladders.Single(l => l.Target == "service").Steps);
        Assert.True(service.AlarmCrossings > 0);
        Assert.True(service.Alarm?.Count > 0, "no AlarmRaised consumed from RabbitMQ");
        Assert.True(run.Influx?.Stored > 0);
        Assert.Equal(run.Influx!.Written, run.Influx.Stored);

        var json = JsonSerializer.Deserialize<RunResult>(await File.ReadAllTextAsync(Path.Combine(_out, "result.json")), Report.Json);
        Assert.Equal(run.RunId, json?.RunId);
        Assert.Contains("## Summary", await File.ReadAllTextAsync(Path.Combine(_out, "report.md")), StringComparison.Ordinal);
        Assert.StartsWith("<svg", await File.ReadAllTextAsync(Path.Combine(_out, "plot.svg")), StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_out))
            Directory.Delete(_out, recursive: true);
    }
}

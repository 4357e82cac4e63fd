using System.Runtime.CompilerServices;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Simulators.Accept;
using Monitoring.Simulators.Cli;
using Monitoring.Simulators.Gateway;
using Monitoring.Simulators.Recording;
using Monitoring.Simulators.Scenarios;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Acceptance;

/// <summary>
/// The scenario library in accept mode against the service on the real servers (Mosquitto, InfluxDB,
/// RabbitMQ) with the demo sites, time-dilated, as an integrator's acceptance run would do it; and the
/// record/replay round trip.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ScenarioLibraryAcceptanceTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    // Fast enough to keep the library (about 15 minutes of sensor time) near a minute and a half of wall
    // time; slow enough that the sensor time stays within the service's 5-minute future window.
    private const double Speed = 20;

    private readonly string _topicRoot = $"it/{RealServers.UniqueName("accept")}/mon/v1";
    private readonly string _clientId = RealServers.UniqueName("svc");
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("accept"));
    private string _database = "";
    private string _virtualHost = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("accept");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("accept");
        Directory.CreateDirectory(_work);
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    private static string RepoRoot([CallerFilePath] string here = "") =>
        Path.GetFullPath(Path.Combine(Path.GetDirectoryName(here)!, "..", "..", ".."));

    private static string ScenarioFolder => Path.Combine(RepoRoot(), "simulators", "Monitoring.Simulators", "scenarios");

    private Task<ServiceUnderTest> StartServiceAsync() => ServiceUnderTest.StartAsync(ServiceUnderTest.RealServerSettings(
        servers, _topicRoot, _clientId, _database, _virtualHost, Path.Combine(_work, "data"), Path.Combine(RepoRoot(), "src", "Monitoring.Ingestion", "sites")));

    private RabbitAlarmWatcher Watcher() => new(servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword);

    private AcceptOptions Options() => new()
    {
        Run = new RunOptions { Broker = new BrokerEndpoint(servers.MqttHost, servers.MqttPort), TopicRoot = _topicRoot, Speed = Speed },
        Timeout = TimeSpan.FromSeconds(20),
        Grace = TimeSpan.FromSeconds(2),
        Log = output.WriteLine,
    };

    [Fact]
    public async Task ScenarioLibrary_AcceptedAgainstServiceOnRealServers_EveryExpectationPasses()
    {
        var scenarios = CommandLine.LoadScenarios([ScenarioFolder]);
        Assert.True(scenarios.Count >= 30, $"only {scenarios.Count} scenarios in {ScenarioFolder}");
        await using var watcher = Watcher();
        await watcher.StartAsync(CancellationToken.None);
        await using var service = await StartServiceAsync();

        var report = await new AcceptRunner(watcher, Options()).RunAsync(scenarios, CancellationToken.None);

        using var text = new StringWriter();
        report.WriteText(text);
        output.WriteLine(text.ToString());
        Assert.True(report.Success, text.ToString());
        Assert.Equal(scenarios.Sum(s => s.Expectations.Count(e => e.Enabled)), report.Passed);
        var junit = report.ToJUnit();
        Assert.Equal("0", junit.Root!.Attribute("failures")!.Value);
    }

    [Fact]
    public async Task RecordedRun_ReplayedWithRewrittenTimestamps_RaisesTheSameAlarmsAtTheSameOffsets()
    {
        var scenarios = CommandLine.LoadScenarios([
            Path.Combine(ScenarioFolder, "dc-qingyuan-2023-launder-leak.yaml"),
            Path.Combine(ScenarioFolder, "steel-lance-tout-high.yaml"),
        ]);
        var recording = Path.Combine(_work, "run.jsonl");
        await using var watcher = Watcher();
        await watcher.StartAsync(CancellationToken.None);
        await using var service = await StartServiceAsync();
        var broker = new BrokerEndpoint(servers.MqttHost, servers.MqttPort);

        var runner = new AcceptRunner(watcher, Options());
        AcceptReport report;
        await using (var recorder = await Recorder.StartAsync(broker, _topicRoot, recording, null, CancellationToken.None))
        {
            report = await runner.RunAsync(scenarios, CancellationToken.None);
        }

        Assert.True(report.Success);
        var original = Signature(watcher.Snapshot(), runner.Runs, 0);
        Assert.True(original.Count >= 7, $"the original run raised only {original.Count} alarms");

        var replay = await Replayer.ReplayAsync(RecordingFormat.Read(recording), new ReplayOptions { Broker = broker, RewriteTimestamps = true, Speed = Speed }, CancellationToken.None);

        Assert.True(replay.DeltaMs > 0);
        var replayed = await Eventually.MatchAsync(
            () => Task.FromResult(Signature(watcher.Snapshot(), runner.Runs, replay.DeltaMs)),
            s => s.Count >= original.Count,
            TimeSpan.FromSeconds(30),
            "the replay's alarms");
        Assert.Equal(original, replayed);
    }

    /// <summary>Rule, tag, level, priority and offset from the run's start of each alarm in the runs' windows shifted by <paramref name="deltaMs"/>.</summary>
    private static List<string> Signature(IReadOnlyList<ObservedAlarm> alarms, IReadOnlyList<ScenarioRunResult> runs, long deltaMs) =>
        [.. runs.SelectMany(run => alarms
                .Where(a => a.Enterprise == run.Scenario.Plant.Enterprise
                    && a.OccurredAt.ToUnixTimeMilliseconds() >= run.StartMs + deltaMs
                    && a.OccurredAt.ToUnixTimeMilliseconds() <= run.EndMs + deltaMs)
                .Select(a => $"{a.RuleId} {string.Join(",", a.Tags)} L{a.Level} {a.Priority} +{a.OccurredAt.ToUnixTimeMilliseconds() - deltaMs - run.StartMs}ms sim={a.Simulated}"))
            .Order(StringComparer.Ordinal)];
}

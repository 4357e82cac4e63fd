using System.Diagnostics;
using System.Globalization;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Hosting;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// The service process killed (SIGKILL) or stopped (SIGTERM) under load and limit crossings, then
/// started again on the same data folder and client id: every reading the gateways had acknowledged
/// is in InfluxDB and every alarm transition is published, once per eventId, without gaps.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ServiceCrashTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private FaultScene _scene = null!;

    public async Task InitializeAsync() => _scene = await FaultScene.CreateAsync(servers, "crash");

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ServiceKilled_UnderLoad_AfterRestartEveryAcknowledgedReadingStoredAndEveryTransitionPublished()
    {
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, "AlarmRaised", "AlarmCleared");
        var firstTs = FaultScene.Now() - 600_000;
        await using var first = await ServiceProcess.StartAsync(_scene.Settings());
        await using var load = await _scene.StartLoadAsync(firstTs, TimeSpan.FromMilliseconds(20));
        await using var crossings = await _scene.StartCrossingsAsync(firstTs, TimeSpan.FromMilliseconds(200));
        await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= 4, TimeSpan.FromSeconds(30), "transitions published before the kill");
        var storedBeforeKill = await _scene.CountStoredAsync(FaultScene.LoadGateway);

        await first.KillAsync();
        var down = Stopwatch.StartNew();
        var publishedAtKill = load.ReadingsAcknowledged;
        await using var second = await ServiceProcess.StartAsync(_scene.Settings());
        var restart = down.Elapsed;
        // Keep the load on after the restart: the backlog and new messages arrive together.
        await Eventually.MatchAsync(() => Task.FromResult(load.ReadingsAcknowledged), n => n >= publishedAtKill + 5_000, TimeSpan.FromSeconds(30), "load after the restart");

        var (readings, transitions) = await StopAsync(load, crossings);
        var stored = await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= readings, TimeSpan.FromSeconds(60), $"{readings} readings stored");
        await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= transitions, TimeSpan.FromSeconds(60), $"{transitions} transitions published");
        var summary = AlarmTransitions.AssertGapless(await events.DrainAsync(), transitions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SIGKILL with {storedBeforeKill} readings stored and {publishedAtKill} published; restarted and ready in {restart.TotalSeconds:F1} s"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: published {readings} readings, stored {stored}; {summary}"));
        Assert.Equal(readings, stored);
        Assert.Equal(transitions, await _scene.CountStoredAsync(TestSite.Gateway));
        Assert.True(storedBeforeKill > 0 && publishedAtKill > storedBeforeKill, "the kill did not happen under load");
    }

    [Fact]
    public async Task ServiceSigterm_UnderLoad_ExitsWithinDrainBoundAndNothingAcknowledgedIsMissingAfterRestart()
    {
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, "AlarmRaised", "AlarmCleared");
        var firstTs = FaultScene.Now() - 600_000;
        await using var first = await ServiceProcess.StartAsync(_scene.Settings());
        await using var load = await _scene.StartLoadAsync(firstTs, TimeSpan.FromMilliseconds(20));
        await using var crossings = await _scene.StartCrossingsAsync(firstTs, TimeSpan.FromMilliseconds(200));
        await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= 4, TimeSpan.FromSeconds(30), "transitions published before SIGTERM");
        await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= 5_000, TimeSpan.FromSeconds(30), "the service under load");

        // Host shutdown waits for the drain (IngestionHost.DrainTimeout) and then the other services.
        var bound = IngestionHost.DrainTimeout + TimeSpan.FromSeconds(10);
        var exit = await first.TerminateAsync(bound + TimeSpan.FromSeconds(30));
        var exitCode = first.ExitCode;
        var storedAtExit = await _scene.CountStoredAsync(FaultScene.LoadGateway);
        var publishedAtExit = load.ReadingsAcknowledged;
        long outboxAtExit;
        using (var journal = new AlarmJournal(Path.Combine(_scene.DataDirectory, "alarms.db")))
            outboxAtExit = await journal.CountOutboxAsync(CancellationToken.None);

        await using var second = await ServiceProcess.StartAsync(_scene.Settings());
        await Eventually.MatchAsync(() => Task.FromResult(load.ReadingsAcknowledged), n => n >= publishedAtExit + 2_500, TimeSpan.FromSeconds(30), "load after the restart");
        var (readings, transitions) = await StopAsync(load, crossings);
        var stored = await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= readings, TimeSpan.FromSeconds(60), $"{readings} readings stored");
        await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= transitions, TimeSpan.FromSeconds(60), $"{transitions} transitions published");
        var summary = AlarmTransitions.AssertGapless(await events.DrainAsync(), transitions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"SIGTERM: exit code {exitCode} after {exit.TotalSeconds:F2} s (bound {bound.TotalSeconds} s); at exit {storedAtExit} readings stored of {publishedAtExit} published, {outboxAtExit} events left in the outbox"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: published {readings} readings, stored {stored}; {summary}"));
        Assert.Equal(0, exitCode);
        Assert.True(exit < bound, $"exit took {exit}, more than {bound}");
        // The publisher stops after the drain and flushes the outbox while the bus is still up.
        Assert.Equal(0, outboxAtExit);
        Assert.Equal(readings, stored);
        Assert.Equal(transitions, await _scene.CountStoredAsync(TestSite.Gateway));
    }

    private static async Task<(long Readings, long Transitions)> StopAsync(SteadyPublisher load, SteadyPublisher crossings)
    {
        var transitions = await crossings.StopAsync();
        var readings = await load.StopAsync() * load.ReadingsPerMessage;
        return (readings, transitions);
    }
}

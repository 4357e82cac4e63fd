using System.Diagnostics;
using System.Globalization;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// Mosquitto restarted under load. A clean stop saves the service's persistent session and its queue,
/// so nothing the gateway had acknowledged is lost. A SIGKILL loses what was not yet autosaved; the
/// worst case (nothing saved at all) is made certain here by removing the persistence file, and the
/// service must then see SessionPresent = false and subscribe again before anything more is lost.
/// The service runs as a child process so its log shows what the broker said on reconnect.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MosquittoRestartTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private const string SessionKept = "connected (session present: True)";
    private const string SessionLost = "connected (session present: False)";
    private FaultScene _scene = null!;

    public async Task InitializeAsync() => _scene = await FaultScene.CreateAsync(servers, "mqtt");

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task MosquittoRestarted_UnderLoad_PersistentSessionAndNoAcknowledgedMessageLost()
    {
        var firstTs = FaultScene.Now() - 600_000;
        await using var service = await ServiceProcess.StartAsync(_scene.Settings());
        await using var load = await _scene.StartLoadAsync(firstTs, TimeSpan.FromMilliseconds(20));
        await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= 2_500, TimeSpan.FromSeconds(30), "the service under load");

        var down = Stopwatch.StartNew();
        long publishedAtStop;
        await servers.StopMosquittoAsync();
        try
        {
            publishedAtStop = load.ReadingsAcknowledged;
            // Down long enough for the service's reconnect attempts to fail a few times.
            await Eventually.MatchAsync(() => Task.FromResult(load.FailedAttempts), n => n >= 50, TimeSpan.FromSeconds(20), "the publisher held off");
        }
        finally
        {
            await servers.StartMosquittoAsync();
        }

        var restart = down.Elapsed;
        await Eventually.MatchAsync(() => Task.FromResult(service.CountLines(SessionKept)), n => n >= 1, TimeSpan.FromSeconds(30), "the service reconnected to its kept session");
        var reconnected = down.Elapsed;
        await Eventually.MatchAsync(() => Task.FromResult(load.ReadingsAcknowledged), n => n >= publishedAtStop + 2_500, TimeSpan.FromSeconds(30), "load after the restart");

        var readings = await load.StopAsync() * load.ReadingsPerMessage;
        var stored = await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= readings, TimeSpan.FromSeconds(60), $"{readings} readings stored");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mosquitto stopped and started in {restart.TotalSeconds:F1} s; service reconnected (session present) {reconnected.TotalSeconds:F1} s after the stop; publisher retried {load.FailedAttempts} times"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"load: published {readings} readings, stored {stored}"));
        Assert.Equal(readings, stored);
        Assert.True(load.FailedAttempts > 0, "the publisher never noticed the broker was away");
        // Only the very first connect (a new client id) found no session.
        Assert.Equal(1, service.CountLines(SessionLost));
    }

    [Fact]
    public async Task MosquittoKilled_SessionLost_ServiceSubscribesAgainAndStoresEverythingPublishedAfter()
    {
        var firstTs = FaultScene.Now() - 600_000;
        await using var service = await ServiceProcess.StartAsync(_scene.Settings());
        await using var load = await _scene.StartLoadAsync(firstTs, TimeSpan.FromMilliseconds(20));
        await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= 2_500, TimeSpan.FromSeconds(30), "the service under load");
        var lostBefore = service.CountLines(SessionLost);

        var down = Stopwatch.StartNew();
        long publishedAtKill;
        try
        {
            await KillMosquittoAndForgetSessionsAsync();
            publishedAtKill = load.ReadingsAcknowledged;
        }
        finally
        {
            await servers.StartMosquittoAsync();
        }

        // The connect line is written after SUBSCRIBE returned: from here on nothing may be lost.
        await Eventually.MatchAsync(() => Task.FromResult(service.CountLines(SessionLost)), n => n > lostBefore, TimeSpan.FromSeconds(30), "the service reconnected to a broker without its session");
        var reconnected = down.Elapsed;
        var fromMessage = load.MessagesAcknowledged;
        await Eventually.MatchAsync(() => Task.FromResult(load.MessagesAcknowledged), n => n >= fromMessage + 100, TimeSpan.FromSeconds(30), "load after the reconnect");

        var messages = await load.StopAsync();
        var expectedAfter = (messages - fromMessage) * load.ReadingsPerMessage;
        // LoadMessage puts message k at firstTs + k ms.
        var storedAfter = await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway, firstTs + fromMessage), n => n >= expectedAfter, TimeSpan.FromSeconds(60), $"{expectedAfter} readings stored");
        var storedAll = await _scene.CountStoredAsync(FaultScene.LoadGateway);
        var readings = messages * load.ReadingsPerMessage;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"Mosquitto SIGKILL with {publishedAtKill} readings published; persistence removed; service reconnected (no session) and subscribed {reconnected.TotalSeconds:F1} s after the kill"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"after the reconnect: published {expectedAfter} readings, stored {storedAfter}; whole test: published {readings}, stored {storedAll} ({readings - storedAll} lost with the broker's unsaved queue)"));
        Assert.Equal(expectedAfter, storedAfter);
        Assert.Equal(0, service.CountLines(SessionKept));
    }

    /// <summary>
    /// SIGKILL by the pid file of deploy/local/servers.sh, then the persistence file removed: the broker
    /// comes back as if it had saved nothing since the service subscribed.
    /// </summary>
    private async Task KillMosquittoAndForgetSessionsAsync()
    {
        var folder = Path.Combine(servers.WorkFolder ?? throw new InvalidOperationException("Mosquitto is an external server (MON_TEST_MQTT): this test cannot kill it."), "mosquitto");
        var pid = int.Parse((await File.ReadAllTextAsync(Path.Combine(folder, "mosquitto.pid"))).Trim(), NumberStyles.None, CultureInfo.InvariantCulture);
        // A recycled pid must not be killed: it has to be the broker of this work folder.
        var commandLine = await File.ReadAllTextAsync($"/proc/{pid}/cmdline");
        Assert.Contains(Path.Combine(folder, "mosquitto.conf"), commandLine, StringComparison.Ordinal);
        using (var broker = Process.GetProcessById(pid))
            broker.Kill();

        // The broker's parent exited long ago, so it may stay a zombie; dead is enough.
        await Eventually.MatchAsync(() => Task.FromResult(IsGone(pid)), gone => gone, TimeSpan.FromSeconds(10), "mosquitto dead");
        File.Delete(Path.Combine(folder, "data", "mosquitto.db"));
    }

    private static bool IsGone(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}

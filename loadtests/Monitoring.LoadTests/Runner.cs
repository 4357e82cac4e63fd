using System.Diagnostics;
using System.Globalization;
using System.Text;
using Monitoring.Simulators.Gateway;

namespace Monitoring.LoadTests;

/// <summary>
/// One load run: servers up, the InfluxDB ceiling, then per profile a stepped ladder for the broker
/// pass-through, the bare forwarder and the service (each stops at its first step not held), or a soak.
/// </summary>
public sealed class Runner(LoadSettings settings, Action<string> log)
{
    private readonly string _run = Guid.NewGuid().ToString("N")[..6];
    private readonly List<string> _notes = [];
    private Servers _servers = null!;
    private Influx _influx = null!;

    private string EnterprisePrefix => "LT" + _run;

    public async Task<RunResult> RunAsync(CancellationToken cancellationToken)
    {
        var started = TimeProvider.System.GetUtcNow();
        var loadAtStart = LoadAverage();
        // Before any server starts: no rate and no earlier run to take the knee from is a usage error.
        var soakRate = settings.Mode == "soak" ? settings.SoakRate ?? DefaultSoakRate() : 0;
        log($"run {_run}: starting the servers");
        _servers = await Servers.StartAsync(settings.RepositoryRoot, settings.BrokerAutosaveSeconds, log, cancellationToken);
        try
        {
            _influx = new Influx(_servers.InfluxUrl);
            InfluxCeiling? ceiling = null;
            var ladders = new List<LadderResult>();
            IReadOnlyList<StepResult>? soak = null;
            if (settings.Mode == "soak")
            {
                soak = await SoakAsync(soakRate, cancellationToken);
            }
            else
            {
                if (settings.Targets.Contains("influx"))
                    ceiling = await InfluxCeilingAsync(cancellationToken);
                foreach (var profile in settings.Profiles)
                {
                    var steps = profile == "single" ? settings.SingleSteps : settings.BatchSteps;
                    foreach (var target in new[] { "broker", "forwarder", "service" })
                    {
                        if (settings.Targets.Contains(target))
                            ladders.Add(await LadderAsync(target, profile, steps, cancellationToken));
                    }
                }
            }

            return new RunResult
            {
                Mode = settings.Mode,
                RunId = _run,
                StartedAt = started,
                FinishedAt = TimeProvider.System.GetUtcNow(),
                Machine = Machine(loadAtStart),
                Command = "dotnet run -c Release --project loadtests/Monitoring.LoadTests -- " + settings.Mode,
                Settings = settings.Describe(),
                Influx = ceiling,
                Ladders = ladders,
                Summaries = settings.Profiles.Select(p => Summarise(p, ladders, ceiling)).ToList(),
                Soak = soak,
                Notes = _notes,
            };
        }
        finally
        {
            _influx?.Dispose();
            log("stopping the servers");
            await _servers.DisposeAsync();
        }
    }

    private FleetShape Shape(string profile, int points)
    {
        var enterprises = Math.Max(1, settings.Gateways / 20);
        return new FleetShape(EnterprisePrefix + (profile == "single" ? "S" : "B"), enterprises, Math.Max(1, settings.Gateways / enterprises), points, settings.AlarmEvery);
    }

    private async Task<LadderResult> LadderAsync(string target, string profile, IReadOnlyList<double> rates, CancellationToken cancellationToken)
    {
        var points = profile == "single" ? 1 : settings.PointsPerMessage;
        var shape = Shape(profile, points);
        var database = $"lt_{_run}_{target}_{profile}";
        var topicRoot = $"lt/{_run}/{target}-{profile}";
        var work = Path.Combine(_servers.Work, $"{target}-{profile}");
        log($"{target}/{profile}: {shape.Gateways} gateways x {points} readings per message");
        await using var fleet = await FleetLoad.ConnectAsync(shape, new BrokerEndpoint("127.0.0.1", _servers.MqttPort), topicRoot, cancellationToken);
        PassThroughSubscriber? subscriber = null;
        ChildProcess? child = null;
        AlarmListener? alarms = null;
        var steps = new List<StepResult>();
        try
        {
            switch (target)
            {
                case "broker":
                    subscriber = await PassThroughSubscriber.StartAsync(_servers.MqttPort, topicRoot, points, cancellationToken);
                    break;
                case "forwarder":
                    await _influx.CreateDatabaseAsync(database, cancellationToken);
                    child = await ChildProcess.StartForwarderAsync(
                        ["--mqtt", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{_servers.MqttPort}"), "--influx", _servers.InfluxUrl.ToString(), "--db", database, "--topic", $"{topicRoot}/+/+/telemetry", "--client-id", $"fwd-{_run}-{profile}"],
                        cancellationToken);
                    break;
                default:
                    alarms = await AlarmListener.StartAsync(_servers.AmqpPort, shape.EnterprisePrefix, cancellationToken);
                    child = await StartServiceAsync(shape, database, topicRoot, work, cancellationToken);
                    break;
            }

            // Warm-up outside any step: JIT, connection pools and the first InfluxDB shard would otherwise
            // land in the first step's latency.
            if (rates.Count > 0)
            {
                await fleet.RunStepAsync(rates[0], TimeSpan.FromSeconds(Math.Min(5, settings.StepSeconds / 3)), new Latency(), cancellationToken);
                await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken);
            }

            foreach (var rate in rates)
            {
                var step = await StepAsync(target, profile, rate, TimeSpan.FromSeconds(settings.StepSeconds), fleet, database, subscriber, child, alarms, drain: true, cancellationToken);
                steps.Add(step);
                log(Line(step));
                if (!step.Held)
                    break;
            }
        }
        finally
        {
            if (subscriber is not null)
                await subscriber.DisposeAsync();
            if (child is not null)
            {
                await child.StopAsync(TimeSpan.FromSeconds(20));
                await child.DisposeAsync();
            }

            if (alarms is not null)
                await alarms.DisposeAsync();
        }

        return new LadderResult(target, profile, steps);
    }

    private async Task<ChildProcess> StartServiceAsync(FleetShape shape, string database, string topicRoot, string work, CancellationToken cancellationToken)
    {
        var sites = Path.Combine(work, "sites");
        shape.WriteSites(sites);
        var serviceSettings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Monitoring:DataDirectory"] = Path.Combine(work, "data"),
            ["Monitoring:Sites:0"] = sites,
            ["Monitoring:Mqtt:Broker"] = "External",
            ["Monitoring:Mqtt:Host"] = "127.0.0.1",
            ["Monitoring:Mqtt:Port"] = _servers.MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Monitoring:Mqtt:TopicRoot"] = topicRoot,
            ["Monitoring:Mqtt:ClientId"] = $"svc-{_run}-{Path.GetFileName(work)}",
            // A session left behind by this run must not queue the next run's messages for long.
            ["Monitoring:Mqtt:SessionExpiry"] = "00:00:30",
            ["Monitoring:Store:Kind"] = "InfluxDb",
            ["Monitoring:Store:InfluxDb:Url"] = _servers.InfluxUrl.ToString(),
            ["Monitoring:Store:InfluxDb:ApiVersion"] = "V1",
            ["Monitoring:Store:InfluxDb:Database"] = database,
            ["Monitoring:Bus:Kind"] = "RabbitMq",
            ["Monitoring:Bus:Host"] = "127.0.0.1",
            ["Monitoring:Bus:Port"] = _servers.AmqpPort.ToString(CultureInfo.InvariantCulture),
            ["Monitoring:Bus:VirtualHost"] = "/",
            ["Monitoring:Bus:Username"] = "guest",
            ["Monitoring:Bus:Password"] = "guest",
        };
        foreach (var (key, value) in settings.ServiceSettings)
            serviceSettings[key] = value;
        return await ChildProcess.StartServiceAsync(serviceSettings, cancellationToken);
    }

    private async Task<StepResult> StepAsync(
        string target,
        string profile,
        double rate,
        TimeSpan length,
        FleetLoad fleet,
        string database,
        PassThroughSubscriber? subscriber,
        ChildProcess? child,
        AlarmListener? alarms,
        bool drain,
        CancellationToken cancellationToken)
    {
        var publishAck = new Latency();
        var endToEnd = new Latency();
        var targetPid = child?.Id;
        var receivedBefore = subscriber?.Readings ?? 0;
        if (subscriber is not null)
            subscriber.Delivery = endToEnd;
        var cpu0 = ProcSample.Read(targetPid);
        var broker0 = ProcSample.Read(_servers.MosquittoPid);
        var influx0 = ProcSample.Read(_servers.InfluxPid);
        var driver0 = ProcSample.Read(Environment.ProcessId);
        FleetStep published;
        double rssPeak;
        await using (var rss = new RssWatcher(targetPid ?? Environment.ProcessId))
        {
            await using (subscriber is null ? new VisibilityProbe(_influx, database, fleet, endToEnd) : null)
                published = await fleet.RunStepAsync(rate, length, publishAck, cancellationToken);
            rssPeak = rss.PeakMb;
        }

        var cpu1 = ProcSample.Read(targetPid);
        var broker1 = ProcSample.Read(_servers.MosquittoPid);
        var influx1 = ProcSample.Read(_servers.InfluxPid);
        var driver1 = ProcSample.Read(Environment.ProcessId);

        async Task<long> StoredAsync() => subscriber is not null
            ? subscriber.Readings - receivedBefore
            : await _influx.CountAsync(database, fleet.Shape.EnterprisePrefix, published.FirstTs, published.LastTs, cancellationToken);

        var storedAtEnd = await StoredAsync();
        var stored = storedAtEnd;
        var drainClock = Stopwatch.StartNew();
        if (drain)
        {
            while (stored < published.Readings && drainClock.Elapsed.TotalSeconds < settings.DrainSeconds)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(subscriber is null ? 500 : 100), cancellationToken);
                stored = await StoredAsync();
            }
        }

        var seconds = published.Elapsed.TotalSeconds;
        var offered = published.Readings / seconds;
        var e2e = endToEnd.Snapshot();
        var lost = Math.Max(0, published.Readings - stored);
        var verdict = new List<string>();
        if (offered < 0.9 * rate)
            verdict.Add("publisher could not offer the rate");
        if (lost > 0)
            verdict.Add(string.Create(CultureInfo.InvariantCulture, $"{lost} readings missing after {settings.DrainSeconds:0} s"));
        if (e2e is null || e2e.P99 > settings.MaxLagMs)
            verdict.Add(string.Create(CultureInfo.InvariantCulture, $"end-to-end p99 {e2e?.P99 ?? double.NaN:0} ms > {settings.MaxLagMs:0} ms"));
        if (published.Failures > 0)
            verdict.Add(string.Create(CultureInfo.InvariantCulture, $"{published.Failures} publishes failed"));

        return new StepResult
        {
            Target = target,
            Profile = profile,
            TargetRate = rate,
            FirstTs = published.FirstTs,
            LastTs = published.LastTs,
            OfferedRate = Math.Round(offered),
            AchievedRate = Math.Round(Math.Min(storedAtEnd, published.Readings) / seconds),
            Published = published.Readings,
            Stored = stored,
            Lost = lost,
            PublishFailures = published.Failures,
            StepSeconds = Math.Round(seconds, 2),
            DrainSeconds = drain ? Math.Round(drainClock.Elapsed.TotalSeconds, 1) : 0,
            PublishAck = publishAck.Snapshot(),
            EndToEnd = e2e,
            Alarm = alarms?.Between(published.FirstTs, published.LastTs).Snapshot(),
            AlarmCrossings = published.Crossings,
            TargetCpuPercent = targetPid is null ? double.NaN : ProcSample.CpuPercent(cpu0, cpu1),
            TargetRssPeakMb = targetPid is null ? double.NaN : Math.Round(rssPeak, 1),
            BrokerCpuPercent = ProcSample.CpuPercent(broker0, broker1),
            InfluxCpuPercent = ProcSample.CpuPercent(influx0, influx1),
            DriverCpuPercent = ProcSample.CpuPercent(driver0, driver1),
            Held = verdict.Count == 0,
            Verdict = verdict.Count == 0 ? "held" : string.Join("; ", verdict),
        };
    }

    private static string Line(StepResult s) => string.Create(
        CultureInfo.InvariantCulture,
        $"  {s.Target}/{s.Profile} {s.TargetRate,8:0}/s: offered {s.OfferedRate,8:0} achieved {s.AchievedRate,8:0} lost {s.Lost} e2e p99 {s.EndToEnd?.P99 ?? double.NaN:0.0} ms alarm p99 {s.Alarm?.P99 ?? double.NaN:0.0} ms ({s.Alarm?.Count ?? 0}/{s.AlarmCrossings}) cpu {s.TargetCpuPercent:0}% -> {s.Verdict}");

    /// <summary>Direct line-protocol writes: several writers, batches of 5000 lines, flat out.</summary>
    private async Task<InfluxCeiling> InfluxCeilingAsync(CancellationToken cancellationToken)
    {
        const int writers = 4;
        const int batchLines = 5000;
        var database = $"lt_{_run}_influx";
        await _influx.CreateDatabaseAsync(database, cancellationToken);
        log($"influx ceiling: {writers} writers x {batchLines} lines for {settings.InfluxSeconds} s");
        var latency = new Latency();
        long written = 0;
        var baseTs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - 3_600_000;
        var influx0 = ProcSample.Read(_servers.InfluxPid);
        var clock = Stopwatch.StartNew();
        var duration = TimeSpan.FromSeconds(settings.InfluxSeconds);
        var tasks = Enumerable.Range(0, writers).Select(w => Task.Run(
            async () =>
            {
                var text = new StringBuilder(batchLines * 80);
                for (var batch = 0; clock.Elapsed < duration; batch++)
                {
                    text.Clear();
                    // 100 gateways x 50 points: the fleet's shape; a new millisecond per batch keeps every point distinct.
                    for (var line = 0; line < batchLines; line++)
                        text.Append(CultureInfo.InvariantCulture, $"telemetry,ent={EnterprisePrefix}W{w},gw=gw{line / 50:D3},point=SIM.P{line % 50:D5} value={50 + (line % 7)} {baseTs + batch}\n");
                    var sent = Stopwatch.GetTimestamp();
                    if (await _influx.WriteAsync(database, text.ToString(), cancellationToken))
                    {
                        latency.Record(Stopwatch.GetElapsedTime(sent));
                        Interlocked.Add(ref written, batchLines);
                    }
                }
            },
            cancellationToken)).ToArray();
        await Task.WhenAll(tasks);
        var seconds = clock.Elapsed.TotalSeconds;
        var cpu = ProcSample.CpuPercent(influx0, ProcSample.Read(_servers.InfluxPid));
        var stored = await _influx.ScalarAsync(database, "SELECT count(value) FROM telemetry", cancellationToken);
        var result = new InfluxCeiling(writers, batchLines, Math.Round(seconds, 2), written, stored, Math.Round(stored / seconds), latency.Snapshot(), cpu);
        log(string.Create(CultureInfo.InvariantCulture, $"  influx ceiling: {result.Rate:0} points/s ({stored}/{written} stored)"));
        return result;
    }

    /// <summary>The service at one rate for a long time, in windows: memory and latency per window, loss counted at the end.</summary>
    private async Task<IReadOnlyList<StepResult>> SoakAsync(double rate, CancellationToken cancellationToken)
    {
        var shape = Shape("batch", settings.PointsPerMessage);
        var database = $"lt_{_run}_service_soak";
        var topicRoot = $"lt/{_run}/soak";
        log(string.Create(CultureInfo.InvariantCulture, $"soak: {rate:0} readings/s for {settings.SoakMinutes} min"));
        await using var fleet = await FleetLoad.ConnectAsync(shape, new BrokerEndpoint("127.0.0.1", _servers.MqttPort), topicRoot, cancellationToken);
        await using var alarms = await AlarmListener.StartAsync(_servers.AmqpPort, shape.EnterprisePrefix, cancellationToken);
        await using var child = await StartServiceAsync(shape, database, topicRoot, Path.Combine(_servers.Work, "soak"), cancellationToken);
        var windows = new List<StepResult>();
        var window = TimeSpan.FromSeconds(Math.Min(60, settings.SoakMinutes * 60));
        var count = (int)Math.Ceiling(settings.SoakMinutes * 60 / window.TotalSeconds);
        for (var i = 0; i < count; i++)
        {
            var step = await StepAsync("service", "soak", rate, window, fleet, database, null, child, alarms, drain: i == count - 1, cancellationToken);
            windows.Add(step);
            log(Line(step));
        }

        // Loss per window is exact only once everything has drained: count each window's time range again.
        var final = new List<StepResult>();
        foreach (var w in windows)
        {
            var stored = await _influx.CountAsync(database, shape.EnterprisePrefix, w.FirstTs, w.LastTs, cancellationToken);
            var lost = Math.Max(0, w.Published - stored);
            final.Add(w with { Stored = stored, Lost = lost, Held = lost == 0 && w.EndToEnd is { } e && e.P99 <= settings.MaxLagMs, Verdict = lost == 0 ? w.Verdict.Replace("readings missing", "readings missing at the window's end (stored later)", StringComparison.Ordinal) : w.Verdict });
        }

        await child.StopAsync(TimeSpan.FromSeconds(20));
        _notes.Add(string.Create(CultureInfo.InvariantCulture, $"soak at {rate:0} readings/s, {count} windows of {window.TotalSeconds:0} s; loss is counted per window after the last drain"));
        return final;
    }

    private double DefaultSoakRate()
    {
        var results = Path.Combine(settings.RepositoryRoot, "loadtests", "results");
        if (Directory.Exists(results))
        {
            foreach (var file in Directory.GetFiles(results, "result.json", SearchOption.AllDirectories).OrderDescending())
            {
                var run = System.Text.Json.JsonSerializer.Deserialize<RunResult>(File.ReadAllText(file), Report.Json);
                var knee = run?.Summaries.FirstOrDefault(s => s.Profile == "batch")?.ServiceKnee;
                if (knee is > 0)
                {
                    _notes.Add($"soak rate: 70% of the service knee in {file}");
                    return 0.7 * knee.Value;
                }
            }
        }

        throw new ArgumentException($"no earlier run under {results} to take the knee from: pass --rate <readings/s>");
    }

    private static Summary Summarise(string profile, List<LadderResult> ladders, InfluxCeiling? ceiling)
    {
        double? Knee(string target) => ladders.FirstOrDefault(l => l.Target == target && l.Profile == profile)?.Knee?.TargetRate;
        var service = Knee("service");
        var forwarder = Knee("forwarder");
        var broker = Knee("broker");
        var brokerLadder = ladders.FirstOrDefault(l => l.Target == "broker" && l.Profile == profile);
        var brokerTopHeld = brokerLadder is not null && brokerLadder.Steps.Count > 0 && brokerLadder.Steps.All(s => s.Held);
        double? Ratio(double? a, double? b) => a is { } x && b is > 0 ? Math.Round(x / b.Value, 2) : null;
        StepResult? half = null;
        var serviceLadder = ladders.FirstOrDefault(l => l.Target == "service" && l.Profile == profile);
        if (service is { } knee && serviceLadder is not null)
            half = serviceLadder.Steps.Where(s => s.Held && s.Alarm is not null).MinBy(s => Math.Abs(s.TargetRate - (knee / 2)));
        return new Summary(profile, service, forwarder, broker, brokerTopHeld, ceiling?.Rate, Ratio(service, forwarder), Ratio(service, broker), Ratio(service, ceiling?.Rate), half?.Alarm?.P99, half?.TargetRate);
    }

    private static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "?";
        }
    }

    private static MachineFacts Machine(string loadAtStart)
    {
        string Read(string file, string key)
        {
            try
            {
                var line = File.ReadLines(file).FirstOrDefault(l => l.StartsWith(key, StringComparison.Ordinal));
                return line is null ? "?" : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
            catch (IOException)
            {
                return "?";
            }
        }

        var memKb = Read("/proc/meminfo", "MemTotal").Replace("kB", string.Empty, StringComparison.Ordinal).Trim();
        var os = Read("/etc/os-release", "PRETTY_NAME").Replace("PRETTY_NAME=", string.Empty, StringComparison.Ordinal).Trim('"');
        if (os == "?")
            os = System.Runtime.InteropServices.RuntimeInformation.OSDescription;
        return new MachineFacts(
            Read("/proc/cpuinfo", "model name"),
            Environment.ProcessorCount,
            Math.Round(double.TryParse(memKb, NumberStyles.Integer, CultureInfo.InvariantCulture, out var kb) ? kb / 1024 / 1024 : 0, 1),
            os,
            Environment.OSVersion.VersionString,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            loadAtStart,
            LoadAverage(),
            "mosquitto, influxd, rabbitmq, the service or reference and this driver all share the machine");
    }
}

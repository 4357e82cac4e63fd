using System.Globalization;
using Monitoring.Simulators.Accept;
using Monitoring.Simulators.Fleet;
using Monitoring.Simulators.Gateway;
using Monitoring.Simulators.Plants;
using Monitoring.Simulators.Recording;
using Monitoring.Simulators.Scenarios;

namespace Monitoring.Simulators.Cli;

/// <summary>The <c>Monitoring.Simulators</c> command line. Exit codes: 0 success, 1 an expectation failed, 2 usage or scenario error, 3 a server unreachable.</summary>
public static class CommandLine
{
    public const int Ok = 0;
    public const int ExpectationFailed = 1;
    public const int BadInput = 2;
    public const int Unreachable = 3;

    private static readonly HashSet<string> Flags = new(StringComparer.Ordinal) { "sequential", "help" };

    public const string Usage = """
        Monitoring.Simulators: plant simulators and acceptance runs for the monitoring service.

        usage: dotnet run --project simulators/Monitoring.Simulators -- COMMAND [options]

          run SCENARIO...       publish scenarios to the broker (real time, or --speed N)
          accept SCENARIO|DIR...  run scenarios against a live system and check their expectations
                                  alarms from --api URL (default http://127.0.0.1:5080, the embedded default)
                                  or RabbitMQ with --amqp HOST:PORT [--vhost /] [--amqp-user guest] [--amqp-password guest]
                                  --junit FILE   also write JUnit XML;  --timeout 15s  --grace 2s  --sequential
          record --out FILE     capture every message under the topic root, with timing [--duration 60s]
          replay FILE           publish a recording again [--timestamps preserve|rewrite] [--speed 1]
          fleet                 load: --enterprises N --gateways M --points K --rate HZ --duration 60s [--prefix SIMFLEET]
          validate SCENARIO...  check scenario files only
          plants                list the plant models and their tags

        common options: --host 127.0.0.1  --port 1883  --topic-root mon/v1  --user U --password P
                        --speed N (sensor seconds per wall second; max = no waiting)  --skew 2s (gateway clock skew)
        """;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        ConsoleCancelEventHandler onCancel = (_, e) =>
        {
            e.Cancel = true;
            cts.Cancel();
        };
        Console.CancelKeyPress += onCancel;
        try
        {
            if (args.Length == 0 || args[0] is "help" or "--help" or "-h")
            {
                output.WriteLine(Usage);
                return args.Length == 0 ? BadInput : Ok;
            }

            var command = args[0];
            var a = Arguments.Parse(args.Skip(1), Flags);
            return command switch
            {
                "run" => await RunCommandAsync(a, output, errors, cts.Token),
                "accept" => await AcceptCommandAsync(a, output, errors, cts.Token),
                "record" => await RecordCommandAsync(a, output, cts.Token),
                "replay" => await ReplayCommandAsync(a, output, errors, cts.Token),
                "fleet" => await FleetCommandAsync(a, output, errors, cts.Token),
                "validate" => Validate(a, output),
                "plants" => Plants(a, output),
                _ => throw new UsageException($"unknown command '{command}' (run, accept, record, replay, fleet, validate, plants)"),
            };
        }
        catch (UsageException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            errors.WriteLine("see: Monitoring.Simulators help");
            return BadInput;
        }
        catch (ScenarioException ex)
        {
            foreach (var error in ex.Errors)
                errors.WriteLine($"error: {error}");
            return BadInput;
        }
        catch (InvalidDataException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            return BadInput;
        }
        catch (BrokerUnreachableException ex)
        {
            errors.WriteLine($"error: {ex.Message}");
            return Unreachable;
        }
        catch (OperationCanceledException) when (cts.IsCancellationRequested)
        {
            errors.WriteLine("stopped");
            return ExpectationFailed;
        }
        finally
        {
            Console.CancelKeyPress -= onCancel;
        }
    }

    private static BrokerEndpoint Broker(Arguments a) =>
        new(a.String("host", "127.0.0.1"), a.Int("port", 1883), a.String("user"), a.String("password"));

    /// <summary>Scenario files from arguments; a folder stands for every *.yaml in it. All files are parsed before anything runs.</summary>
    public static List<Scenario> LoadScenarios(IEnumerable<string> paths)
    {
        var files = new List<string>();
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
                files.AddRange(Directory.GetFiles(path, "*.yaml").Order(StringComparer.Ordinal));
            else
                files.Add(path);
        }

        if (files.Count == 0)
            throw new UsageException("no scenario files given");
        var scenarios = new List<Scenario>();
        var errors = new List<string>();
        foreach (var file in files)
        {
            try
            {
                scenarios.Add(ScenarioParser.ParseFile(file));
            }
            catch (ScenarioException ex)
            {
                errors.AddRange(ex.Errors);
            }
        }

        return errors.Count > 0 ? throw new ScenarioException(errors) : scenarios;
    }

    private static RunOptions RunOptionsFrom(Arguments a, TextWriter errors)
    {
        var skew = a.String("skew") is null ? (TimeSpan?)null : a.Duration("skew", TimeSpan.Zero);
        return new RunOptions
        {
            Broker = Broker(a),
            TopicRoot = a.String("topic-root", "mon/v1"),
            Speed = a.Double("speed", 1),
            ClockSkew = skew,
            Progress = ProgressPrinter(errors),
            Clock = new SensorClock(),
        };
    }

    private static Action<Scenario, TimeSpan, TimeSpan> ProgressPrinter(TextWriter errors)
    {
        var count = 0;
        return (scenario, done, total) =>
        {
            // On a terminal the line is rewritten in place; in a log only every tenth second is kept.
            if (!Console.IsErrorRedirected)
                errors.Write($"\r  {scenario.Name}: {ScenarioTime.Format(done)} / {ScenarioTime.Format(total)} sensor time   ");
            else if (count++ % 10 == 0)
                errors.WriteLine($"  {scenario.Name}: {ScenarioTime.Format(done)} / {ScenarioTime.Format(total)} sensor time");
        };
    }

    private static async Task<int> RunCommandAsync(Arguments a, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var options = RunOptionsFrom(a, errors);
        a.RejectUnknown("run");
        var scenarios = LoadScenarios(a.Positional);
        foreach (var scenario in scenarios)
        {
            var start = options.Time.GetUtcNow().ToUnixTimeMilliseconds();
            output.WriteLine($"run {scenario.Name}: plant {scenario.Plant.Key} ({scenario.Plant.Enterprise}), gateways {string.Join(",", scenario.Gateways)}, {ScenarioTime.Format(scenario.Duration)} at speed {(options.Speed <= 0 ? "max" : options.Speed.ToString(CultureInfo.InvariantCulture))} to {options.Broker} under {options.TopicRoot}");
            foreach (var e in scenario.Timeline)
                output.WriteLine($"  {e}");
            var result = await ScenarioRunner.RunAsync(scenario, start, options, cancellationToken);
            if (!Console.IsErrorRedirected)
                errors.WriteLine();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done: {result.Messages} messages, {result.Points} points (sim: true), sensor time {DateTimeOffset.FromUnixTimeMilliseconds(result.StartMs):O} .. {DateTimeOffset.FromUnixTimeMilliseconds(result.EndMs):O}"));
        }

        return Ok;
    }

    private static async Task<int> AcceptCommandAsync(Arguments a, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var run = RunOptionsFrom(a, errors);
        var amqp = a.String("amqp");
        var api = a.String("api", "http://127.0.0.1:5080");
        var vhost = a.String("vhost", "/");
        var amqpUser = a.String("amqp-user", "guest");
        var amqpPassword = a.String("amqp-password", "guest");
        var junit = a.String("junit");
        var options = new AcceptOptions
        {
            Run = run,
            Timeout = a.Duration("timeout", TimeSpan.FromSeconds(15)),
            Grace = a.Duration("grace", TimeSpan.FromSeconds(2)),
            PlantsInParallel = !a.Flag("sequential"),
            Log = output.WriteLine,
        };
        a.RejectUnknown("accept");
        var scenarios = LoadScenarios(a.Positional);

        IAlarmWatcher watcher;
        if (amqp is not null)
        {
            var (host, port) = HostPort(amqp, 5672);
            watcher = new RabbitAlarmWatcher(host, port, vhost, amqpUser, amqpPassword);
        }
        else
        {
            watcher = new ApiAlarmWatcher(new Uri(api), clock: run.Clock, speed: run.Speed);
        }

        await using (watcher)
        {
            await watcher.StartAsync(cancellationToken);
            output.WriteLine($"accept {scenarios.Count.ToString(CultureInfo.InvariantCulture)} scenario(s): publishing to {run.Broker} under {run.TopicRoot}, watching alarms on {watcher.Source}");
            var report = await new AcceptRunner(watcher, options).RunAsync(scenarios, cancellationToken);
            report.WriteText(output);
            if (junit is not null)
            {
                report.ToJUnit().Save(junit);
                output.WriteLine($"JUnit XML: {junit}");
            }

            return report.Success ? Ok : ExpectationFailed;
        }
    }

    private static (string Host, int Port) HostPort(string text, int defaultPort)
    {
        var colon = text.LastIndexOf(':');
        if (colon < 0)
            return (text, defaultPort);
        return int.TryParse(text[(colon + 1)..], NumberStyles.Integer, CultureInfo.InvariantCulture, out var port)
            ? (text[..colon], port)
            : throw new UsageException($"expected HOST:PORT, got '{text}'");
    }

    private static async Task<int> RecordCommandAsync(Arguments a, TextWriter output, CancellationToken cancellationToken)
    {
        var broker = Broker(a);
        var root = a.String("topic-root", "mon/v1");
        var path = a.String("out") ?? throw new UsageException("record needs --out FILE");
        var duration = a.String("duration") is null ? (TimeSpan?)null : a.Duration("duration", TimeSpan.Zero);
        a.RejectUnknown("record");
        await using var recorder = await Recorder.StartAsync(broker, root, path, null, cancellationToken);
        output.WriteLine($"recording {root}/# from {broker} to {path}{(duration is null ? " until Ctrl-C" : $" for {ScenarioTime.Format(duration.Value)}")}");
        try
        {
            await Task.Delay(duration ?? Timeout.InfiniteTimeSpan, TimeProvider.System, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Ctrl-C ends a recording normally.
        }

        output.WriteLine($"recorded {recorder.Messages.ToString(CultureInfo.InvariantCulture)} messages");
        return Ok;
    }

    private static async Task<int> ReplayCommandAsync(Arguments a, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var broker = Broker(a);
        var root = a.String("topic-root");
        var speed = a.Double("speed", 1);
        var mode = a.String("timestamps", "preserve");
        if (mode is not "preserve" and not "rewrite")
            throw new UsageException($"--timestamps is preserve or rewrite: '{mode}'");
        a.RejectUnknown("replay");
        if (a.Positional.Count != 1)
            throw new UsageException("replay takes one recording file");
        var recording = RecordingFormat.Read(a.Positional[0]);
        output.WriteLine($"replaying {recording.Messages.Count.ToString(CultureInfo.InvariantCulture)} messages to {broker} under {root ?? recording.TopicRoot}, timestamps {mode}");
        var result = await Replayer.ReplayAsync(recording, new ReplayOptions
        {
            Broker = broker,
            TopicRoot = root,
            Speed = speed,
            RewriteTimestamps = mode == "rewrite",
            Progress = (done, total) => errors.WriteLine($"  {done.ToString(CultureInfo.InvariantCulture)} / {total.ToString(CultureInfo.InvariantCulture)} messages"),
        }, cancellationToken);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"replayed {result.Messages} messages, timestamps shifted by {result.DeltaMs} ms"));
        return Ok;
    }

    private static async Task<int> FleetCommandAsync(Arguments a, TextWriter output, TextWriter errors, CancellationToken cancellationToken)
    {
        var options = new FleetOptions
        {
            Broker = Broker(a),
            TopicRoot = a.String("topic-root", "mon/v1"),
            Enterprises = a.Int("enterprises", 1),
            GatewaysPerEnterprise = a.Int("gateways", 1),
            PointsPerGateway = a.Int("points", 10),
            RateHz = a.Double("rate", 1),
            Duration = a.Duration("duration", TimeSpan.FromSeconds(60)),
            EnterprisePrefix = a.String("prefix", "SIMFLEET"),
            Progress = p => errors.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {p.Elapsed.TotalSeconds:0}s: {p.Messages} messages, {p.Points} points ({p.Points / Math.Max(p.Elapsed.TotalSeconds, 0.001):0} points/s), {p.Failures} failed")),
        };
        a.RejectUnknown("fleet");
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fleet: {options.Enterprises} enterprises x {options.GatewaysPerEnterprise} gateways x {options.PointsPerGateway} points at {options.RateHz} Hz for {options.Duration.TotalSeconds} s to {options.Broker}"));
        FleetProgress result;
        try
        {
            result = await FleetRunner.RunAsync(options, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            output.WriteLine("stopped");
            return Ok;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"done: {result.Messages} messages, {result.Points} points in {result.Elapsed.TotalSeconds:0.0} s ({result.Points / Math.Max(result.Elapsed.TotalSeconds, 0.001):0} points/s), {result.Failures} failed"));
        return result.Failures == 0 ? Ok : ExpectationFailed;
    }

    private static int Validate(Arguments a, TextWriter output)
    {
        a.RejectUnknown("validate");
        var scenarios = LoadScenarios(a.Positional);
        foreach (var s in scenarios)
            output.WriteLine($"ok  {s.File}: {s.Name} ({s.Plant.Key}, {s.Timeline.Count.ToString(CultureInfo.InvariantCulture)} events, {s.Expectations.Count.ToString(CultureInfo.InvariantCulture)} expectations)");
        return Ok;
    }

    private static int Plants(Arguments a, TextWriter output)
    {
        a.RejectUnknown("plants");
        foreach (var plant in PlantCatalog.All)
        {
            output.WriteLine($"{plant.Key}: {plant.Name}, enterprise {plant.Enterprise}");
            foreach (var s in plant.Signals)
                output.WriteLine($"  {s.Gateway}  {s.Tag,-32} {s.Unit,-6} {s.Kind,-10} {s.Description}");
        }

        return Ok;
    }
}

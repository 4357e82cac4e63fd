using System.Globalization;
using System.Reflection;

namespace Monitoring.LoadTests;

/// <summary>Command line of the driver: <c>run</c>, <c>smoke</c> or <c>soak</c>, then <c>--name value</c> options.</summary>
public sealed record LoadSettings
{
    public const string Usage = """
        Monitoring.LoadTests <run|smoke|soak> [options]
          run     stepped load on the service and the three references, both profiles (default)
          smoke   a short, small run of every target (CI)
          soak    the service at a steady rate for --minutes (default 70% of the last run's knee)
        options:
          --out <folder>            results folder (default loadtests/results/<timestamp>)
          --step-seconds <n>        length of one step (run: 20, smoke: 6)
          --steps <r,r,...>         offered readings/s of the batched profile
          --single-steps <r,...>    offered readings/s of the single-reading profile
          --profiles batch,single   which profiles to run
          --targets broker,forwarder,service,influx
          --gateways <n>            MQTT connections of the fleet (default 200; smoke 20)
          --points <n>              readings per message in the batched profile (default 50)
          --alarm-every <n>         one reading in n crosses the alarm limit (default 5000)
          --max-lag-ms <n>          a step is held only if the end-to-end p99 stays below (default 2000)
          --drain-seconds <n>       wait at most this long after a step for stragglers (default 20)
          --influx-seconds <n>      length of the InfluxDB ceiling run (default = step length)
          --minutes <n>             soak length (default 10)
          --rate <r>                soak rate in readings/s (default 0.7 x the last run's service knee)
          --repo <folder>           repository root (found from the current folder by default)
          --broker-autosave <s>     Mosquitto's autosave_interval (default 30, as in production; the tests'
                                    1 s rewrites the whole store every second: heavy with a backlog)
          --set <Key=Value>         extra service setting, e.g. --set Monitoring:Pipeline:Partitions=2
        """;

    public required string Mode { get; init; }
    public required string OutputFolder { get; init; }
    public required string RepositoryRoot { get; init; }
    public double StepSeconds { get; init; } = 20;
    public IReadOnlyList<double> BatchSteps { get; init; } = [10_000, 25_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000, 400_000];
    public IReadOnlyList<double> SingleSteps { get; init; } = [2_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000];
    public IReadOnlyList<string> Profiles { get; init; } = ["batch", "single"];
    public IReadOnlyList<string> Targets { get; init; } = ["influx", "broker", "forwarder", "service"];
    public int Gateways { get; init; } = 200;
    public int PointsPerMessage { get; init; } = 50;
    public int AlarmEvery { get; init; } = 5000;
    public double MaxLagMs { get; init; } = 2000;
    public double DrainSeconds { get; init; } = 20;
    public double InfluxSeconds { get; init; }
    public double SoakMinutes { get; init; } = 10;
    public double? SoakRate { get; init; }
    public int BrokerAutosaveSeconds { get; init; } = 30;
    public IReadOnlyDictionary<string, string> ServiceSettings { get; init; } = new Dictionary<string, string>();

    public static LoadSettings Parse(string[] args)
    {
        var mode = args.Length > 0 && !args[0].StartsWith('-') ? args[0] : "run";
        if (mode is not ("run" or "smoke" or "soak"))
            throw new ArgumentException($"unknown command '{mode}'{Environment.NewLine}{Usage}");
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var service = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = mode == args.FirstOrDefault() ? 1 : 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
                throw new ArgumentException($"expected '--name value' at '{args[i]}'{Environment.NewLine}{Usage}");
            var name = args[i][2..];
            var value = args[++i];
            if (name == "set")
            {
                var eq = value.IndexOf('=', StringComparison.Ordinal);
                service[value[..eq]] = value[(eq + 1)..];
            }
            else
            {
                values[name] = value;
            }
        }

        var repo = values.TryGetValue("repo", out var r) ? Path.GetFullPath(r) : FindRepositoryRoot();
        var stamp = TimeProvider.System.GetUtcNow().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
        var settings = new LoadSettings
        {
            Mode = mode,
            RepositoryRoot = repo,
            OutputFolder = values.TryGetValue("out", out var o) ? Path.GetFullPath(o) : Path.Combine(repo, "loadtests", "results", $"{stamp}-{mode}"),
            ServiceSettings = service,
        };
        if (mode == "smoke")
        {
            settings = settings with
            {
                StepSeconds = 6,
                BatchSteps = [5_000],
                Profiles = ["batch"],
                Gateways = 20,
                AlarmEvery = 1000,
                DrainSeconds = 15,
                InfluxSeconds = 3,
            };
        }

        return settings with
        {
            StepSeconds = Number(values, "step-seconds", settings.StepSeconds),
            BatchSteps = List(values, "steps", settings.BatchSteps),
            SingleSteps = List(values, "single-steps", settings.SingleSteps),
            Profiles = values.TryGetValue("profiles", out var p) ? p.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : settings.Profiles,
            Targets = values.TryGetValue("targets", out var t) ? t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : settings.Targets,
            Gateways = (int)Number(values, "gateways", settings.Gateways),
            PointsPerMessage = (int)Number(values, "points", settings.PointsPerMessage),
            AlarmEvery = (int)Number(values, "alarm-every", settings.AlarmEvery),
            MaxLagMs = Number(values, "max-lag-ms", settings.MaxLagMs),
            DrainSeconds = Number(values, "drain-seconds", settings.DrainSeconds),
            InfluxSeconds = Number(values, "influx-seconds", settings.InfluxSeconds > 0 ? settings.InfluxSeconds : Number(values, "step-seconds", settings.StepSeconds)),
            SoakMinutes = Number(values, "minutes", settings.SoakMinutes),
            SoakRate = values.TryGetValue("rate", out var rate) ? double.Parse(rate, CultureInfo.InvariantCulture) : null,
            BrokerAutosaveSeconds = (int)Number(values, "broker-autosave", settings.BrokerAutosaveSeconds),
        };
    }

    /// <summary>The settings as strings, for the report.</summary>
    public IReadOnlyDictionary<string, string> Describe() => new SortedDictionary<string, string>(StringComparer.Ordinal)
    {
        ["stepSeconds"] = Invariant.F(StepSeconds),
        ["batchSteps"] = string.Join(',', BatchSteps.Select(s => Invariant.F(s))),
        ["singleSteps"] = string.Join(',', SingleSteps.Select(s => Invariant.F(s))),
        ["profiles"] = string.Join(',', Profiles),
        ["targets"] = string.Join(',', Targets),
        ["gateways"] = Invariant.F(Gateways),
        ["pointsPerMessage"] = Invariant.F(PointsPerMessage),
        ["alarmEvery"] = Invariant.F(AlarmEvery),
        ["maxLagMs"] = Invariant.F(MaxLagMs),
        ["drainSeconds"] = Invariant.F(DrainSeconds),
        ["influxSeconds"] = Invariant.F(InfluxSeconds),
        ["brokerAutosaveSeconds"] = Invariant.F(BrokerAutosaveSeconds),
        ["serviceSettings"] = string.Join(' ', ServiceSettings.Select(s => $"{s.Key}={s.Value}")),
    };

    private static double Number(Dictionary<string, string> values, string name, double fallback) =>
        values.TryGetValue(name, out var v) ? double.Parse(v, CultureInfo.InvariantCulture) : fallback;

    private static IReadOnlyList<double> List(Dictionary<string, string> values, string name, IReadOnlyList<double> fallback) =>
        values.TryGetValue(name, out var v) ? v.Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToArray() : fallback;

    private static string FindRepositoryRoot()
    {
        var built = typeof(LoadSettings).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "RepositoryRoot")?.Value;
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory, built ?? "/" })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Monitoring.sln")))
                    return dir.FullName;
            }
        }

        throw new InvalidOperationException("cannot find the repository root (Monitoring.sln): pass --repo.");
    }
}

using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Exporters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Loggers;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Monitoring.Benchmarks;

/// <summary>
/// <c>--check-allocations</c>: runs every benchmark with a fast in-process job (allocations are counted exactly,
/// they need no long runs) and compares bytes per operation with allocation-baselines.json. Exit code 0 when
/// every benchmark is within its baseline, 1 otherwise, naming each offender.
/// </summary>
internal static class AllocationCheck
{
    public const string Flag = "--check-allocations";
    private const string BaselineFile = "allocation-baselines.json";

    public static int Run(string[] args)
    {
        var baselinePath = BaselinePath(args);
        Dictionary<string, double> baselines;
        try
        {
            baselines = AllocationGate.ParseBaselines(File.ReadAllText(baselinePath));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or System.Text.Json.JsonException)
        {
            Console.Error.WriteLine($"allocation check: cannot read {baselinePath}: {e.Message}");
            return 2;
        }

        // In process: no per-run project build (tens of seconds on 2 cores). Short iterations: the memory
        // diagnoser counts allocated bytes in a dedicated run after the warmed-up workload, so time precision
        // does not matter here.
        var job = Job.Dry
            .WithToolchain(InProcessEmitToolchain.DontLogOutput)
            .WithStrategy(BenchmarkDotNet.Engines.RunStrategy.Throughput)
            .WithWarmupCount(2)
            .WithIterationCount(3)
            .WithIterationTime(TimeInterval.FromMilliseconds(50))
            .WithEvaluateOverhead(false)
            .WithId("AllocationCheck");
        var config = ManualConfig.CreateEmpty()
            .AddJob(job)
            .AddDiagnoser(MemoryDiagnoser.Default)
            .AddLogger(new ErrorLogger())
            .AddColumnProvider(BenchmarkDotNet.Columns.DefaultColumnProviders.Instance)
            .AddExporter(MarkdownExporter.GitHub)
            .WithArtifactsPath(Path.Combine(Path.GetTempPath(), "monitoring-allocation-check"))
            .WithOptions(ConfigOptions.JoinSummary);

        var started = TimeProvider.System.GetTimestamp();
        var summaries = BenchmarkRunner.Run(typeof(AllocationCheck).Assembly, config);
        var results = new List<AllocationResult>();
        foreach (var summary in summaries)
        {
            foreach (var benchmarkCase in summary.BenchmarksCases)
            {
                var report = summary[benchmarkCase];
                double? bytes = report is { Success: true } && report.GcStats.TotalOperations > 0
                    && report.GcStats.GetTotalAllocatedBytes(excludeAllocationQuantumSideEffects: true) is { } total
                    ? (double)total / report.GcStats.TotalOperations
                    : null;
                results.Add(new AllocationResult(FullNameProvider.GetBenchmarkName(benchmarkCase), bytes));
            }
        }

        foreach (var result in results.OrderBy(r => r.Benchmark, StringComparer.Ordinal))
        {
            var shown = result.BytesPerOperation is { } b ? b.ToString("0.###", CultureInfo.InvariantCulture) : "-";
            var allowed = baselines.TryGetValue(result.Benchmark, out var a) ? a.ToString("0.###", CultureInfo.InvariantCulture) : "-";
            Console.WriteLine($"{shown,10} B/op  (baseline {allowed,5})  {result.Benchmark}");
        }

        var violations = AllocationGate.Compare(results, baselines);
        var seconds = TimeProvider.System.GetElapsedTime(started).TotalSeconds;
        if (violations.Count == 0)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocation check: {results.Count} benchmarks within their baselines ({seconds:0} s)"));
            return 0;
        }

        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"allocation check FAILED: {violations.Count} problem(s) against {baselinePath} ({seconds:0} s)"));
        foreach (var violation in violations)
        {
            Console.Error.WriteLine($"  {violation}");
        }

        return 1;
    }

    /// <summary><c>--baselines &lt;file&gt;</c>, else the file next to this project's sources (found from the working directory or the binary).</summary>
    private static string BaselinePath(string[] args)
    {
        var at = Array.IndexOf(args, "--baselines");
        if (at >= 0 && at + 1 < args.Length)
        {
            return Path.GetFullPath(args[at + 1]);
        }

        foreach (var start in new[] { Environment.CurrentDirectory, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                foreach (var candidate in new[] { Path.Combine(dir.FullName, BaselineFile), Path.Combine(dir.FullName, "loadtests", "Monitoring.Benchmarks", BaselineFile) })
                {
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }
            }
        }

        return Path.GetFullPath(BaselineFile);
    }

    /// <summary>BenchmarkDotNet's progress output is thousands of lines; CI needs only its errors and our table.</summary>
    private sealed class ErrorLogger : ILogger
    {
        public string Id => nameof(ErrorLogger);

        public int Priority => 0;

        private bool _lineOpen;

        public void Write(LogKind logKind, string text)
        {
            if (logKind == LogKind.Error)
            {
                Console.Error.Write(text);
                _lineOpen = true;
            }
        }

        public void WriteLine()
        {
            if (_lineOpen)
            {
                Console.Error.WriteLine();
                _lineOpen = false;
            }
        }

        public void WriteLine(LogKind logKind, string text)
        {
            Write(logKind, text);
            WriteLine();
        }

        public void Flush() => Console.Error.Flush();
    }
}

using System.Globalization;
using System.Text.Json;

namespace Monitoring.Benchmarks;

/// <summary>One benchmark's measured allocation; null when BenchmarkDotNet produced no figure (it failed).</summary>
internal sealed record AllocationResult(string Benchmark, double? BytesPerOperation);

internal sealed record AllocationViolation(string Benchmark, string Problem)
{
    public override string ToString() => $"{Benchmark}: {Problem}";
}

/// <summary>
/// The CI gate on allocations: measured bytes per operation against the checked-in baselines. Pure (no
/// BenchmarkDotNet types), so that its tests need not run benchmarks. Linked into Monitoring.Rules.Tests.
/// </summary>
internal static class AllocationGate
{
    /// <summary>
    /// Every benchmark that allocates more than its baseline, has no baseline, or has no figure, and every baseline
    /// whose benchmark did not run (renamed or removed: a stale entry would otherwise guard nothing). Sorted by name.
    /// </summary>
    public static IReadOnlyList<AllocationViolation> Compare(IReadOnlyList<AllocationResult> results, IReadOnlyDictionary<string, double> baselines)
    {
        var violations = new List<AllocationViolation>();
        var measured = new HashSet<string>(StringComparer.Ordinal);
        foreach (var result in results)
        {
            measured.Add(result.Benchmark);
            if (!baselines.TryGetValue(result.Benchmark, out var allowed))
            {
                violations.Add(new(result.Benchmark, result.BytesPerOperation is { } b
                    ? $"no baseline (measured {Bytes(b)} B/op): add it to allocation-baselines.json"
                    : "no baseline and no allocation figure"));
            }
            else if (result.BytesPerOperation is not { } bytes || double.IsNaN(bytes))
            {
                violations.Add(new(result.Benchmark, "no allocation figure (did the benchmark fail?)"));
            }
            else if (bytes > allowed)
            {
                violations.Add(new(result.Benchmark, $"allocates {Bytes(bytes)} B/op, baseline {Bytes(allowed)} B/op"));
            }
        }

        foreach (var name in baselines.Keys)
        {
            if (!measured.Contains(name))
            {
                violations.Add(new(name, "baseline for a benchmark that did not run (renamed or removed?)"));
            }
        }

        violations.Sort((a, b) => StringComparer.Ordinal.Compare(a.Benchmark, b.Benchmark));
        return violations;
    }

    /// <summary>
    /// Reads <c>{ "bytesPerOperation": { "&lt;benchmark full name&gt;": &lt;allowed bytes&gt;, ... } }</c>; other top-level
    /// properties (comments) are ignored. Throws <see cref="FormatException"/> naming the problem.
    /// </summary>
    public static Dictionary<string, double> ParseBaselines(string json)
    {
        using var document = JsonDocument.Parse(json, new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip });
        if (document.RootElement.ValueKind != JsonValueKind.Object
            || !document.RootElement.TryGetProperty("bytesPerOperation", out var entries)
            || entries.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException("the baseline file must be an object with a 'bytesPerOperation' object");
        }

        var baselines = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var entry in entries.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetDouble(out var bytes) || bytes < 0)
            {
                throw new FormatException($"baseline '{entry.Name}' must be a number of bytes >= 0");
            }

            if (!baselines.TryAdd(entry.Name, bytes))
            {
                throw new FormatException($"baseline '{entry.Name}' is listed twice");
            }
        }

        return baselines;
    }

    private static string Bytes(double bytes) => bytes.ToString("0.###", CultureInfo.InvariantCulture);
}

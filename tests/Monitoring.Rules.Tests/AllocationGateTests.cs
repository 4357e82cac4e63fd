using Monitoring.Benchmarks;

namespace Monitoring.Rules.Tests;

/// <summary>The CI allocation gate (loadtests/Monitoring.Benchmarks --check-allocations) on made-up results: it must be able to fail.</summary>
public class AllocationGateTests
{
    private const string Decoder = "Monitoring.Benchmarks.DecoderBenchmarks.OnePoint";
    private const string Voting = "Monitoring.Benchmarks.RuleKindBenchmarks.Reading(Kind: Voting)";

    private static readonly Dictionary<string, double> ZeroBaselines = new(StringComparer.Ordinal) { [Decoder] = 0, [Voting] = 0 };

    [Fact]
    public void Compare_EveryBenchmarkAtZero_NoViolations()
    {
        var violations = AllocationGate.Compare([new(Decoder, 0), new(Voting, 0)], ZeroBaselines);

        Assert.Empty(violations);
    }

    [Fact]
    public void Compare_AllocatesMoreThanBaseline_NamesTheBenchmarkAndBothFigures()
    {
        var violations = AllocationGate.Compare([new(Decoder, 0), new(Voting, 24)], ZeroBaselines);

        var violation = Assert.Single(violations);
        Assert.Equal(Voting, violation.Benchmark);
        Assert.Equal("allocates 24 B/op, baseline 0 B/op", violation.Problem);
    }

    [Fact]
    public void Compare_FractionOfAByteOverZero_Fails()
    {
        // 10 objects per 1 000 readings: rounded to whole bytes it would read 0 and pass.
        var violations = AllocationGate.Compare([new(Decoder, 0.24), new(Voting, 0)], ZeroBaselines);

        Assert.Equal(Decoder, Assert.Single(violations).Benchmark);
    }

    [Fact]
    public void Compare_ExactlyAtANonZeroBaseline_Passes()
    {
        var baselines = new Dictionary<string, double>(StringComparer.Ordinal) { [Decoder] = 32 };

        Assert.Empty(AllocationGate.Compare([new(Decoder, 32)], baselines));
        Assert.Single(AllocationGate.Compare([new(Decoder, 32.5)], baselines));
    }

    [Fact]
    public void Compare_BenchmarkWithoutBaseline_IsAViolationEvenAtZero()
    {
        var violations = AllocationGate.Compare([new(Decoder, 0), new(Voting, 0), new("New.Benchmark", 0)], ZeroBaselines);

        var violation = Assert.Single(violations);
        Assert.Equal("New.Benchmark", violation.Benchmark);
        Assert.StartsWith("no baseline", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_BenchmarkWithoutFigure_IsAViolation()
    {
        var violations = AllocationGate.Compare([new(Decoder, null), new(Voting, 0)], ZeroBaselines);

        var violation = Assert.Single(violations);
        Assert.Equal(Decoder, violation.Benchmark);
        Assert.Contains("no allocation figure", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_BaselineWhoseBenchmarkDidNotRun_IsAViolation()
    {
        var violations = AllocationGate.Compare([new(Decoder, 0)], ZeroBaselines);

        var violation = Assert.Single(violations);
        Assert.Equal(Voting, violation.Benchmark);
        Assert.Contains("did not run", violation.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Compare_SeveralProblems_AllReportedSortedByName()
    {
        var violations = AllocationGate.Compare([new(Voting, 8), new("A.Unlisted", 0)], ZeroBaselines);

        Assert.Equal(["A.Unlisted", Decoder, Voting], violations.Select(v => v.Benchmark));
    }

    [Fact]
    public void ParseBaselines_ValidFile_ReadsEveryEntryAndIgnoresComments()
    {
        var baselines = AllocationGate.ParseBaselines($$"""
            {
              "comment": "why these figures",
              // JSON comments are allowed too
              "bytesPerOperation": { "{{Decoder}}": 0, "{{Voting}}": 16.5 }
            }
            """);

        Assert.Equal(2, baselines.Count);
        Assert.Equal(0, baselines[Decoder]);
        Assert.Equal(16.5, baselines[Voting]);
    }

    [Theory]
    [InlineData("""{ "other": {} }""")]
    [InlineData("""{ "bytesPerOperation": { "A": -1 } }""")]
    [InlineData("""{ "bytesPerOperation": { "A": "0" } }""")]
    [InlineData("""{ "bytesPerOperation": { "A": 0, "A": 0 } }""")]
    [InlineData("""[]""")]
    public void ParseBaselines_InvalidFile_ThrowsFormatException(string json)
    {
        Assert.Throws<FormatException>(() => AllocationGate.ParseBaselines(json));
    }
}

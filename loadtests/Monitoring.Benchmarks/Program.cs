using BenchmarkDotNet.Running;
using Monitoring.Benchmarks;

// dotnet run -c Release --project loadtests/Monitoring.Benchmarks -- --filter '*'
// dotnet run -c Release --project loadtests/Monitoring.Benchmarks -- --check-allocations   (CI: test.sh)
// dotnet run -c Release --project loadtests/Monitoring.Benchmarks -- --history-size 20000   (docs/storage.md)
if (args.Contains(AllocationCheck.Flag, StringComparer.Ordinal))
{
    return AllocationCheck.Run(args);
}

if (args.Contains(HistorySize.Flag, StringComparer.Ordinal))
{
    return HistorySize.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(AllocationCheck).Assembly).Run(args);
return 0;

using BenchmarkDotNet.Running;
using Monitoring.Benchmarks;

// dotnet run -c Release --project loadtests/Monitoring.Benchmarks -- --filter '*'
// dotnet run -c Release --project loadtests/Monitoring.Benchmarks -- --check-allocations   (CI: test.sh)
if (args.Contains(AllocationCheck.Flag, StringComparer.Ordinal))
{
    return AllocationCheck.Run(args);
}

BenchmarkSwitcher.FromAssembly(typeof(AllocationCheck).Assembly).Run(args);
return 0;

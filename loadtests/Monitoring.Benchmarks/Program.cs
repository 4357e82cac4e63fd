using BenchmarkDotNet.Running;

// dotnet run -c Release --project loadtests/Monitoring.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

using System.Globalization;
using System.Runtime.InteropServices;

namespace Monitoring.LoadTests;

/// <summary>Entry point, callable in-process by the CI smoke test.</summary>
public static class LoadProgram
{
    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Any(a => a is "help" or "--help" or "-h"))
        {
            Console.WriteLine(LoadSettings.Usage);
            return 0;
        }

        LoadSettings settings;
        try
        {
            settings = LoadSettings.Parse(args);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }

        using var stop = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.Cancel();
        };
        // `kill` or `timeout` as well as Ctrl-C: stop the service, the forwarder and the servers this run
        // started rather than leave them running.
        using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            stop.Cancel();
        });
        RunResult result;
        try
        {
            result = await RunAsync(settings, stop.Token);
        }
        catch (ArgumentException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("stopped before the end: no report written; what this run started is stopped");
            return 130;
        }

        Console.WriteLine($"report: {Path.Combine(settings.OutputFolder, "report.md")}");
        // Past the knee a ladder's last step may lose readings by design (it is how the knee is found);
        // the smoke and the soak run below it, where any loss is a failure.
        var checkedSteps = settings.Mode == "run" ? [] : result.Ladders.SelectMany(l => l.Steps).Concat(result.Soak ?? []);
        return checkedSteps.Any(s => s.Lost > 0) ? 1 : 0;
    }

    public static async Task<RunResult> RunAsync(LoadSettings settings, CancellationToken cancellationToken)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        void Log(string line) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{clock.Elapsed:mm\\:ss}] {line}"));
        var result = await new Runner(settings, Log).RunAsync(cancellationToken);
        Report.Write(result, settings.OutputFolder);
        return result;
    }
}

using System.Diagnostics;
using System.Globalization;

namespace Monitoring.LoadTests;

/// <summary>CPU time and resident memory of a process, read from /proc (Linux only).</summary>
public readonly record struct ProcSample(long Timestamp, double CpuSeconds, double RssMb)
{
    // USER_HZ: 100 on every Linux we target (getconf CLK_TCK).
    private const double TicksPerSecond = 100;

    public static ProcSample? Read(int? pid)
    {
        if (pid is not { } id)
            return null;
        try
        {
            var stat = File.ReadAllText($"/proc/{id}/stat");
            // The command name may hold spaces: fields are counted after its closing parenthesis.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            double rss = 0;
            foreach (var line in File.ReadLines($"/proc/{id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    rss = long.Parse(line.AsSpan(6).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture) / 1024.0;
                    break;
                }
            }

            return new ProcSample(Stopwatch.GetTimestamp(), ticks / TicksPerSecond, rss);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or FormatException)
        {
            return null;
        }
    }

    /// <summary>CPU use between two samples in percent of one core (200 = both cores of a 2-core box).</summary>
    public static double CpuPercent(ProcSample? from, ProcSample? to)
    {
        if (from is not { } a || to is not { } b)
            return double.NaN;
        var wall = Stopwatch.GetElapsedTime(a.Timestamp, b.Timestamp).TotalSeconds;
        return wall <= 0 ? double.NaN : Math.Round(100 * (b.CpuSeconds - a.CpuSeconds) / wall, 1);
    }
}

/// <summary>Samples the resident memory of a process every second while a step runs; keeps the peak.</summary>
public sealed class RssWatcher : IAsyncDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public RssWatcher(int? pid)
    {
        _loop = Task.Run(async () =>
        {
            using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1));
            try
            {
                do
                {
                    if (ProcSample.Read(pid) is { } sample)
                        PeakMb = Math.Max(PeakMb, sample.RssMb);
                }
                while (await timer.WaitForNextTickAsync(_stop.Token));
            }
            catch (OperationCanceledException)
            {
                // Stopped.
            }
        });
    }

    public double PeakMb { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
        _stop.Dispose();
    }
}

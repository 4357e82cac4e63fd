using System.Globalization;
using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

// Usage: Monitoring.TraceReport <file.nettrace> [rows]
// The file comes from `dotnet-trace collect -p <pid> --profile gc-verbose` (docs/performance.md). The runtime samples
// about one allocation per 100 KB (GCAllocationTick), so the shares are estimates; the rate is over the samples' span.
if (args.Length is < 1 or > 2 || !File.Exists(args[0]))
{
    Console.Error.WriteLine("usage: Monitoring.TraceReport <file.nettrace> [rows]");
    return 2;
}

var rows = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 25;
var byType = new Dictionary<string, long>(StringComparer.Ordinal);
var bySite = new Dictionary<string, long>(StringComparer.Ordinal);
long total = 0;
double first = double.NaN, last = 0;

using (var log = new TraceLog(TraceLog.CreateFromEventPipeDataFile(args[0])))
{
    foreach (var e in log.Events)
    {
        if (e is not GCAllocationTickTraceData tick)
            continue;
        if (double.IsNaN(first))
            first = e.TimeStampRelativeMSec;
        last = e.TimeStampRelativeMSec;
        var bytes = tick.AllocationAmount64;
        var type = tick.TypeName ?? "?";
        total += bytes;
        byType[type] = byType.GetValueOrDefault(type) + bytes;

        // Where it was allocated: the first frame outside the runtime's own System code (a library's or ours),
        // and the first frame of ours, if any.
        var frames = new List<string>();
        for (var frame = e.CallStack(); frame is not null && frames.Count < 48; frame = frame.Caller)
            frames.Add(frame.CodeAddress.FullMethodName ?? "?");
        var library = frames.FirstOrDefault(f => f.Length > 1 && !f.StartsWith("System.", StringComparison.Ordinal)) ?? "?";
        var ours = frames.FirstOrDefault(f => f.StartsWith("Monitoring.", StringComparison.Ordinal));
        var site = ours is null || ours == library ? $"{type} <- {library}" : $"{type} <- {library} <- {ours}";
        bySite[site] = bySite.GetValueOrDefault(site) + bytes;
    }
}

if (total == 0)
{
    Console.Error.WriteLine("no GCAllocationTick events: collect with --profile gc-verbose");
    return 1;
}

var seconds = Math.Max((last - first) / 1000, 1e-3);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"sampled allocations: {total / 1e6:F1} MB over {seconds:F0} s = {total / 1e6 / seconds:F1} MB/s"));
Print("by type", byType);
Print("by type <- first frame outside System <- first Monitoring frame", bySite);
return 0;

void Print(string title, Dictionary<string, long> table)
{
    Console.WriteLine();
    Console.WriteLine($"## {title}");
    foreach (var (name, bytes) in table.OrderByDescending(kv => kv.Value).Take(rows))
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{bytes * 100.0 / total,5:F1}%  {bytes / 1e6 / seconds,6:F2} MB/s  {name}"));
}

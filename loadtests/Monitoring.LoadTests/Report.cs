using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Monitoring.LoadTests;

/// <summary>result.json, report.md and plot.svg of a run.</summary>
public static class Report
{
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals | JsonNumberHandling.AllowReadingFromString,
    };

    private static readonly string[] Targets = ["broker", "forwarder", "service"];
    private static readonly Dictionary<string, string> Colours = new(StringComparer.Ordinal)
    {
        ["broker"] = "#7f7f7f",
        ["forwarder"] = "#ff7f0e",
        ["service"] = "#1f77b4",
        ["soak"] = "#1f77b4",
    };

    public static void Write(RunResult run, string folder)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "result.json"), JsonSerializer.Serialize(run, Json));
        File.WriteAllText(Path.Combine(folder, "report.md"), Markdown(run));
        File.WriteAllText(Path.Combine(folder, "plot.svg"), Svg(run));
    }

    private static string F(double? value, string format = "0") => value is { } v && !double.IsNaN(v) ? v.ToString(format, CultureInfo.InvariantCulture) : "-";

    private static string K(double? value) => value is { } v && !double.IsNaN(v) ? (v >= 1000 ? F(v / 1000, "0.#") + "k" : F(v)) : "-";

    public static string Markdown(RunResult run)
    {
        var md = new StringBuilder();
        var m = run.Machine;
        md.AppendLine(CultureInfo.InvariantCulture, $"# Load test: {run.Mode} {run.RunId}");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"{run.StartedAt:yyyy-MM-dd HH:mm} to {run.FinishedAt:HH:mm} UTC on {m.Cpu}, {m.Cores} cores, {F(m.MemoryGb, "0.#")} GB, {m.Os}, {m.DotNet}; load average {m.LoadAverageAtStart} at the start, {m.LoadAverageAtEnd} at the end. {m.Note}.");
        md.AppendLine();
        md.AppendLine(CultureInfo.InvariantCulture, $"Reproduce: `{run.Command}` (settings: {string.Join(", ", run.Settings.Where(s => s.Value.Length > 0).Select(s => $"{s.Key}={s.Value}"))}).");
        md.AppendLine();
        if (run.Summaries.Count > 0)
        {
            md.AppendLine("## Summary");
            md.AppendLine();
            md.AppendLine("A step is held when the publisher offered at least 90% of its rate, nothing was lost (stored = published, counted in InfluxDB over the run's enterprises and the step's sensor times), and the end-to-end p99 stayed under the lag bound. The knee is the highest step held.");
            md.AppendLine();
            md.AppendLine("| profile | service knee | bare forwarder knee | service / forwarder | broker pass-through | service / broker | InfluxDB ceiling | service / InfluxDB | alarm p99 at half the knee |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|");
            foreach (var s in run.Summaries)
            {
                var broker = K(s.BrokerKnee) + (s.BrokerTopStepHeld ? " (top step held: at least)" : string.Empty);
                var alarm = s.AlarmP99AtHalfKnee is null ? "-" : $"{F(s.AlarmP99AtHalfKnee, "0.0")} ms at {K(s.HalfKneeStep)}/s";
                md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Profile} | {K(s.ServiceKnee)}/s | {K(s.ForwarderKnee)}/s | {F(s.ServiceToForwarder, "0.00")} | {broker}/s | {F(s.ServiceToBroker, "0.00")} | {K(s.InfluxCeiling)}/s | {F(s.ServiceToInflux, "0.00")} | {alarm} |");
            }

            md.AppendLine();
            md.AppendLine("![throughput and latency per step](plot.svg)");
            md.AppendLine();
        }

        if (run.Influx is { } influx)
        {
            md.AppendLine("## InfluxDB write ceiling");
            md.AppendLine();
            md.AppendLine(CultureInfo.InvariantCulture, $"{influx.Writers} writers posting {influx.BatchLines}-line batches of the fleet's line protocol for {F(influx.Seconds, "0.#")} s: **{K(influx.Rate)} points/s** stored ({influx.Stored} of {influx.Written} written), write p50 {F(influx.WriteLatency?.P50, "0.0")} ms, p99 {F(influx.WriteLatency?.P99, "0.0")} ms, influxd CPU {F(influx.InfluxCpuPercent)}%.");
            md.AppendLine();
        }

        foreach (var profile in run.Ladders.Select(l => l.Profile).Distinct())
        {
            md.AppendLine(CultureInfo.InvariantCulture, $"## Steps: {profile} profile");
            md.AppendLine();
            StepTable(md, run.Ladders.Where(l => l.Profile == profile).SelectMany(l => l.Steps));
        }

        if (run.Soak is { Count: > 0 } soak)
        {
            md.AppendLine("## Soak");
            md.AppendLine();
            var first = soak[Math.Min(1, soak.Count - 1)];
            var last = soak[^1];
            md.AppendLine(CultureInfo.InvariantCulture, $"Service RSS {F(first.TargetRssPeakMb)} MB in window 2, {F(last.TargetRssPeakMb)} MB in the last; alarm p99 {F(first.Alarm?.P99, "0.0")} ms then {F(last.Alarm?.P99, "0.0")} ms; lost in total: {soak.Sum(s => s.Lost)}.");
            md.AppendLine();
            StepTable(md, soak);
        }

        foreach (var note in run.Notes)
            md.AppendLine(CultureInfo.InvariantCulture, $"- {note}");
        return md.ToString();
    }

    private static void StepTable(StringBuilder md, IEnumerable<StepResult> steps)
    {
        md.AppendLine("| target | step /s | offered /s | achieved /s | lost | PUBACK p50 / p99 ms | end-to-end p50 / p95 / p99 / p99.9 / max ms | alarm p50 / p95 / p99 / p99.9 / max ms (events / crossings) | target CPU % | RSS MB | mosquitto / influxd / driver CPU % | verdict |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var s in steps)
        {
            var e = s.EndToEnd;
            var a = s.Alarm;
            var alarm = a is null ? "-" : $"{F(a.P50, "0.0")} / {F(a.P95, "0.0")} / {F(a.P99, "0.0")} / {F(a.P999, "0.0")} / {F(a.Max, "0.0")} ({a.Count} / {s.AlarmCrossings})";
            md.AppendLine(CultureInfo.InvariantCulture, $"| {s.Target} | {K(s.TargetRate)} | {F(s.OfferedRate)} | {F(s.AchievedRate)} | {s.Lost} | {F(s.PublishAck?.P50, "0.0")} / {F(s.PublishAck?.P99, "0.0")} | {F(e?.P50, "0.0")} / {F(e?.P95, "0.0")} / {F(e?.P99, "0.0")} / {F(e?.P999, "0.0")} / {F(e?.Max, "0.0")} | {alarm} | {F(s.TargetCpuPercent)} | {F(s.TargetRssPeakMb)} | {F(s.BrokerCpuPercent)} / {F(s.InfluxCpuPercent)} / {F(s.DriverCpuPercent)} | {s.Verdict} |");
        }

        md.AppendLine();
    }

    /// <summary>
    /// Per profile two panels: achieved vs offered readings/s per step for each target (a missed step is a
    /// hollow marker), and the service's latency percentiles per step on a log scale.
    /// </summary>
    public static string Svg(RunResult run)
    {
        // A soak has one rate: its x axis is the window number instead (TargetRate holds it; OfferedRate the rate).
        var soakWindows = run.Soak?.Select((s, i) => s with { TargetRate = i + 1 }).ToList();
        var groups = soakWindows is { Count: > 0 } soak
            ? [("soak", (IReadOnlyList<StepResult>)soak, (IReadOnlyList<LadderResult>)[new LadderResult("soak", "soak", soak)])]
            : run.Ladders.GroupBy(l => l.Profile).Select(g => (g.Key, (IReadOnlyList<StepResult>)g.SelectMany(l => l.Steps).ToList(), (IReadOnlyList<LadderResult>)g.ToList())).ToList();
        const int panelW = 560, panelH = 300, margin = 70;
        var width = (2 * panelW) + (3 * margin);
        var height = Math.Max(1, groups.Count) * (panelH + (2 * margin)) + 20;
        var svg = new StringBuilder();
        svg.AppendLine(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>");
        var top = 20;
        foreach (var (profile, steps, ladders) in groups)
        {
            var rates = steps.Select(s => s.TargetRate).Distinct().Order().ToList();
            if (rates.Count == 0)
                continue;
            var x0 = margin;
            var y0 = top + margin;
            double X(double rate) => x0 + (rates.Count == 1 ? panelW / 2.0 : rates.IndexOf(rate) * (panelW / (double)(rates.Count - 1)));

            // Throughput panel.
            var isSoak = profile == "soak";
            double Offered(double rate) => isSoak ? steps[0].OfferedRate : rate;
            var yMax = Nice(Math.Max(rates.Max(Offered), steps.Max(s => s.AchievedRate)));
            double Y(double v) => y0 + panelH - (v / yMax * panelH);
            Axes(svg, x0, y0, panelW, panelH, $"{profile}: readings/s achieved vs offered per step", rates, X, isSoak);
            for (var i = 0; i <= 4; i++)
            {
                var v = yMax * i / 4;
                svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x0}\" x2=\"{x0 + panelW}\" y1=\"{F(Y(v), "0.#")}\" y2=\"{F(Y(v), "0.#")}\" stroke=\"#eee\"/><text x=\"{x0 - 6}\" y=\"{F(Y(v) + 4, "0.#")}\" text-anchor=\"end\">{K(v)}</text>");
            }

            svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"#bbb\" stroke-dasharray=\"5,4\" points=\"{string.Join(' ', rates.Select(r => $"{F(X(r), "0.#")},{F(Y(Offered(r)), "0.#")}"))}\"/>");
            var legend = new List<(string, string, bool)> { ("offered (step)", "#bbb", true) };
            foreach (var ladder in ladders)
            {
                var colour = Colours.GetValueOrDefault(ladder.Target, "#2ca02c");
                legend.Add((ladder.Target, colour, false));
                svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\" points=\"{string.Join(' ', ladder.Steps.Select(s => $"{F(X(s.TargetRate), "0.#")},{F(Y(s.AchievedRate), "0.#")}"))}\"/>");
                foreach (var s in ladder.Steps)
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{F(X(s.TargetRate), "0.#")}\" cy=\"{F(Y(s.AchievedRate), "0.#")}\" r=\"4\" fill=\"{(s.Held ? colour : "white")}\" stroke=\"{colour}\" stroke-width=\"2\"><title>{s.Target} {K(s.TargetRate)}/s: {s.Verdict}</title></circle>");
            }

            Legend(svg, x0 + 10, y0 + 14, legend);

            // Latency panel: the service (or the soak) on a log scale, with the references' end-to-end p99 for scale.
            var lx0 = x0 + panelW + margin;
            var series = new (string Name, string Target, Func<StepResult, double?> Value, string Colour, bool Dashed)[]
            {
                ("service end-to-end p50", "service", s => s.EndToEnd?.P50, "#1f77b4", true),
                ("service end-to-end p99", "service", s => s.EndToEnd?.P99, "#1f77b4", false),
                ("alarm p50", "service", s => s.Alarm?.P50, "#d62728", true),
                ("alarm p99", "service", s => s.Alarm?.P99, "#d62728", false),
                ("alarm p99.9", "service", s => s.Alarm?.P999, "#9467bd", false),
                ("service PUBACK p99", "service", s => s.PublishAck?.P99, "#2ca02c", false),
                ("forwarder end-to-end p99", "forwarder", s => s.EndToEnd?.P99, "#ff7f0e", false),
                ("broker delivery p99", "broker", s => s.EndToEnd?.P99, "#7f7f7f", false),
            };
            bool Of(StepResult s, string target) => s.Target == target || (target == "service" && s.Target == "soak") || (target == "service" && s.Profile == "soak");
            var all = steps.SelectMany(s => series.Where(c => Of(s, c.Target)).Select(c => c.Value(s))).Where(v => v is > 0).Select(v => v!.Value).ToList();
            var lo = Math.Pow(10, Math.Floor(Math.Log10(all.Count == 0 ? 1 : Math.Max(0.1, all.Min()))));
            var hi = Math.Pow(10, Math.Ceiling(Math.Log10(all.Count == 0 ? 1000 : Math.Max(lo * 10, all.Max()))));
            double LY(double v) => y0 + panelH - ((Math.Log10(Math.Max(v, lo)) - Math.Log10(lo)) / (Math.Log10(hi) - Math.Log10(lo)) * panelH);
            double LX(double rate) => X(rate) - x0 + lx0;
            Axes(svg, lx0, y0, panelW, panelH, $"{profile}: latency per step (ms, log)", rates, LX, isSoak);
            for (var d = lo; d <= hi * 1.001; d *= 10)
                svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{lx0}\" x2=\"{lx0 + panelW}\" y1=\"{F(LY(d), "0.#")}\" y2=\"{F(LY(d), "0.#")}\" stroke=\"#eee\"/><text x=\"{lx0 - 6}\" y=\"{F(LY(d) + 4, "0.#")}\" text-anchor=\"end\">{F(d, "0.###")}</text>");
            var latencyLegend = new List<(string, string, bool)>();
            foreach (var (name, target, value, colour, dashed) in series)
            {
                var points = steps.Where(s => Of(s, target) && value(s) is > 0).Select(s => $"{F(LX(s.TargetRate), "0.#")},{F(LY(value(s)!.Value), "0.#")}").ToList();
                if (points.Count == 0)
                    continue;
                latencyLegend.Add((name, colour, dashed));
                svg.AppendLine(CultureInfo.InvariantCulture, $"<polyline fill=\"none\" stroke=\"{colour}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5,4\"" : string.Empty)} points=\"{string.Join(' ', points)}\"/>");
                foreach (var p in points)
                {
                    var xy = p.Split(',');
                    svg.AppendLine(CultureInfo.InvariantCulture, $"<circle cx=\"{xy[0]}\" cy=\"{xy[1]}\" r=\"3\" fill=\"{colour}\"/>");
                }
            }

            Legend(svg, lx0 + 10, y0 + 14, latencyLegend);
            top += panelH + (2 * margin);
        }

        svg.AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Axes(StringBuilder svg, int x0, int y0, int w, int h, string title, List<double> rates, Func<double, double> x, bool windows)
    {
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x0}\" y=\"{y0 - 12}\" font-size=\"14\" font-weight=\"bold\">{title}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<rect x=\"{x0}\" y=\"{y0}\" width=\"{w}\" height=\"{h}\" fill=\"none\" stroke=\"#333\"/>");
        foreach (var r in rates)
            svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{F(x(r), "0.#")}\" y=\"{y0 + h + 16}\" text-anchor=\"middle\">{K(r)}</text>");
        svg.AppendLine(CultureInfo.InvariantCulture, $"<text x=\"{x0 + (w / 2)}\" y=\"{y0 + h + 34}\" text-anchor=\"middle\" fill=\"#555\">{(windows ? "soak window" : "offered step (readings/s)")}</text>");
    }

    private static void Legend(StringBuilder svg, int x, int y, List<(string Name, string Colour, bool Dashed)> items)
    {
        foreach (var (name, colour, dashed) in items)
        {
            svg.AppendLine(CultureInfo.InvariantCulture, $"<line x1=\"{x}\" x2=\"{x + 22}\" y1=\"{y - 4}\" y2=\"{y - 4}\" stroke=\"{colour}\" stroke-width=\"2\"{(dashed ? " stroke-dasharray=\"5,4\"" : string.Empty)}/><text x=\"{x + 28}\" y=\"{y}\">{name}</text>");
            y += 16;
        }
    }

    private static double Nice(double v)
    {
        if (v <= 0)
            return 1;
        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(v)));
        foreach (var f in new[] { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
        {
            if (f * magnitude >= v)
                return f * magnitude;
        }

        return 10 * magnitude;
    }
}

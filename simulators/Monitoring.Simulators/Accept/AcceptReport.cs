using System.Globalization;
using System.Xml.Linq;

namespace Monitoring.Simulators.Accept;

/// <summary>Pass/fail per expectation, as text for people and JUnit XML for CI.</summary>
public sealed class AcceptReport(IReadOnlyList<ExpectationResult> results, TimeSpan duration, string source)
{
    public IReadOnlyList<ExpectationResult> Results { get; } = results;

    public TimeSpan Duration { get; } = duration;

    public string Source { get; } = source;

    public int Passed => Results.Count(r => r.Status == ResultStatus.Passed);

    public int Failed => Results.Count(r => r.Status == ResultStatus.Failed);

    public int Skipped => Results.Count(r => r.Status == ResultStatus.Skipped);

    public bool Success => Failed == 0;

    public void WriteText(TextWriter writer)
    {
        writer.WriteLine();
        writer.WriteLine($"Acceptance report (alarms watched on {Source})");
        foreach (var scenario in Results.GroupBy(r => r.Scenario))
        {
            writer.WriteLine($"  {scenario.Key.Name}  [{Path.GetFileName(scenario.Key.File)}]");
            foreach (var r in scenario)
            {
                var mark = r.Status switch { ResultStatus.Passed => "PASS", ResultStatus.Failed => "FAIL", _ => "SKIP" };
                writer.WriteLine($"    {mark}  {r.Expectation.Describe()}");
                writer.WriteLine($"          {r.Detail}");
            }
        }

        writer.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{Passed} passed, {Failed} failed, {Skipped} skipped in {Duration.TotalSeconds:0.0} s"));
    }

    public XDocument ToJUnit()
    {
        var suites = new XElement(
            "testsuites",
            new XAttribute("name", "monitoring-accept"),
            new XAttribute("tests", Results.Count),
            new XAttribute("failures", Failed),
            new XAttribute("skipped", Skipped),
            new XAttribute("time", Seconds(Duration)));
        foreach (var scenario in Results.GroupBy(r => r.Scenario))
        {
            var suite = new XElement(
                "testsuite",
                new XAttribute("name", scenario.Key.Name),
                new XAttribute("file", scenario.Key.File),
                new XAttribute("tests", scenario.Count()),
                new XAttribute("failures", scenario.Count(r => r.Status == ResultStatus.Failed)),
                new XAttribute("skipped", scenario.Count(r => r.Status == ResultStatus.Skipped)),
                new XAttribute("time", Seconds(scenario.Max(r => r.Elapsed))));
            foreach (var r in scenario)
            {
                var testcase = new XElement(
                    "testcase",
                    new XAttribute("classname", Path.GetFileNameWithoutExtension(scenario.Key.File)),
                    new XAttribute("name", r.Expectation.Describe()),
                    new XAttribute("time", Seconds(r.Elapsed)));
                switch (r.Status)
                {
                    case ResultStatus.Failed:
                        testcase.Add(new XElement("failure", new XAttribute("message", r.Detail), $"{scenario.Key.File}({r.Expectation.Line.ToString(CultureInfo.InvariantCulture)}): {r.Detail}"));
                        break;
                    case ResultStatus.Skipped:
                        testcase.Add(new XElement("skipped", new XAttribute("message", r.Detail)));
                        break;
                    default:
                        testcase.Add(new XElement("system-out", r.Detail));
                        break;
                }

                suite.Add(testcase);
            }

            suites.Add(suite);
        }

        return new XDocument(new XDeclaration("1.0", "utf-8", null), suites);
    }

    private static string Seconds(TimeSpan time) => time.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture);
}

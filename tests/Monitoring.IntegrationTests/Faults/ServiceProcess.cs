using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// The ingestion service as a real child process (<c>dotnet Monitoring.Ingestion.dll</c>, copied
/// beside the tests by the project reference), for faults an in-process host cannot suffer: SIGKILL
/// and SIGTERM. Its console log is kept (one line per entry) so a test can see what it reported, and
/// its <c>fail:</c> and <c>crit:</c> lines are recorded in <see cref="Errors"/>: disposing it fails the
/// test if one was not expected.
/// </summary>
internal sealed partial class ServiceProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private ServiceProcess(Process process) => _process = process;

    public HttpClient Http { get; } = new() { Timeout = TimeSpan.FromSeconds(10) };

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>The errors the process logged; a test that provokes some declares them here (or passes them to <see cref="StartAsync"/>).</summary>
    public LoggedErrors Errors { get; private init; } = new();

    /// <summary>Starts the service and returns once <c>/health/ready</c> answers 200.</summary>
    /// <param name="settings">Command-line style settings.</param>
    /// <param name="errors">Errors expected from the start; a fresh, empty set when null.</param>
    public static async Task<ServiceProcess> StartAsync(IReadOnlyDictionary<string, string> settings, LoggedErrors? errors = null)
    {
        var folder = AppContext.BaseDirectory;
        var dll = Path.Combine(folder, "Monitoring.Ingestion.dll");
        if (!File.Exists(dll))
            throw new InvalidOperationException($"{dll} is missing: the test project must reference Monitoring.Ingestion.");

        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            // The content root: appsettings.json is beside the dll, as in a published service.
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in settings)
            start.ArgumentList.Add($"--{key}={value}");
        start.ArgumentList.Add("--Urls=http://127.0.0.1:0");
        start.ArgumentList.Add("--Logging:Console:FormatterName=simple");
        start.ArgumentList.Add("--Logging:Console:FormatterOptions:SingleLine=true");
        // "Now listening on" gives the port; the MQTT connect line says whether the broker kept the session.
        start.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        start.ArgumentList.Add("--Logging:LogLevel:Monitoring.Ingestion.Mqtt=Information");

        var process = new Process { StartInfo = start };
        var service = new ServiceProcess(process) { Errors = (errors ?? new LoggedErrors()).ExpectPublishCancelledByStop() };
        process.OutputDataReceived += (_, e) => service.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => service.OnLine(e.Data);
        if (!process.Start())
            throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await service.WaitUntilReadyAsync();
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }

        return service;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var timeout = new CancellationTokenSource(StartTimeout);
        var exited = _process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(_listening.Task, exited);
        if (first != _listening.Task)
            throw new InvalidOperationException($"the service exited or did not listen within {StartTimeout}:{Environment.NewLine}{Output}");

        Http.BaseAddress = await _listening.Task;
        while (true)
        {
            timeout.Token.ThrowIfCancellationRequested();
            if (_process.HasExited)
                throw new InvalidOperationException($"the service exited during start-up:{Environment.NewLine}{Output}");
            using var ready = await Http.GetAsync(new Uri("/health/ready", UriKind.Relative), timeout.Token);
            if (ready.IsSuccessStatusCode)
                return;
            await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
        }
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
            _lines.Add(line);
        var match = ListeningPattern().Match(line);
        if (match.Success)
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        var error = ErrorPattern().Match(line);
        if (error.Success)
        {
            Errors.Record(new LoggedError(
                error.Groups["category"].Value,
                error.Groups["level"].Value == "crit" ? LogLevel.Critical : LogLevel.Error,
                new EventId(int.Parse(error.Groups["id"].Value, CultureInfo.InvariantCulture)),
                error.Groups["message"].Value,
                Exception: null));
        }
    }

    /// <summary>Everything the process wrote so far.</summary>
    public string Output
    {
        get
        {
            lock (_lines)
                return string.Join(Environment.NewLine, _lines);
        }
    }

    /// <summary>How many lines written so far contain <paramref name="text"/>.</summary>
    public int CountLines(string text)
    {
        lock (_lines)
            return _lines.Count(l => l.Contains(text, StringComparison.Ordinal));
    }

    public async Task<string> GetTextAsync(string path) => await Http.GetStringAsync(new Uri(path, UriKind.Relative));

    /// <summary>SIGKILL (Process.Kill on Linux): no shutdown code runs.</summary>
    public async Task KillAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    /// <summary>Sends SIGTERM and returns how long the process took to exit.</summary>
    public async Task<TimeSpan> TerminateAsync(TimeSpan patience)
    {
        var started = Stopwatch.GetTimestamp();
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"the service did not exit within {patience} of SIGTERM:{Environment.NewLine}{Output}");
        }

        return Stopwatch.GetElapsedTime(started);
    }

    public async ValueTask DisposeAsync()
    {
        // A test that failed half-way must not leave a service running: CI waits for every child.
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        Http.Dispose();
        Errors.ThrowIfUnexpected("the ingestion service process");
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();

    // The simple console formatter on one line: "fail: Category[EventId] message (exception text on the same line)".
    [GeneratedRegex(@"^(?<level>fail|crit): (?<category>[^\[\s]+)\[(?<id>-?\d+)\] (?<message>.*)$")]
    private static partial Regex ErrorPattern();
}

using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Monitoring.LoadTests;

/// <summary>
/// The service or the bare forwarder as a child process (<c>dotnet &lt;name&gt;.dll</c> from this
/// program's folder, where the project references put their build output). Output lines are kept
/// for the report when something goes wrong.
/// </summary>
public sealed partial class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly TaskCompletionSource<string> _ready = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Regex _readyPattern;

    private ChildProcess(Process process, Regex readyPattern)
    {
        _process = process;
        _readyPattern = readyPattern;
    }

    public int Id => _process.Id;

    public Uri? HttpAddress { get; private set; }

    public string Output
    {
        get
        {
            lock (_lines)
                return string.Join(Environment.NewLine, _lines.TakeLast(60));
        }
    }

    /// <summary>Starts the ingestion service and waits until <c>/health/ready</c> answers 200.</summary>
    public static async Task<ChildProcess> StartServiceAsync(IReadOnlyDictionary<string, string> settings, CancellationToken cancellationToken)
    {
        var arguments = settings.Select(s => $"--{s.Key}={s.Value}").ToList();
        arguments.Add("--Urls=http://127.0.0.1:0");
        arguments.Add("--Logging:Console:FormatterName=simple");
        arguments.Add("--Logging:Console:FormatterOptions:SingleLine=true");
        arguments.Add("--Logging:LogLevel:Default=Warning");
        arguments.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");
        var child = Start("Monitoring.Ingestion.dll", arguments, ListeningPattern());
        try
        {
            var address = await child.WaitForReadyLineAsync(TimeSpan.FromSeconds(60), cancellationToken);
            child.HttpAddress = new Uri(address);
            using var http = new HttpClient { BaseAddress = child.HttpAddress, Timeout = TimeSpan.FromSeconds(5) };
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(60));
            while (true)
            {
                if (child._process.HasExited)
                    throw new InvalidOperationException($"the service exited during start-up:{Environment.NewLine}{child.Output}");
                try
                {
                    using var ready = await http.GetAsync(new Uri("/health/ready", UriKind.Relative), timeout.Token);
                    if (ready.IsSuccessStatusCode)
                        return child;
                }
                catch (HttpRequestException)
                {
                    // Not listening yet.
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), timeout.Token);
            }
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    /// <summary>Starts the bare forwarder and waits for its "forwarder ready" line.</summary>
    public static async Task<ChildProcess> StartForwarderAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        var child = Start("Monitoring.BareForwarder.dll", arguments, ForwarderReadyPattern());
        try
        {
            await child.WaitForReadyLineAsync(TimeSpan.FromSeconds(30), cancellationToken);
            return child;
        }
        catch
        {
            await child.DisposeAsync();
            throw;
        }
    }

    private static ChildProcess Start(string dll, IEnumerable<string> arguments, Regex readyPattern)
    {
        var folder = AppContext.BaseDirectory;
        var path = Path.Combine(folder, dll);
        if (!File.Exists(path))
            throw new InvalidOperationException($"{path} is missing: build the load test project (it references the service and the forwarder).");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = folder,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        start.ArgumentList.Add(path);
        foreach (var argument in arguments)
            start.ArgumentList.Add(argument);
        // The service must measure as it runs in production: server GC, no debugger, Release build.
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        var process = new Process { StartInfo = start };
        var child = new ChildProcess(process, readyPattern);
        process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        if (!process.Start())
            throw new InvalidOperationException("dotnet did not start");
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    private async Task<string> WaitForReadyLineAsync(TimeSpan patience, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(patience);
        var exited = _process.WaitForExitAsync(timeout.Token);
        var first = await Task.WhenAny(_ready.Task, exited);
        if (first != _ready.Task)
            throw new InvalidOperationException($"{_process.StartInfo.ArgumentList[0]} exited or was not ready within {patience}:{Environment.NewLine}{Output}");
        return await _ready.Task;
    }

    private void OnLine(string? line)
    {
        if (line is null)
            return;
        lock (_lines)
        {
            _lines.Add(line);
            if (_lines.Count > 2000)
                _lines.RemoveRange(0, 1000);
        }

        var match = _readyPattern.Match(line);
        if (match.Success)
            _ready.TrySetResult(match.Groups.Count > 1 ? match.Groups[1].Value : line);
    }

    /// <summary>SIGTERM, then SIGKILL when it has not exited within the patience.</summary>
    public async Task StopAsync(TimeSpan patience)
    {
        if (_process.HasExited)
            return;
        using (var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(patience);
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningPattern();

    [GeneratedRegex("forwarder ready")]
    private static partial Regex ForwarderReadyPattern();
}

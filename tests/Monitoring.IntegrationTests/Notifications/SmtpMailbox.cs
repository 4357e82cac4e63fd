using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Notifications;

/// <summary>
/// A real SMTP server on loopback: Debian's python3-aiosmtpd with its Mailbox handler, which stores
/// every message in a Maildir (installed by deploy/local/servers.sh install). Messages are read back
/// from the Maildir's <c>new/</c> folder.
/// </summary>
internal sealed class SmtpMailbox : IAsyncDisposable
{
    private const string Python = "/usr/bin/python3";
    private readonly Process _process;
    private readonly string _maildir;

    private SmtpMailbox(Process process, string maildir, int port)
    {
        _process = process;
        _maildir = maildir;
        Port = port;
    }

    public int Port { get; }

    public static async Task<SmtpMailbox> StartAsync(string folder)
    {
        if (!File.Exists(Python))
            throw new InvalidOperationException($"{Python} is missing: run deploy/local/servers.sh install (python3-aiosmtpd)");
        var maildir = Path.Combine(folder, "maildir");
        var port = FreePort();
        var start = new ProcessStartInfo(Python) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "-m", "aiosmtpd", "-n", "-l", string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port}"), "-c", "aiosmtpd.handlers.Mailbox", maildir })
            start.ArgumentList.Add(arg);
        var process = Process.Start(start) ?? throw new InvalidOperationException("aiosmtpd did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var mailbox = new SmtpMailbox(process, maildir, port);
        await Eventually.MatchAsync(async () =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }, ok => ok, TimeSpan.FromSeconds(15), $"aiosmtpd listening on {port}");
        return mailbox;
    }

    public IReadOnlyList<MimeMessage> Messages()
    {
        var folder = Path.Combine(_maildir, "new");
        if (!Directory.Exists(folder))
            return [];
        var messages = new List<MimeMessage>();
        foreach (var file in Directory.GetFiles(folder).Order(StringComparer.Ordinal))
        {
            try
            {
                messages.Add(MimeMessage.Load(file));
            }
            catch (IOException)
            {
                // Being written: the next poll reads it.
            }
        }

        return messages;
    }

    public Task<IReadOnlyList<MimeMessage>> WaitForAsync(Func<MimeMessage, bool> match, int count, TimeSpan timeout, string description) =>
        Eventually.MatchAsync(() => Task.FromResult<IReadOnlyList<MimeMessage>>([.. Messages().Where(match)]), m => m.Count >= count, timeout, description);

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
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
}

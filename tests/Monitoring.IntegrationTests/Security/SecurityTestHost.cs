using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Security;

/// <summary>The embedded default profile on free ports and a temporary data folder, plus security settings.</summary>
internal sealed class SecurityTestHost : IAsyncDisposable
{
    private SecurityTestHost(ServiceUnderTest service, string data, int mqttPort)
    {
        Service = service;
        DataDirectory = data;
        MqttPort = mqttPort;
    }

    public ServiceUnderTest Service { get; }
    public string DataDirectory { get; }
    public int MqttPort { get; }

    public static async Task<SecurityTestHost> StartAsync(IReadOnlyDictionary<string, string> security)
    {
        var data = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("security"));
        var port = FreePort();
        var settings = new Dictionary<string, string>(security)
        {
            ["Monitoring:DataDirectory"] = data,
            ["Monitoring:Mqtt:Port"] = port.ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        try
        {
            return new SecurityTestHost(await ServiceUnderTest.StartAsync(settings), data, port);
        }
        catch
        {
            DeleteFolder(data);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        DeleteFolder(DataDirectory);
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void DeleteFolder(string path)
    {
        try
        {
            if (Directory.Exists(path))
                Directory.Delete(path, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is not worth failing a test over.
        }
    }
}

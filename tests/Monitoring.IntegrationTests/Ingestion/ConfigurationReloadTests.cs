using System.Net;
using System.Net.Sockets;
using System.Text;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// Site configuration reload on the embedded default: a broken file is refused whole with errors that
/// name file and line while the running rules stay; a valid change applies, by API and on file change.
/// </summary>
[Trait("Category", "Integration")]
public sealed class ConfigurationReloadTests : IDisposable
{
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("reload"));
    private readonly string _adminKey = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(24));

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private async Task<(ServiceUnderTest Service, int Port, string SitePath)> StartAsync()
    {
        var sitePath = TestSite.Write(Path.Combine(_work, "sites"));
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var service = await ServiceUnderTest.StartAsync(new Dictionary<string, string>
        {
            ["Monitoring:DataDirectory"] = Path.Combine(_work, "data"),
            ["Monitoring:Sites:0"] = Path.Combine(_work, "sites"),
            ["Monitoring:Mqtt:Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Monitoring:Security:ApiKeys:0:Name"] = "admin-zhao",
            ["Monitoring:Security:ApiKeys:0:Role"] = "administrator",
            ["Monitoring:Security:ApiKeys:0:Key"] = _adminKey,
        });
        return (service, port, sitePath);
    }

    private async Task<HttpResponseMessage> ReloadAsync(ServiceUnderTest service)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/api/config/reload", UriKind.Relative));
        request.Headers.Add("X-Api-Key", _adminKey);
        return await service.Http.SendAsync(request);
    }

    [Fact]
    public async Task Reload_InvalidFile_IsRefusedWithFileAndLine_AndTheRunningRulesStay()
    {
        var (service, port, sitePath) = await StartAsync();
        await using var _ = service;
        service.Errors.Expect("Monitoring.Ingestion.Sites.ConfigurationReloader", "Site configuration change refused");
        File.WriteAllText(sitePath, File.ReadAllText(sitePath).Replace("ll: 0.14", "ll: 0.14\n                    hh: 0.1", StringComparison.Ordinal));

        var response = await ReloadAsync(service);

        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("test-site.yaml(", body, StringComparison.Ordinal);
        Assert.Equal(1, (await service.GetJsonAsync("/api/config")).GetProperty("version").GetInt32());

        // The old rule still works: 0.1 is below ll 0.14.
        await using var gateway = await Gateway.ConnectAsync("127.0.0.1", port, "mon/v1", TestSite.Enterprise, TestSite.Gateway);
        await gateway.PublishAsync(Gateway.Batch(1, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), (TestSite.PressureTag, "0.1")));
        await Eventually.MatchAsync(() => service.GetJsonAsync("/api/alarms"), a => a.GetArrayLength() == 1, TimeSpan.FromSeconds(10), "alarm from the running rules");
    }

    [Fact]
    public async Task FileChange_ValidNewLimit_IsAppliedWithoutRestart()
    {
        var (service, port, sitePath) = await StartAsync();
        await using var _ = service;

        File.WriteAllText(sitePath, File.ReadAllText(sitePath).Replace("ll: 0.14", "ll: 0.16", StringComparison.Ordinal), Encoding.UTF8);
        await Eventually.MatchAsync(() => service.GetJsonAsync("/api/config"), c => c.GetProperty("version").GetInt32() == 2, TimeSpan.FromSeconds(15), "reload after the file change");

        // 0.15 is above the old limit (0.14) and below the new one (0.16).
        await using var gateway = await Gateway.ConnectAsync("127.0.0.1", port, "mon/v1", TestSite.Enterprise, TestSite.Gateway);
        await gateway.PublishAsync(Gateway.Batch(1, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), (TestSite.PressureTag, "0.15")));
        var alarms = await Eventually.MatchAsync(() => service.GetJsonAsync("/api/alarms"), a => a.GetArrayLength() == 1, TimeSpan.FromSeconds(10), "alarm under the new limit");
        Assert.Equal(0.16, alarms[0].GetProperty("limit").GetDouble());
    }

    [Fact]
    public async Task Reload_WithoutAdministratorKey_IsRefused()
    {
        var (service, _, _) = await StartAsync();
        await using var __ = service;

        var response = await service.Http.PostAsync(new Uri("/api/config/reload", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}

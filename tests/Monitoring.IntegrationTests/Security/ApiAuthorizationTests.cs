using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Monitoring.Ingestion.Security;

namespace Monitoring.IntegrationTests.Security;

/// <summary>One service with a key per role (generated per run) and the probe endpoints under each policy.</summary>
public sealed class ApiAuthorizationFixture : IAsyncLifetime
{
    public string ViewerKey { get; } = ApiKeyHash.NewKey();
    public string DutyOfficerKey { get; } = ApiKeyHash.NewKey();
    public string AdministratorKey { get; } = ApiKeyHash.NewKey();

    internal SecurityTestHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await SecurityTestHost.StartAsync(new Dictionary<string, string>
    {
        ["Monitoring:Security:EnableProbeEndpoints"] = "true",
        ["Monitoring:Security:ApiKeys:0:Name"] = "viewer-1",
        ["Monitoring:Security:ApiKeys:0:Role"] = Roles.Viewer,
        ["Monitoring:Security:ApiKeys:0:KeySha256"] = ApiKeyHash.ComputeHex(ViewerKey),
        ["Monitoring:Security:ApiKeys:1:Name"] = "duty-1",
        ["Monitoring:Security:ApiKeys:1:Role"] = Roles.DutyOfficer,
        ["Monitoring:Security:ApiKeys:1:KeySha256"] = ApiKeyHash.ComputeHex(DutyOfficerKey),
        // A plain key (as from an environment variable) works the same way.
        ["Monitoring:Security:ApiKeys:2:Name"] = "admin-1",
        ["Monitoring:Security:ApiKeys:2:Role"] = Roles.Administrator,
        ["Monitoring:Security:ApiKeys:2:Key"] = AdministratorKey,
    });

    public async Task DisposeAsync() => await Host.DisposeAsync();
}

[Trait("Category", "Integration")]
public sealed class ApiAuthorizationTests(ApiAuthorizationFixture fixture) : IClassFixture<ApiAuthorizationFixture>
{
    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, bool asBearer = false)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (key is not null)
        {
            if (asBearer)
                request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
            else
                request.Headers.Add("X-Api-Key", key);
        }

        return await fixture.Host.Service.Http.SendAsync(request);
    }

    private string? Key(string role) => role switch
    {
        "none" => null,
        "invalid" => ApiKeyHash.NewKey(),
        Roles.Viewer => fixture.ViewerKey,
        Roles.DutyOfficer => fixture.DutyOfficerKey,
        _ => fixture.AdministratorKey,
    };

    [Theory]
    [InlineData("/api/_security-probe/operate", "none", HttpStatusCode.Unauthorized)]
    [InlineData("/api/_security-probe/operate", "invalid", HttpStatusCode.Unauthorized)]
    [InlineData("/api/_security-probe/operate", Roles.Viewer, HttpStatusCode.Forbidden)]
    [InlineData("/api/_security-probe/operate", Roles.DutyOfficer, HttpStatusCode.OK)]
    [InlineData("/api/_security-probe/operate", Roles.Administrator, HttpStatusCode.OK)]
    [InlineData("/api/_security-probe/administer", "none", HttpStatusCode.Unauthorized)]
    [InlineData("/api/_security-probe/administer", Roles.Viewer, HttpStatusCode.Forbidden)]
    [InlineData("/api/_security-probe/administer", Roles.DutyOfficer, HttpStatusCode.Forbidden)]
    [InlineData("/api/_security-probe/administer", Roles.Administrator, HttpStatusCode.OK)]
    [InlineData("/api/_security-probe/undeclared", "none", HttpStatusCode.Unauthorized)]
    [InlineData("/api/_security-probe/undeclared", Roles.Viewer, HttpStatusCode.Forbidden)]
    [InlineData("/api/_security-probe/undeclared", Roles.DutyOfficer, HttpStatusCode.OK)]
    public async Task Write_ByRole_AllowedOnlyWithEnoughPrivilege(string path, string role, HttpStatusCode expected)
    {
        using var response = await SendAsync(HttpMethod.Post, path, Key(role));

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task Write_KeyAsBearerToken_Accepted()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/_security-probe/operate", fixture.DutyOfficerKey, asBearer: true);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Write_WithoutKey_ProblemSaysHowToSendOne()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/_security-probe/operate", null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("X-Api-Key", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Write_ViewerKey_ProblemNamesTheRoleNeeded()
    {
        using var response = await SendAsync(HttpMethod.Post, "/api/_security-probe/operate", fixture.ViewerKey);

        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains(Roles.DutyOfficer, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/alarms")]
    [InlineData("/api/gateways")]
    [InlineData("/api/_security-probe/read")]
    public async Task Read_WithoutKey_AllowedByDefault(string path)
    {
        using var response = await SendAsync(HttpMethod.Get, path, null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}

[Trait("Category", "Integration")]
public sealed class ApiAuthorizationSettingsTests
{
    [Fact]
    public async Task Write_NoKeyConfigured_RefusedWithHowToConfigure()
    {
        await using var host = await SecurityTestHost.StartAsync(new Dictionary<string, string> { ["Monitoring:Security:EnableProbeEndpoints"] = "true" });

        using var response = await host.Service.Http.PostAsync(new Uri("/api/_security-probe/operate", UriKind.Relative), null);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Monitoring:Security:ApiKeys", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_RequireAuthenticationForReads_RefusesAnonymousButNotHealth()
    {
        var viewer = ApiKeyHash.NewKey();
        await using var host = await SecurityTestHost.StartAsync(new Dictionary<string, string>
        {
            ["Monitoring:Security:RequireAuthenticationForReads"] = "true",
            ["Monitoring:Security:ApiKeys:0:Name"] = "viewer-1",
            ["Monitoring:Security:ApiKeys:0:Role"] = Roles.Viewer,
            ["Monitoring:Security:ApiKeys:0:KeySha256"] = ApiKeyHash.ComputeHex(viewer),
        });
        var http = host.Service.Http;

        using var anonymous = await http.GetAsync(new Uri("/api/alarms", UriKind.Relative));
        using var live = await http.GetAsync(new Uri("/health/live", UriKind.Relative));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/alarms", UriKind.Relative));
        request.Headers.Add("X-Api-Key", viewer);
        using var withKey = await http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.OK, withKey.StatusCode);
    }
}

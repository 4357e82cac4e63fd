using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Monitoring.Ingestion.Security;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Security;

/// <summary>The console sign-in limit over HTTP, on the real service (docs/security.md, "Sign-in limits").</summary>
[Trait("Category", "Integration")]
public sealed class ConsoleSignInThrottleTests
{
    private const string User = "li.wei";
    private const string Password = "correct horse battery staple";

    private static Task<SecurityTestHost> StartAsync(string lockDuration, string? administratorKey = null)
    {
        var settings = new Dictionary<string, string>
        {
            ["Monitoring:Security:Users:0:Id"] = User,
            ["Monitoring:Security:Users:0:Role"] = Roles.DutyOfficer,
            // The lowest cost the service accepts keeps six verifications quick on a busy machine.
            ["Monitoring:Security:Users:0:PasswordHash"] = UserPasswordHash.Create(Password, UserPasswordHash.MinimumIterations),
            ["Monitoring:Security:SignIn:UserLockDuration"] = lockDuration,
        };
        if (administratorKey is not null)
        {
            settings["Monitoring:Security:ApiKeys:0:Name"] = "ops-admin";
            settings["Monitoring:Security:ApiKeys:0:Role"] = Roles.Administrator;
            settings["Monitoring:Security:ApiKeys:0:Key"] = administratorKey;
        }

        return SecurityTestHost.StartAsync(settings);
    }

    private static async Task<HttpResponseMessage> SignInAsync(HttpClient http, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri("/console/login", UriKind.Relative))
        {
            Content = JsonContent.Create(new { user = User, password }),
        };
        request.Headers.Add(ConsoleAuthentication.CsrfHeader, "1");
        return await http.SendAsync(request);
    }

    private static async Task FailFiveTimesAsync(HttpClient http)
    {
        for (var i = 0; i < 5; i++)
        {
            using var wrong = await SignInAsync(http, "wrong password " + i);
            Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        }
    }

    [Fact]
    public async Task SignIn_FiveWrongPasswords_RightOneRefusedWith429UntilTheLockPasses()
    {
        await using var host = await StartAsync("00:00:02");
        var http = host.Service.Http;
        await FailFiveTimesAsync(http);

        using var locked = await SignInAsync(http, Password);

        Assert.Equal(HttpStatusCode.TooManyRequests, locked.StatusCode);
        var retryAfter = locked.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
        Assert.Equal("application/problem+json", locked.Content.Headers.ContentType?.MediaType);
        var problem = await locked.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Contains("Try again in", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // The lock lasts 2 s of the service's clock: ask again until it answers, never more than a bound.
        var status = await Eventually.MatchAsync(
            async () =>
            {
                using var response = await SignInAsync(http, Password);
                return response.StatusCode;
            },
            s => s != HttpStatusCode.TooManyRequests,
            TimeSpan.FromSeconds(15),
            "the sign-in lock to pass");
        Assert.Equal(HttpStatusCode.OK, status);
    }

    [Fact]
    public async Task SignInLocks_UserLocked_AdministratorSeesAndLiftsIt()
    {
        var key = ApiKeyHash.NewKey();
        await using var host = await StartAsync("00:15:00", key);
        var http = host.Service.Http;
        await FailFiveTimesAsync(http);

        using var list = new HttpRequestMessage(HttpMethod.Get, new Uri("/api/security/signin-locks", UriKind.Relative));
        list.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        using var listed = await http.SendAsync(list);
        var locks = await listed.Content.ReadFromJsonAsync<JsonElement>();
        using var lift = new HttpRequestMessage(HttpMethod.Delete, new Uri("/api/security/signin-locks/" + User, UriKind.Relative));
        lift.Headers.Add(ApiKeyAuthenticationHandler.HeaderName, key);
        using var lifted = await http.SendAsync(lift);
        using var signedIn = await SignInAsync(http, Password);

        Assert.Equal(HttpStatusCode.OK, listed.StatusCode);
        Assert.Contains(locks.EnumerateArray(), l => l.GetProperty("kind").GetString() == "user" && l.GetProperty("key").GetString() == User);
        Assert.Equal(HttpStatusCode.NoContent, lifted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, signedIn.StatusCode);
    }
}

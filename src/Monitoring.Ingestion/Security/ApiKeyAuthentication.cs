using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Security;

/// <summary>The configured API keys, by SHA-256.</summary>
internal sealed class ApiKeyStore
{
    private readonly (string Name, string Role, byte[] Hash)[] _keys;

    public ApiKeyStore(IOptions<SecurityOptions> options)
    {
        _keys = options.Value.ApiKeys
            .Select(k => (k.Name, k.Role, string.IsNullOrEmpty(k.KeySha256) ? ApiKeyHash.Compute(k.Key) : Convert.FromHexString(k.KeySha256)))
            .ToArray();
    }

    public bool IsEmpty => _keys.Length == 0;

    public bool TryFind(ReadOnlySpan<char> key, out string name, out string role)
    {
        var hash = ApiKeyHash.Compute(key);
        name = role = "";
        var found = false;
        // Every entry is compared, in constant time each, so the timing does not tell which key nearly matched.
        foreach (var k in _keys)
        {
            if (CryptographicOperations.FixedTimeEquals(hash, k.Hash) && !found)
            {
                found = true;
                name = k.Name;
                role = k.Role;
            }
        }

        return found;
    }
}

/// <summary>
/// Authenticates <c>X-Api-Key: &lt;key&gt;</c> or <c>Authorization: Bearer &lt;key&gt;</c>. Refusals carry a
/// JSON problem body that says how to get access, since the caller is usually a person at a console.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    ApiKeyStore keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";
    public const string AuthenticationMethodClaim = "monitoring:auth";

    private bool _keyPresented;

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!TryGetKey(Request, out var key))
            return Task.FromResult(AuthenticateResult.NoResult());
        _keyPresented = true;
        if (!keys.TryFind(key, out var name, out var role))
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        var identity = new ClaimsIdentity(
            [new Claim(ClaimTypes.Name, name), new Claim(ClaimTypes.Role, role), new Claim(AuthenticationMethodClaim, "api-key")],
            SchemeName, ClaimTypes.Name, ClaimTypes.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }

    internal static bool TryGetKey(HttpRequest request, out string key)
    {
        key = request.Headers[HeaderName].ToString();
        if (key.Length > 0)
            return true;
        var authorization = request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization["Bearer ".Length..].Trim();
            return key.Length > 0;
        }

        return false;
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        string detail;
        if (keys.IsEmpty)
        {
            detail = "This operation needs an API key, and none is configured on this service. Add one under " +
                     "Monitoring:Security:ApiKeys (Name, Role = viewer | duty-officer | supervisor | administrator, KeySha256 = sha256 of the key), " +
                     "then send it as 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'. See docs/security.md.";
        }
        else if (_keyPresented || TryGetKey(Request, out _))
        {
            detail = "The API key is not valid.";
        }
        else
        {
            detail = "This operation needs an API key: send 'X-Api-Key: <key>' or 'Authorization: Bearer <key>'. See docs/security.md.";
        }

        SecurityMetrics.ApiRequestRefused(StatusCodes.Status401Unauthorized);
        Response.Headers.WWWAuthenticate = "Bearer, ApiKey header=\"X-Api-Key\"";
        return WriteProblemAsync(Response, StatusCodes.Status401Unauthorized, "Authentication required", detail);
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties)
    {
        var role = Context.User.FindFirstValue(ClaimTypes.Role) ?? "none";
        SecurityMetrics.ApiRequestRefused(StatusCodes.Status403Forbidden);
        return WriteProblemAsync(Response, StatusCodes.Status403Forbidden, "Role not allowed",
            $"Role '{role}' may not do this. Duty operations (acknowledge, shelve) need {Roles.DutyOfficer} or {Roles.Administrator}; verifying a disposal report needs {Roles.Supervisor} or {Roles.Administrator}; configuration reload needs {Roles.Administrator}.");
    }

    internal static Task WriteProblemAsync(HttpResponse response, int status, string title, string detail)
    {
        response.StatusCode = status;
        return response.WriteAsJsonAsync(new { type = "about:blank", title, status, detail }, options: null, contentType: "application/problem+json");
    }
}

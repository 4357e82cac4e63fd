using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Security;

/// <summary>
/// Cookie sessions for the duty console beside the API keys. One policy scheme picks per request: an
/// API key when the request carries one, the console cookie when it carries that, and otherwise the
/// API key scheme (so an anonymous API caller gets the same 401 problem as before) except under
/// <c>/console</c>, where a person is sent to the sign-in page.
/// </summary>
/// <remarks>
/// Cross-site request forgery: the cookie is <c>SameSite=Strict</c> and HttpOnly, and every cookie-authenticated
/// write must also carry <see cref="CsrfHeader"/>. A cross-site page cannot add a custom header without a CORS
/// preflight, which this service never grants; Strict alone already keeps the cookie off cross-site requests in
/// current browsers, and the header covers same-site neighbours (another app on a sibling subdomain) and old
/// browsers. No antiforgery token: nothing to fetch, store or expire in the page (docs/security.md).
/// </remarks>
internal static class ConsoleAuthentication
{
    public const string PolicyScheme = "Monitoring";
    public const string CookieScheme = "ConsoleCookie";
    public const string CookieName = "monitoring.console";
    public const string CsrfHeader = "X-Monitoring-Console";
    public const string DisplayNameClaim = "monitoring:display-name";
    public const string AuthenticationMethod = "console";
    public const string LoginPath = "/console/login";

    public static AuthenticationBuilder AddConsoleCookie(this AuthenticationBuilder authentication)
    {
        authentication.AddPolicyScheme(PolicyScheme, "API key or console session", options =>
        {
            options.ForwardDefaultSelector = static http =>
            {
                if (ApiKeyAuthenticationHandler.TryGetKey(http.Request, out _))
                    return ApiKeyAuthenticationHandler.SchemeName;
                if (http.Request.Cookies.ContainsKey(CookieName) || IsConsolePage(http.Request))
                    return CookieScheme;
                return ApiKeyAuthenticationHandler.SchemeName;
            };
        });
        authentication.AddCookie(CookieScheme, options =>
        {
            options.Cookie.Name = CookieName;
            options.Cookie.HttpOnly = true;
            options.Cookie.SameSite = SameSiteMode.Strict;
            // Secure whenever the console is served over HTTPS; plain HTTP only works on loopback-style setups.
            options.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            options.Cookie.Path = "/";
            options.SlidingExpiration = true;
            options.LoginPath = LoginPath;
            options.Events = new CookieAuthenticationEvents
            {
                OnRedirectToLogin = static context =>
                {
                    if (IsConsolePage(context.Request))
                    {
                        context.Response.Redirect(context.RedirectUri);
                        return Task.CompletedTask;
                    }

                    SecurityMetrics.ApiRequestRefused(StatusCodes.Status401Unauthorized);
                    return ApiKeyAuthenticationHandler.WriteProblemAsync(context.Response, StatusCodes.Status401Unauthorized, "Authentication required",
                        "The console session has ended or is not valid: sign in again at " + LoginPath + ".");
                },
                OnRedirectToAccessDenied = static context =>
                {
                    var role = context.HttpContext.User.FindFirst(System.Security.Claims.ClaimTypes.Role)?.Value ?? "none";
                    SecurityMetrics.ApiRequestRefused(StatusCodes.Status403Forbidden);
                    return ApiKeyAuthenticationHandler.WriteProblemAsync(context.Response, StatusCodes.Status403Forbidden, "Role not allowed",
                        $"Role '{role}' may not do this. Duty operations (acknowledge, shelve, comment) need {Roles.DutyOfficer} or {Roles.Administrator}; verifying a disposal report needs {Roles.Supervisor} or {Roles.Administrator}.");
                },
            };
        });
        authentication.Services.AddOptions<CookieAuthenticationOptions>(CookieScheme)
            .Configure<IOptions<SecurityOptions>>(static (cookie, security) => cookie.ExpireTimeSpan = security.Value.SessionIdleTimeout);
        return authentication;
    }

    /// <summary>Refuses a cookie-authenticated write without <see cref="CsrfHeader"/> (runs after authentication).</summary>
    public static IApplicationBuilder UseConsoleCsrfCheck(this IApplicationBuilder app) => app.Use(static (context, next) =>
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method))
            return next(context);
        var byCookie = context.User.HasClaim(ApiKeyAuthenticationHandler.AuthenticationMethodClaim, AuthenticationMethod);
        // The sign-in form posts without a session; it needs the header too, against login forgery.
        if ((byCookie || context.Request.Path.StartsWithSegments(LoginPath, StringComparison.OrdinalIgnoreCase))
            && !context.Request.Headers.ContainsKey(CsrfHeader))
        {
            SecurityMetrics.ApiRequestRefused(StatusCodes.Status403Forbidden);
            return ApiKeyAuthenticationHandler.WriteProblemAsync(context.Response, StatusCodes.Status403Forbidden, "Missing request header",
                $"Writes from a console session must carry the '{CsrfHeader}' header (protection against cross-site request forgery).");
        }

        return next(context);
    });

    private static bool IsConsolePage(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Path.StartsWithSegments("/console", StringComparison.OrdinalIgnoreCase);
}

using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Monitoring.Ingestion.Security;

internal static class SecurityRegistration
{
    /// <summary>API authentication and policies (the embedded broker's access control is in Mqtt/: <see cref="Mqtt.MqttRegistration"/>).</summary>
    public static IServiceCollection AddMonitoringSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SecurityOptions>().Bind(configuration.GetSection(SecurityOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SecurityOptions>, SecurityOptionsValidator>();
        services.AddSingleton<ApiKeyStore>();

        services.AddSingleton<ConsoleUsers>();
        services.AddSingleton(static sp => new SignInThrottle(sp.GetRequiredService<IOptions<SecurityOptions>>().Value.SignIn, sp.GetRequiredService<TimeProvider>()));
        services.AddAuthentication(ConsoleAuthentication.PolicyScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddConsoleCookie();

        services.AddSingleton<IAuthorizationHandler, AccessRequirementHandler>();
        services.AddAuthorizationBuilder()
            .AddPolicy(Policies.Read, p => p.AddRequirements(new AccessRequirement(AccessLevel.Read)))
            .AddPolicy(Policies.Operate, p => p.RequireAuthenticatedUser().RequireRole(Roles.DutyOfficer, Roles.Administrator))
            .AddPolicy(Policies.Verify, p => p.RequireAuthenticatedUser().RequireRole(Roles.Supervisor, Roles.Administrator))
            .AddPolicy(Policies.Administer, p => p.RequireAuthenticatedUser().RequireRole(Roles.Administrator))
            // Endpoints that declare nothing: reads follow Policies.Read, anything else needs Operate, so a
            // write endpoint mapped without RequireAuthorization is still not open.
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().AddRequirements(new AccessRequirement(AccessLevel.ByMethod)).Build());
        return services;
    }

    public static WebApplication UseMonitoringSecurity(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseConsoleCsrfCheck();
        app.UseAuthorization();
        if (app.Services.GetRequiredService<IOptions<SecurityOptions>>().Value.EnableProbeEndpoints)
            MapProbeEndpoints(app);
        return app;
    }

    /// <summary>Dummy endpoints under each policy, so tests can prove the policies without the real write API.</summary>
    private static void MapProbeEndpoints(WebApplication app)
    {
        var probe = app.MapGroup("/api/_security-probe");
        probe.MapGet("/read", () => Results.Ok(new { policy = Policies.Read })).RequireAuthorization(Policies.Read);
        probe.MapPost("/operate", () => Results.Ok(new { policy = Policies.Operate })).RequireAuthorization(Policies.Operate);
        probe.MapPost("/verify", () => Results.Ok(new { policy = Policies.Verify })).RequireAuthorization(Policies.Verify);
        probe.MapPost("/administer", () => Results.Ok(new { policy = Policies.Administer })).RequireAuthorization(Policies.Administer);
        probe.MapPost("/undeclared", () => Results.Ok(new { policy = "fallback" }));
    }
}

internal enum AccessLevel
{
    Read,
    /// <summary>GET/HEAD as <see cref="Read"/>, any other method as <see cref="Policies.Operate"/>.</summary>
    ByMethod,
}

internal sealed record AccessRequirement(AccessLevel Level) : IAuthorizationRequirement;

internal sealed class AccessRequirementHandler(IOptions<SecurityOptions> options) : AuthorizationHandler<AccessRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, AccessRequirement requirement)
    {
        var http = context.Resource as HttpContext;
        var isRead = requirement.Level == AccessLevel.Read || http is null || HttpMethods.IsGet(http.Request.Method) || HttpMethods.IsHead(http.Request.Method);
        var user = context.User;
        bool allowed;
        if (isRead)
        {
            // Probes carry no credentials; health says nothing about plant data.
            allowed = !options.Value.RequireAuthenticationForReads
                      || http?.Request.Path.StartsWithSegments("/health", StringComparison.OrdinalIgnoreCase) == true
                      || user.IsInRole(Roles.Viewer) || user.IsInRole(Roles.DutyOfficer) || user.IsInRole(Roles.Supervisor) || user.IsInRole(Roles.Administrator);
        }
        else
        {
            allowed = user.IsInRole(Roles.DutyOfficer) || user.IsInRole(Roles.Administrator);
        }

        if (allowed)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Api;

/// <summary>
/// Console sign-in locks for an operator (docs/security.md, "Sign-in limits"): the locks in force, and
/// lifting one (a user locked out by a mistyped password, an office behind one address). Administrators
/// only: the list names user ids and addresses. Every lift is logged with who lifted it.
/// </summary>
internal static partial class SignInLockEndpoints
{
    public static void MapSignInLockEndpoints(this IEndpointRouteBuilder app)
    {
        var locks = app.MapGroup("/api/security/signin-locks").RequireAuthorization(Policies.Administer);

        locks.MapGet("", (SignInThrottle throttle) => Results.Ok(throttle.Locks()));

        locks.MapDelete("/{user}", (string user, SignInThrottle throttle, HttpContext http, ILoggerFactory loggers) =>
        {
            if (!throttle.LiftUser(user))
                return Results.Problem(detail: "No failed sign-ins are tracked for this user.", statusCode: StatusCodes.Status404NotFound);
            LogLifted(loggers.CreateLogger("Monitoring.Security.SignIn"), SignInThrottle.UserKind, user, http.User.Identity?.Name);
            return Results.NoContent();
        });

        // An address in a query, not the path: an IPv6 /64 key holds a '/'.
        locks.MapDelete("", (string? address, SignInThrottle throttle, HttpContext http, ILoggerFactory loggers) =>
        {
            if (string.IsNullOrEmpty(address))
                return Results.Problem(detail: "give ?address= (as listed), or DELETE /api/security/signin-locks/{user}", statusCode: StatusCodes.Status400BadRequest);
            if (!throttle.LiftAddress(address))
                return Results.Problem(detail: "No failed sign-ins are tracked for this address.", statusCode: StatusCodes.Status404NotFound);
            LogLifted(loggers.CreateLogger("Monitoring.Security.SignIn"), SignInThrottle.AddressKind, address, http.User.Identity?.Name);
            return Results.NoContent();
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console sign-in lock on {Kind} '{Key}' lifted by {Operator}")]
    private static partial void LogLifted(ILogger logger, string kind, string key, string? @operator);
}

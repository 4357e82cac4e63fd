using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Monitoring.Contracts;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Api;
using Monitoring.Ingestion.Security;
using Monitoring.Ingestion.Storage;

namespace Monitoring.Ingestion.Console;

/// <summary>
/// The duty console (docs/console.md): pages at <c>/console</c>, sign-in and sign-out, the live alarm
/// stream (server-sent events) and the reads its detail view needs (an alarm's context readings, a
/// point's stored readings). The actions go through the alarm API, so they are audited the same way.
/// </summary>
internal static partial class DutyConsole
{
    /// <summary>How often a stream looks again without a signal: comments and escalation times journal no event.</summary>
    public static readonly TimeSpan StreamRecheck = TimeSpan.FromSeconds(2);

    /// <summary>Comment line sent when nothing changed, so proxies keep the stream open.</summary>
    public static readonly TimeSpan StreamKeepAlive = TimeSpan.FromSeconds(20);

    /// <summary>Longest range of <c>GET /api/series</c>: a week, the accepted history window.</summary>
    public static readonly TimeSpan MaxSeriesRange = TimeSpan.FromDays(7);

    public static IServiceCollection AddDutyConsole(this IServiceCollection services)
    {
        services.AddSingleton<AlarmFeed>();
        services.AddSingleton<ConsoleAssets>();
        return services;
    }

    public static WebApplication MapDutyConsole(this WebApplication app)
    {
        var address = app.Configuration["Urls"]?.Split(';')[0].TrimEnd('/') ?? "";
        app.Services.GetRequiredService<ConsoleUsers>().AnnounceBootstrapAdministrator(
            app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Console"), address + "/console");

        var pages = app.MapGroup("/console");
        pages.MapGet("", (HttpContext http, ConsoleAssets assets) => assets.Serve(http, "index.html"))
            .RequireAuthorization(static p => p.RequireAuthenticatedUser());
        pages.MapGet("/login", (HttpContext http, ConsoleAssets assets) => assets.Serve(http, "login.html")).AllowAnonymous();
        pages.MapGet("/assets/{file}", (HttpContext http, ConsoleAssets assets, string file) => assets.Serve(http, file)).AllowAnonymous();

        pages.MapPost("/login", SignInAsync).AllowAnonymous();
        pages.MapPost("/logout", async (HttpContext http) =>
        {
            await http.SignOutAsync(ConsoleAuthentication.CookieScheme);
            return Results.NoContent();
        }).AllowAnonymous();
        pages.MapGet("/me", (ClaimsPrincipal user) => Results.Ok(new
        {
            id = user.Identity!.Name,
            displayName = user.FindFirstValue(ConsoleAuthentication.DisplayNameClaim) ?? user.Identity.Name,
            role = user.FindFirstValue(ClaimTypes.Role),
        })).RequireAuthorization(static p => p.RequireAuthenticatedUser());

        var api = app.MapGroup("/api");
        api.MapGet("/alarms/stream", StreamAsync).RequireAuthorization(Policies.Read);
        api.MapGet("/alarms/{alarmId:guid}/context", (Guid alarmId, AlarmTracker alarms) =>
            alarms.TryGet(alarmId, out var alarm)
                ? Results.Ok(new { alarmId, alarm.Raised.Tags, alarm.Raised.Context, alarm.Raised.Limit, alarm.Raised.Unit, raisedAt = alarm.Raised.OccurredAt })
                : Results.NotFound())
            .RequireAuthorization(Policies.Read);
        api.MapGet("/series", ReadSeriesAsync).RequireAuthorization(Policies.Read);
        return app;
    }

    /// <summary>The list as the console shows it: by priority, then newest first (the order of <c>GET /api/alarms</c>).</summary>
    public static List<AlarmView> Snapshot(AlarmTracker alarms) => alarms.All
        .OrderBy(a => PriorityRank(a.Raised.Priority))
        .ThenByDescending(a => a.Raised.OccurredAt)
        .Select(AlarmView.From)
        .ToList();

    private static async Task<IResult> SignInAsync(HttpContext http, SignInRequest? body, ConsoleUsers users, SignInThrottle throttle, TimeProvider time, ILoggerFactory loggers)
    {
        if (body is null || string.IsNullOrEmpty(body.User) || string.IsNullOrEmpty(body.Password) || body.User.Length > 64 || body.Password.Length > 1024)
            return Results.Problem(detail: "give 'user' and 'password'", statusCode: StatusCodes.Status400BadRequest);
        var logger = loggers.CreateLogger("Monitoring.Console");
        var remote = SignInThrottle.AddressKey(http.Connection.RemoteIpAddress);

        // Checked before the password: a locked attempt costs no PBKDF2 and its timing says nothing.
        var attempt = throttle.Begin(body.User, remote);
        if (attempt.Refused)
            return TooManySignIns(http, attempt, time.GetUtcNow());

        bool verified;
        ConsoleUser user;
        try
        {
            verified = users.TryVerify(body.User, body.Password, out user);
        }
        catch
        {
            throttle.Abandon(attempt);
            throw;
        }

        if (!verified)
        {
            var failure = throttle.Fail(attempt);
            LogSignInRefused(logger, body.User, remote);
            if (failure.UserLockedUntil is { } userUntil)
                LogUserLocked(logger, body.User, remote, failure.UserFailures, userUntil);
            if (failure.AddressLockedUntil is { } addressUntil)
                LogAddressLocked(logger, remote, body.User, failure.AddressFailures, addressUntil);
            SecurityMetrics.ApiRequestRefused(StatusCodes.Status401Unauthorized);
            return Results.Problem(title: "Sign-in refused", detail: "Unknown user or wrong password.", statusCode: StatusCodes.Status401Unauthorized);
        }

        throttle.Succeed(attempt);
        await http.SignInAsync(ConsoleAuthentication.CookieScheme, ConsoleUsers.Principal(user, ConsoleAuthentication.CookieScheme));
        LogSignedIn(logger, user.Id, user.Role);
        return Results.Ok(new { id = user.Id, displayName = user.DisplayName, role = user.Role });
    }

    /// <summary>429 with <c>Retry-After</c>; the same words for a known and an unknown user, so it reveals neither.</summary>
    private static IResult TooManySignIns(HttpContext http, SignInAttempt attempt, DateTimeOffset now)
    {
        SecurityMetrics.SignInRefused(attempt.Refusal);
        var seconds = attempt.RetryAfterSeconds(now);
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var retryAt = now.AddSeconds(seconds);
        var why = attempt.Refusal == SignInRefusal.LockedAddress ? "from this address" : "for this user name";
        return Results.Problem(
            title: "Too many failed sign-ins",
            detail: string.Create(CultureInfo.InvariantCulture, $"Sign-in {why} is paused after repeated failures. Try again in {seconds} s (after {retryAt:yyyy-MM-dd HH:mm:ss} UTC), or ask an administrator to lift the lock."),
            statusCode: StatusCodes.Status429TooManyRequests,
            extensions: new Dictionary<string, object?> { ["retryAfterSeconds"] = seconds, ["retryAt"] = retryAt });
    }

    private static async Task StreamAsync(HttpContext http, AlarmTracker alarms, AlarmFeed feed, TimeProvider time, IOptions<JsonOptions> json, IHostApplicationLifetime lifetime)
    {
        // Ends with the client, or when the service stops (an open stream would otherwise hold shutdown up).
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(http.RequestAborted, lifetime.ApplicationStopping);
        var ct = stop.Token;
        var response = http.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        // Tells nginx-style proxies not to buffer the stream.
        response.Headers["X-Accel-Buffering"] = "no";

        var options = json.Value.SerializerOptions;
        byte[]? last = null;
        var lastWrite = time.GetUtcNow();
        try
        {
            await response.WriteAsync("retry: 2000\n\n", ct);
            await response.Body.FlushAsync(ct);
            while (!ct.IsCancellationRequested)
            {
                var next = feed.NextChange;
                var alarmsJson = JsonSerializer.SerializeToUtf8Bytes(Snapshot(alarms), options);
                var now = time.GetUtcNow();
                if (last is null || !alarmsJson.AsSpan().SequenceEqual(last))
                {
                    last = alarmsJson;
                    // One line of JSON per event (the serializer writes no newlines): {"serverTime":..,"alarms":[..]}.
                    await response.WriteAsync("event: alarms\ndata: {\"serverTime\":" + JsonSerializer.Serialize(now, options) + ",\"alarms\":", ct);
                    await response.Body.WriteAsync(alarmsJson, ct);
                    await response.WriteAsync("}\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    lastWrite = now;
                }
                else if (now - lastWrite >= StreamKeepAlive)
                {
                    await response.WriteAsync(": keep-alive\n\n", ct);
                    await response.Body.FlushAsync(ct);
                    lastWrite = now;
                }

                try
                {
                    await next.WaitAsync(StreamRecheck, time, ct);
                }
                catch (TimeoutException)
                {
                }
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
        }
    }

    private static async Task<IResult> ReadSeriesAsync(
        ITimeSeriesReader reader, string? enterprise, string? gateway, string? point, DateTimeOffset? from, DateTimeOffset? to, int? limit,
        TimeProvider time, ILoggerFactory loggers, CancellationToken ct)
    {
        if (string.IsNullOrEmpty(enterprise) || string.IsNullOrEmpty(gateway) || string.IsNullOrEmpty(point))
            return Results.Problem(detail: "give enterprise, gateway and point", statusCode: StatusCodes.Status400BadRequest);
        var end = to ?? time.GetUtcNow();
        var start = from ?? end.AddMinutes(-30);
        if (start >= end || end - start > MaxSeriesRange)
            return Results.Problem(detail: "'from' must be before 'to', at most 7 days apart", statusCode: StatusCodes.Status400BadRequest);
        try
        {
            var rows = await reader.ReadAsync(enterprise, gateway, point, start, end, Math.Clamp(limit ?? 5000, 1, ITimeSeriesReader.MaxLimit), ct);
            return Results.Ok(new { enterprise, gateway, point, from = start, to = end, readings = rows });
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutException or InvalidOperationException or Microsoft.Data.Sqlite.SqliteException)
        {
            LogSeriesFailed(loggers.CreateLogger("Monitoring.Console"), ex.Message);
            return Results.Problem(title: "Time-series store unavailable", detail: ex.Message, statusCode: StatusCodes.Status503ServiceUnavailable);
        }
    }

    private static int PriorityRank(string priority) => priority switch
    {
        AlarmPriorities.Critical => 0,
        AlarmPriorities.High => 1,
        AlarmPriorities.Medium => 2,
        _ => 3,
    };

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console sign-in refused for user '{User}' from {Remote}")]
    private static partial void LogSignInRefused(ILogger logger, string user, string remote);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console sign-in locked for user '{User}' after {Failures} consecutive failures (last from {Remote}) until {Until:O}")]
    private static partial void LogUserLocked(ILogger logger, string user, string remote, int failures, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console sign-in locked for address {Remote} after {Failures} failures (last for user '{User}') until {Until:O}")]
    private static partial void LogAddressLocked(ILogger logger, string remote, string user, int failures, DateTimeOffset until);

    [LoggerMessage(Level = LogLevel.Information, Message = "Console sign-in: {User} ({Role})")]
    private static partial void LogSignedIn(ILogger logger, string user, string role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Console series read failed: {Error}")]
    private static partial void LogSeriesFailed(ILogger logger, string error);
}

internal sealed record SignInRequest(string? User, string? Password);

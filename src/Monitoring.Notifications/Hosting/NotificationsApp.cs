using Monitoring.Notifications.Api;

namespace Monitoring.Notifications.Hosting;

/// <summary>Builds the service. Program.cs runs it; integration tests build it in-process with their own arguments.</summary>
public static class NotificationsApp
{
    /// <param name="args">Command-line style settings.</param>
    /// <param name="configure">Runs after the service's own registrations, before the build (tests add a logger provider).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMonitoringNotifications();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.MapNotificationEndpoints();
        return app;
    }
}

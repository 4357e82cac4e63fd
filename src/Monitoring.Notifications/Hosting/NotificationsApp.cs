using Monitoring.Notifications.Api;

namespace Monitoring.Notifications.Hosting;

/// <summary>Builds the service. Program.cs runs it; integration tests build it in-process with their own arguments.</summary>
public static class NotificationsApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMonitoringNotifications();
        var app = builder.Build();
        app.MapNotificationEndpoints();
        return app;
    }
}

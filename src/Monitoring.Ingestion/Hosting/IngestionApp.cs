using Monitoring.Ingestion.Api;
using Monitoring.Ingestion.Console;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Hosting;

/// <summary>Builds the service. Program.cs runs it; integration tests build it in-process with their own arguments.</summary>
public static class IngestionApp
{
    /// <param name="args">Command-line style settings.</param>
    /// <param name="configure">Runs after the service's own registrations, before the build (tests add a logger provider).</param>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMonitoringIngestion();
        configure?.Invoke(builder);
        var app = builder.Build();
        app.UseMonitoringSecurity();
        app.MapMonitoringEndpoints();
        app.MapDutyConsole();
        return app;
    }
}

using Monitoring.Ingestion.Api;
using Monitoring.Ingestion.Console;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Hosting;

/// <summary>Builds the service. Program.cs runs it; integration tests build it in-process with their own arguments.</summary>
public static class IngestionApp
{
    public static WebApplication Build(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.AddMonitoringIngestion();
        var app = builder.Build();
        app.UseMonitoringSecurity();
        app.MapMonitoringEndpoints();
        app.MapDutyConsole();
        return app;
    }
}

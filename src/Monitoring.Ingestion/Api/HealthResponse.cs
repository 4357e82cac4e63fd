using System.Text.Json;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Monitoring.Ingestion.Api;

/// <summary>Health as JSON: the overall status and each check's status and reason, so an operator sees what is down.</summary>
internal static class HealthResponse
{
    public static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        var body = new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new { status = e.Value.Status.ToString(), description = e.Value.Description ?? e.Value.Exception?.Message }),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }
}

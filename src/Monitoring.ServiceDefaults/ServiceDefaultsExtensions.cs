using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Monitoring.ServiceDefaults;

/// <summary>The set-up both services share: metrics and the operator's endpoints (docs/operations.md).</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>
    /// Metrics of <paramref name="meterName"/> under the resource <paramref name="serviceName"/>: scraped at <c>/metrics</c>
    /// (Prometheus text), and pushed over OTLP as well when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set.
    /// </summary>
    public static IServiceCollection AddServiceMetrics(this IServiceCollection services, IConfiguration configuration, string serviceName, string meterName)
    {
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(serviceName))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(meterName);
                metrics.AddPrometheusExporter();
                if (!string.IsNullOrEmpty(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
                    metrics.AddOtlpExporter();
            });
        return services;
    }

    /// <summary>
    /// <c>/health/live</c> (the process answers; no check runs), <c>/health/ready</c> (every check tagged <c>ready</c>),
    /// and <c>/metrics</c>.
    /// </summary>
    /// <param name="readyWriter">How the readiness report is written; null for the status word alone.</param>
    public static void MapServiceEndpoints(this WebApplication app, Func<HttpContext, HealthReport, Task>? readyWriter = null)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        var ready = new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadyTag) };
        if (readyWriter is not null)
            ready.ResponseWriter = readyWriter;
        app.MapHealthChecks("/health/ready", ready);
        app.MapPrometheusScrapingEndpoint("/metrics");
    }

    /// <summary>The tag of a health check that readiness (<c>/health/ready</c>) includes.</summary>
    public const string ReadyTag = "ready";
}

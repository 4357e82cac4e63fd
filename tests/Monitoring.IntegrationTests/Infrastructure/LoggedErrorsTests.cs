using Microsoft.Extensions.Logging;
using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Infrastructure;

/// <summary>The fixture guard itself: it must catch what a service logs as an error and nothing less severe.</summary>
public sealed class LoggedErrorsTests
{
    private static (ILoggerFactory Factory, LoggedErrors Errors) Create()
    {
        var errors = new LoggedErrors();
        return (LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(errors)), errors);
    }

    [Fact]
    public void ErrorLogged_NotExpected_FailsWithCategoryMessageAndException()
    {
        var (factory, errors) = Create();
        using (factory)
        {
            factory.CreateLogger("Monitoring.Ingestion.Mqtt.MqttIntake")
                .LogError(new InvalidOperationException("callback threw"), "Handler failed for {Topic}", "mon/v1/E1/gw01/telemetry");
        }

        var failure = Assert.Throws<UnexpectedLoggedErrorException>(() => errors.ThrowIfUnexpected("the ingestion service"));

        var entry = Assert.Single(failure.Entries);
        Assert.Equal(LogLevel.Error, entry.Level);
        Assert.Contains("Monitoring.Ingestion.Mqtt.MqttIntake", failure.Message, StringComparison.Ordinal);
        Assert.Contains("Handler failed for mon/v1/E1/gw01/telemetry", failure.Message, StringComparison.Ordinal);
        Assert.Contains("InvalidOperationException: callback threw", failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CriticalLogged_NotExpected_Fails()
    {
        var (factory, errors) = Create();
        using (factory)
            factory.CreateLogger("X").LogCritical("disk full");

        Assert.Throws<UnexpectedLoggedErrorException>(() => errors.ThrowIfUnexpected("svc"));
    }

    [Fact]
    public void WarningsAndBelow_AreNotRecorded()
    {
        var (factory, errors) = Create();
        using (factory)
        {
            var logger = factory.CreateLogger("X");
            logger.LogWarning("store slow");
            logger.LogInformation("started");
            logger.LogDebug("detail");
        }

        Assert.Empty(errors.All);
        errors.ThrowIfUnexpected("svc");
    }

    [Fact]
    public void Expect_WithSeveralParts_NeedsThemAll()
    {
        var (factory, errors) = Create();
        errors.ExpectPublishCancelledByStop();
        using (factory)
        {
            factory.CreateLogger("MassTransit").LogError(new OperationCanceledException(), "S-FAULT loopback://localhost/urn:message:Monitoring.Contracts:AlarmRaised");
            factory.CreateLogger("MassTransit").LogError(new TaskCanceledException(), "S-FAULT rabbitmq://127.0.0.1/Monitoring.Contracts:AlarmCleared");
            factory.CreateLogger("MassTransit").LogError(new TimeoutException(), "S-FAULT rabbitmq://127.0.0.1/Monitoring.Contracts:AlarmRaised");
        }

        var unexpected = Assert.Single(errors.Unexpected);
        Assert.IsType<TimeoutException>(unexpected.Exception);
    }

    [Fact]
    public void UnhealthyHealthCheck_IsAReportedState_NotAnUnexpectedError()
    {
        var (factory, errors) = Create();
        using (factory)
        {
            factory.CreateLogger("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService")
                .LogError("Health check store with status Unhealthy completed after 1.2ms with message 'influxdb store unreachable'");
            factory.CreateLogger("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService").LogError("Health check store threw an exception");
        }

        Assert.Equal("Health check store threw an exception", Assert.Single(errors.Unexpected).Message);
    }

    [Fact]
    public void Expect_CoversOnlyItsCategoryAndMessagePart()
    {
        var (factory, errors) = Create();
        errors.Expect("Monitoring.Ingestion.Storage", "connection refused");
        using (factory)
        {
            factory.CreateLogger("Monitoring.Ingestion.Storage.InfluxWriter").LogError(new HttpRequestException("connection refused"), "Write failed");
            factory.CreateLogger("Monitoring.Ingestion.Storage.InfluxWriter").LogError("Write failed: 400 bad request");
            factory.CreateLogger("Monitoring.Ingestion.Alarms.OutboxPublisher").LogError("connection refused");
        }

        Assert.Equal(3, errors.All.Count);
        Assert.Equal(
            ["Monitoring.Ingestion.Storage.InfluxWriter", "Monitoring.Ingestion.Alarms.OutboxPublisher"],
            errors.Unexpected.Select(e => e.Category));
    }
}

using MassTransit;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Monitoring.Contracts;
using Monitoring.Contracts.Telemetry;
using Monitoring.Ingestion.Alarms;
using Monitoring.Ingestion.Bus;
using Monitoring.Ingestion.Console;
using Monitoring.Ingestion.Hazards;
using Monitoring.Ingestion.Mqtt;
using Monitoring.Ingestion.Observability;
using Monitoring.Ingestion.Pipeline;
using Monitoring.Ingestion.Security;
using Monitoring.Ingestion.Sites;
using Monitoring.Ingestion.Storage;
using Monitoring.Rules.Configuration;
using Monitoring.ServiceDefaults;
using Polly;
using Polly.Retry;

namespace Monitoring.Ingestion.Hosting;

internal static class IngestionServiceCollectionExtensions
{
    /// <summary>Registers the whole ingestion service from configuration (section <c>Monitoring</c>).</summary>
    public static WebApplicationBuilder AddMonitoringIngestion(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<ServiceOptions>().Bind(configuration.GetSection(ServiceOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<PipelineOptions>().Bind(configuration.GetSection(PipelineOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<StoreOptions>().Bind(configuration.GetSection(StoreOptions.Section)).ValidateOnStart();
        services.AddOptions<BusOptions>().Bind(configuration.GetSection(BusOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(TimeProvider.System);
        services.AddOptions<TelemetryOptions>().Bind(configuration.GetSection(TelemetryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<TelemetryOptions>>().Value.ToDecoderOptions());
        services.AddSingleton(sp => new GatewayRegistry(sp.GetRequiredService<IOptions<PipelineOptions>>().Value.ClockWindow));
        services.AddSingleton<OutboxSignal>();
        services.AddOptions<EscalationOptions>().Bind(configuration.GetSection(EscalationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DisposalOptions>().Bind(configuration.GetSection(DisposalOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<DisposalOptions>>(new DisposalOptionsValidator());
        services.AddSingleton(sp => sp.GetRequiredService<IOptions<DisposalOptions>>().Value);
        services.AddSingleton(sp => new AlarmTracker(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<EscalationOptions>>().Value,
            sp.GetRequiredService<DisposalOptions>()));
        services.AddOptions<AlarmHistoryOptions>().Bind(configuration.GetSection(AlarmHistoryOptions.Section)).ValidateDataAnnotations().ValidateOnStart();

        services.AddSingleton(sp => new SiteFiles(sp.GetRequiredService<IOptions<ServiceOptions>>().Value.SitePaths, sp.GetRequiredService<IHostEnvironment>().ContentRootPath));
        services.AddSingleton(sp =>
        {
            var compile = new RuleSetOptions { ClockSkewLimit = sp.GetRequiredService<IOptions<PipelineOptions>>().Value.ClockSkewLimit };
            var result = SiteLoader.Load(sp.GetRequiredService<SiteFiles>(), compile);
            if (result.RuleSet is null)
            {
                throw new InvalidOperationException("The site configuration is invalid:" + Environment.NewLine +
                                                    string.Join(Environment.NewLine, result.Errors.Select(e => "  " + e)));
            }

            return new RuleSetHolder(result.RuleSet);
        });

        services.AddSingleton(sp => new AlarmJournal(DataPath(sp, "alarms.db")));
        services.AddSingleton(sp => new DeadLetterStore(DataPath(sp, "deadletters.db"), sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<DeadLetterStore>>()));
        services.AddSingleton<ITimeSeriesStore>(sp =>
        {
            var options = sp.GetRequiredService<IOptions<StoreOptions>>().Value;
            ITimeSeriesStore store = options.Kind switch
            {
                StoreKind.InfluxDb => new InfluxDbStore(options.InfluxDb),
                _ => new SqliteTimeSeriesStore(DataPath(sp, "timeseries.db")),
            };
            return SpoolingTimeSeriesStore.Wrap(sp, store, DataPath(sp, "spool"));
        });
        // Reads go to the store itself, past the spool: what waits in the spool is not yet readable.
        services.AddSingleton<ITimeSeriesReader>(sp => sp.GetRequiredService<ITimeSeriesStore>() switch
        {
            SpoolingTimeSeriesStore { Inner: ITimeSeriesReader inner } => inner,
            ITimeSeriesReader reader => reader,
            var store => throw new InvalidOperationException($"The {store.Name} time-series store cannot be read back."),
        });

        services.AddSingleton(sp =>
        {
            var time = sp.GetRequiredService<TimeProvider>();
            return new IngestionPipeline(new PipelineDependencies(
                sp.GetRequiredService<IOptions<PipelineOptions>>().Value,
                sp.GetRequiredService<TelemetryDecoderOptions>(),
                time,
                sp.GetRequiredService<ITimeSeriesStore>(),
                RetryForever(time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Store"), "time-series write", IngestionMetrics.StoreWriteFailures,
                    static ex => ex is not TimeSeriesWriteRejectedException),
                sp.GetRequiredService<AlarmJournal>(),
                RetryForever(time, sp.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Alarms"), "alarm journal commit", null, static _ => true),
                sp.GetRequiredService<AlarmTracker>(),
                sp.GetRequiredService<OutboxSignal>(),
                sp.GetRequiredService<DeadLetterStore>(),
                sp.GetRequiredService<GatewayRegistry>(),
                sp.GetRequiredService<RuleSetHolder>(),
                sp.GetRequiredService<ILoggerFactory>().CreateLogger("Monitoring.Pipeline"),
                sp.GetRequiredService<IOptions<MqttOptions>>().Value.TopicRoot));
        });

        services.AddMonitoringSecurity(configuration);
        services.AddDutyConsole();
        services.AddMonitoringMqtt(configuration);
        // Hosted services stop in reverse order of registration. The bus first, then the outbox
        // publisher, then the ingestion path: on SIGTERM the workers drain into the outbox, the
        // publisher flushes it, and only then does the bus stop.
        AddBus(services, configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions());
        services.AddSingleton<OutboxPublisher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxPublisher>());
        services.AddHostedService<HeartbeatPublisher>();
        services.AddHostedService<AlarmHistoryPruner>();
        services.AddSingleton<RuleStateReplay>();
        services.AddHostedService<IngestionHost>();
        // After the ingestion host: its start restores the alarms the register reconciles with (HazardRegister.LoadAsync).
        services.AddOptions<HazardOptions>().Bind(configuration.GetSection(HazardOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton(sp => new HazardRegister(sp.GetRequiredService<AlarmJournal>(), sp.GetRequiredService<AlarmTracker>(), sp.GetRequiredService<OutboxSignal>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<IOptions<HazardOptions>>().Value));
        services.AddHostedService<HazardService>();
        services.AddSingleton<ConfigurationReloader>();
        services.AddHostedService(sp => sp.GetRequiredService<ConfigurationReloader>());

        services.AddHealthChecks()
            .AddCheck<MqttHealthCheck>("mqtt", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<StoreHealthCheck>("store", tags: [ServiceDefaultsExtensions.ReadyTag])
            .AddCheck<SpoolHealthCheck>("spool", tags: [ServiceDefaultsExtensions.ReadyTag]);

        services.AddServiceMetrics(configuration, "monitoring-ingestion", IngestionMetrics.MeterName);

        return builder;
    }

    private static void AddBus(IServiceCollection services, BusOptions bus)
    {
        services.AddMassTransit(x =>
        {
            if (bus.Kind == BusKind.RabbitMq)
            {
                x.UsingRabbitMq((_, cfg) =>
                {
                    cfg.Host(bus);
                    // Declare every contract exchange when the bus connects, not at the first publish
                    // of each type, so that a consumer that starts first can bind (docs/contract.md section 3).
                    cfg.DeployPublishTopology = true;
                    foreach (var type in PublishedEvents.Types)
                        cfg.Publish(type, _ => { });
                });
            }
            else
            {
                x.UsingInMemory();
            }
        });
    }

    private static string DataPath(IServiceProvider sp, string file)
    {
        var options = sp.GetRequiredService<IOptions<ServiceOptions>>().Value;
        var root = Path.IsPathRooted(options.DataDirectory)
            ? options.DataDirectory
            : Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, options.DataDirectory);
        Directory.CreateDirectory(root);
        return Path.Combine(root, file);
    }

    /// <summary>
    /// Retries until it succeeds or the service stops: the messages behind the call stay unacknowledged
    /// meanwhile, so waiting is safe and giving up would lose data.
    /// </summary>
    private static ResiliencePipeline RetryForever(TimeProvider time, ILogger logger, string what, System.Diagnostics.Metrics.Counter<long>? failures, Func<Exception, bool> retryable) =>
        new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<Exception>(ex => ex is not OperationCanceledException && retryable(ex)),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = TimeSpan.FromMilliseconds(100),
                MaxDelay = TimeSpan.FromSeconds(5),
                OnRetry = args =>
                {
                    failures?.Add(1);
                    logger.LogWarning("{What} failed (attempt {Attempt}), retrying in {Delay}: {Error}", what, args.AttemptNumber + 1, args.RetryDelay, args.Outcome.Exception?.Message);
                    return ValueTask.CompletedTask;
                },
            })
            .Build();
}

internal sealed class MqttHealthCheck(MqttIngress ingress) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(ingress.IsConnected ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("not connected to the MQTT broker"));
}

internal sealed class StoreHealthCheck(ITimeSeriesStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.IsReachableAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy($"{store.Name} store unreachable");
}

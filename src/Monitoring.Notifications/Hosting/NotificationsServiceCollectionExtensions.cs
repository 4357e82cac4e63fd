using System.Text;
using System.Text.Json.Serialization;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Monitoring.Contracts.AckLinks;
using Monitoring.Notifications.Channels;
using Monitoring.Notifications.Consuming;
using Monitoring.Notifications.Delivery;
using Monitoring.Notifications.Observability;
using Monitoring.Notifications.Roster;
using Monitoring.Notifications.Routing;
using Monitoring.Notifications.Storage;
using Monitoring.Notifications.Watchdog;
using Monitoring.ServiceDefaults;

namespace Monitoring.Notifications.Hosting;

internal static class NotificationsServiceCollectionExtensions
{
    /// <summary>The key both services sign and verify acknowledge links with (the ingestion service reads the same setting).</summary>
    public const string AckLinkKeySetting = "Monitoring:Security:AckLinkKey";

    public static WebApplicationBuilder AddMonitoringNotifications(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.AddOptions<NotificationOptions>().Bind(configuration.GetSection(NotificationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        // The stop grace runs inside the host's shutdown: the host must not give up on the stop before it ends.
        services.AddOptions<HostOptions>().Configure<IOptions<NotificationOptions>>((host, notifications) =>
        {
            var needed = notifications.Value.StopGrace + NotificationOptions.StopMargin;
            if (host.ShutdownTimeout < needed)
                host.ShutdownTimeout = needed;
        });
        services.AddOptions<BusOptions>().Bind(configuration.GetSection(BusOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.ConfigureHttpJsonOptions(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));

        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton(sp => new RosterHolder(ContentPath(sp, sp.GetRequiredService<IOptions<NotificationOptions>>().Value.RosterFile), sp.GetRequiredService<ILogger<RosterHolder>>()));
        services.AddSingleton(sp =>
        {
            var dataDirectory = ContentPath(sp, configuration["Monitoring:DataDirectory"] ?? "data");
            Directory.CreateDirectory(dataDirectory);
            return new NotificationStore(Path.Combine(dataDirectory, "notifications.db"), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NotificationOptions>>().Value;
            return new RoutingPolicy(o.RemindUnacknowledgedEvery, o.RemindAcknowledgedActiveEvery, o.DigestPriorities);
        });
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<NotificationOptions>>().Value;
            var keyText = configuration[AckLinkKeySetting];
            if (!string.IsNullOrEmpty(keyText) && Encoding.UTF8.GetByteCount(keyText) < AcknowledgeLinkToken.MinimumKeyBytes)
                throw new InvalidOperationException($"{AckLinkKeySetting} must be at least {AcknowledgeLinkToken.MinimumKeyBytes} bytes.");
            var key = string.IsNullOrEmpty(keyText) ? null : AcknowledgeLinkToken.KeyFromText(keyText);
            return new MessageComposer(new AckLinkSettings(string.IsNullOrEmpty(o.AckLinkBaseUrl) ? null : o.AckLinkBaseUrl, key, o.AckLinkLifetime), o.SandboxOnly);
        });

        services.AddSingleton<INotificationChannel>(sp => new WebhookChannel(new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(2) })
        {
            // Each attempt has its own timeout (Polly); this only stops a call that outlives every retry.
            Timeout = TimeSpan.FromMinutes(2),
        }));
        services.AddSingleton<INotificationChannel>(sp => new EmailChannel(sp.GetRequiredService<IOptions<NotificationOptions>>().Value.Smtp));
        services.AddSingleton<INotificationChannel, SandboxChannel>();

        services.AddSingleton<IngestionActivity>();
        services.AddSingleton<IngestionWatchdog>();
        services.AddSingleton<AlarmEventProcessor>();
        services.AddSingleton<DeliveryDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryDispatcher>());
        services.AddSingleton<NotificationScheduler>();
        services.AddHostedService(sp => sp.GetRequiredService<NotificationScheduler>());
        AddBus(services, configuration.GetSection(BusOptions.Section).Get<BusOptions>() ?? new BusOptions());

        services.AddHealthChecks()
            .AddCheck<StoreHealthCheck>("store", tags: [ServiceDefaultsExtensions.ReadyTag]);

        services.AddServiceMetrics(configuration, "monitoring-notifications", NotificationMetrics.MeterName);
        return builder;
    }

    private static void AddBus(IServiceCollection services, BusOptions bus)
    {
        services.AddMassTransit(x =>
        {
            x.AddConsumer<AlarmEventsConsumer>();
            x.AddConsumer<GatewayStatusConsumer>();
            x.AddConsumer<HazardOverdueConsumer>();
            x.AddConsumer<HeartbeatConsumer>();

            void Endpoints(IBusRegistrationContext context, IReceiveConfigurator cfg)
            {
                cfg.ReceiveEndpoint(bus.QueuePrefix + "alarms", e =>
                {
                    // One at a time: one alarm's events are applied in the order the broker holds them.
                    e.ConcurrentMessageLimit = 1;
                    e.UseMessageRetry(r => r.Exponential(20, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
                    e.ConfigureConsumer<AlarmEventsConsumer>(context);
                });
                cfg.ReceiveEndpoint(bus.QueuePrefix + "gateways", e =>
                {
                    e.UseMessageRetry(r => r.Exponential(20, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
                    e.ConfigureConsumer<GatewayStatusConsumer>(context);
                });
                cfg.ReceiveEndpoint(bus.QueuePrefix + "hazards", e =>
                {
                    e.UseMessageRetry(r => r.Exponential(20, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200)));
                    e.ConfigureConsumer<HazardOverdueConsumer>(context);
                });
                cfg.ReceiveEndpoint(bus.QueuePrefix + "heartbeats", e => e.ConfigureConsumer<HeartbeatConsumer>(context));
            }

            if (bus.Kind == BusKind.RabbitMq)
            {
                x.UsingRabbitMq((context, cfg) =>
                {
                    cfg.Host(bus);
                    Endpoints(context, cfg);
                });
            }
            else
            {
                x.UsingInMemory((context, cfg) => Endpoints(context, cfg));
            }
        });
    }

    private static string ContentPath(IServiceProvider sp, string path) =>
        Path.IsPathRooted(path) ? path : Path.Combine(sp.GetRequiredService<IHostEnvironment>().ContentRootPath, path);
}

internal sealed class StoreHealthCheck(NotificationStore store) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        await store.IsReachableAsync(cancellationToken) ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("notification store unreachable");
}

using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Mqtt;

internal static class MqttRegistration
{
    /// <summary>The MQTT options, the embedded broker's access control, the broker and the intake.</summary>
    public static IServiceCollection AddMonitoringMqtt(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<MqttOptions>().Bind(configuration.GetSection(MqttOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<BrokerAccessControl>();

        // The embedded broker with gateway authentication needs the service to log in too; without
        // configured credentials it gets a one-off random password that never leaves the process.
        services.AddOptions<MqttOptions>().PostConfigure<IOptions<SecurityOptions>>((mqtt, security) =>
        {
            if (mqtt.Broker != BrokerMode.Embedded || !security.Value.GatewayAuthenticationEnabled || !string.IsNullOrEmpty(mqtt.Username))
                return;
            mqtt.Username = BrokerAccessControl.DefaultServiceUsername;
            mqtt.Password = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        });

        services.AddSingleton<EmbeddedBroker>();
        services.AddSingleton<MqttIngress>();
        return services;
    }
}

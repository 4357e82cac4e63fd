using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using MQTTnet;

namespace Monitoring.Ingestion.Mqtt;

/// <summary>TLS of the service's own MQTT connections, from <see cref="MqttOptions"/>.</summary>
internal static class MqttClientTls
{
    /// <summary>Adds TLS to the client options when <see cref="MqttOptions.UseTls"/> is set; otherwise returns the builder unchanged.</summary>
    public static MqttClientOptionsBuilder WithMonitoringTls(this MqttClientOptionsBuilder builder, MqttOptions options)
    {
        if (!options.UseTls)
            return builder;

        var tls = new MqttClientTlsOptionsBuilder()
            .UseTls()
            .WithTargetHost(string.IsNullOrEmpty(options.TlsServerName) ? options.Host : options.TlsServerName)
            .WithSslProtocols(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);

        if (!string.IsNullOrEmpty(options.CaFile))
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(options.CaFile);
            tls = tls.WithCertificateValidationHandler(e => IsTrusted(e.Certificate, e.Chain, e.SslPolicyErrors, ca));
        }

        if (!string.IsNullOrEmpty(options.ClientCertificateFile))
        {
            var certificate = BrokerTls.LoadCertificate(options.ClientCertificateFile, options.ClientKeyFile, options.ClientCertificatePassword);
            tls = tls.WithClientCertificates([certificate]);
        }

        return builder.WithTlsOptions(tls.Build());
    }

    /// <summary>With a CA file, the server certificate must chain to that CA (name mismatch still fails).</summary>
    internal static bool IsTrusted(X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors, X509Certificate2 ca)
    {
        _ = chain;
        if (certificate is null || (errors & (SslPolicyErrors.RemoteCertificateNameMismatch | SslPolicyErrors.RemoteCertificateNotAvailable)) != 0)
            return false;
        return BrokerTls.IsIssuedBy(certificate, ca);
    }
}

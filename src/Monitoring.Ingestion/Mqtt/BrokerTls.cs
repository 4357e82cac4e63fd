using System.Net;
using System.Security.Cryptography.X509Certificates;
using Monitoring.Ingestion.Security;
using MQTTnet.Server;

namespace Monitoring.Ingestion.Mqtt;

/// <summary>The embedded broker's TLS endpoint and client-certificate check.</summary>
internal static class BrokerTls
{
    /// <summary>Adds the TLS endpoint when <see cref="BrokerSecurityOptions.TlsPort"/> is set; returns what must be disposed with the broker.</summary>
    public static IDisposable? Configure(MqttServerOptionsBuilder builder, BrokerSecurityOptions options, IPAddress address)
    {
        if (options.TlsPort == 0)
            return null;

        var certificate = LoadCertificate(options.CertificateFile!, options.CertificateKeyFile, options.CertificatePassword);
        builder.WithEncryptedEndpoint()
            .WithEncryptedEndpointBoundIPAddress(address)
            .WithEncryptedEndpointPort(options.TlsPort)
            .WithEncryptionCertificate(certificate)
            .WithEncryptionSslProtocol(System.Security.Authentication.SslProtocols.Tls12 | System.Security.Authentication.SslProtocols.Tls13);

        if (options.ClientCertificates == ClientCertificateMode.Required)
        {
            var ca = X509CertificateLoader.LoadCertificateFromFile(options.ClientCaFile!);
            builder.WithClientCertificate((_, cert, _, _) => cert is not null && IsIssuedBy(cert, ca), true);
            return new Both(certificate, ca);
        }

        return certificate;
    }

    public static X509Certificate2 LoadCertificate(string file, string? keyFile, string? password)
    {
        if (!string.IsNullOrEmpty(keyFile))
        {
            using var pem = X509Certificate2.CreateFromPemFile(file, keyFile);
            // SslStream wants a key it can use on every platform: round-trip through PKCS#12.
            return X509CertificateLoader.LoadPkcs12(pem.Export(X509ContentType.Pkcs12), null);
        }

        return X509CertificateLoader.LoadPkcs12FromFile(file, password);
    }

    /// <summary>Chain to the configured CA only, not to the machine's trust store: any public CA must not be able to mint gateways.</summary>
    internal static bool IsIssuedBy(X509Certificate certificate, X509Certificate2 ca)
    {
        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(ca);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.VerificationFlags = X509VerificationFlags.NoFlag;
        return chain.Build(leaf);
    }

    private sealed class Both(IDisposable a, IDisposable b) : IDisposable
    {
        public void Dispose()
        {
            a.Dispose();
            b.Dispose();
        }
    }
}

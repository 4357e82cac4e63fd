using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Microsoft.Extensions.Options;
using Monitoring.Ingestion.Security;
using MQTTnet.Protocol;

namespace Monitoring.Ingestion.Mqtt;

internal enum PrincipalKind
{
    /// <summary>The broker is open (no gateway credentials configured): ACL not enforced.</summary>
    Anonymous,
    Gateway,
    /// <summary>The ingestion service's own connection: may subscribe to everything.</summary>
    Service,
}

/// <summary>Who a connection is, kept in the MQTT session items. Precomputes the allowed topics so checks allocate nothing.</summary>
internal sealed class BrokerPrincipal
{
    private BrokerPrincipal(PrincipalKind kind, string name, string? topicPrefix, TokenBucket? bucket)
    {
        Kind = kind;
        Name = name;
        TopicPrefix = topicPrefix;
        Bucket = bucket;
    }

    public const string SessionKey = "monitoring.principal";

    public PrincipalKind Kind { get; }
    public string Name { get; }

    /// <summary><c>{root}/{enterprise}/{gateway}/</c> for a gateway.</summary>
    public string? TopicPrefix { get; }

    public TokenBucket? Bucket { get; }

    public static BrokerPrincipal Service(string name) => new(PrincipalKind.Service, name, null, null);
    public static BrokerPrincipal Anonymous(string clientId, TokenBucket? bucket) => new(PrincipalKind.Anonymous, clientId, null, bucket);

    public static BrokerPrincipal ForGateway(GatewayAccount account, string topicRoot, TokenBucket? bucket) =>
        new(PrincipalKind.Gateway, account.Username, $"{topicRoot}/{account.Enterprise}/{account.Gateway}/", bucket);
}

internal enum PublishVerdict
{
    Allowed,
    Acl,
    RateLimit,
    PayloadTooLarge,
}

/// <summary>
/// Authentication, topic ACL and limits of the embedded broker, without the broker (unit-testable).
/// A gateway may publish only <c>{root}/{enterprise}/{gateway}/telemetry</c> and <c>.../status</c> and
/// subscribe only under its own prefix; the service's own client may subscribe to everything.
/// </summary>
internal sealed class BrokerAccessControl
{
    public const string DefaultServiceUsername = "monitoring-service";

    private readonly SecurityOptions _security;
    private readonly MqttOptions _mqtt;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, GatewayAccount> _accounts;
    private readonly ConcurrentDictionary<string, TokenBucket> _buckets = new(StringComparer.Ordinal);

    public BrokerAccessControl(IOptions<SecurityOptions> security, IOptions<MqttOptions> mqtt, TimeProvider time)
    {
        _security = security.Value;
        _mqtt = mqtt.Value;
        _time = time;
        _accounts = LoadAccounts(_security);
        if (_mqtt.Username is { Length: > 0 } service && _accounts.ContainsKey(service))
            throw new InvalidOperationException($"MQTT user '{service}' is both the service's user (Monitoring:Mqtt:Username) and a gateway.");
    }

    public bool AuthenticationEnabled => _security.GatewayAuthenticationEnabled;

    public int GatewayCount => _accounts.Count;

    public BrokerSecurityOptions Broker => _security.Broker;

    /// <summary>Decides on a CONNECT. Returns the principal, or null and the reason code to refuse with.</summary>
    public BrokerPrincipal? Authenticate(string clientId, string? username, string? password, X509Certificate2? certificate, out MqttConnectReasonCode refusal)
    {
        refusal = MqttConnectReasonCode.Success;
        if (!AuthenticationEnabled)
            return BrokerPrincipal.Anonymous(clientId, BucketFor(clientId));

        if (!string.IsNullOrEmpty(_mqtt.Username) && string.Equals(username, _mqtt.Username, StringComparison.Ordinal))
        {
            if (FixedTimeEquals(password, _mqtt.Password))
                return BrokerPrincipal.Service(_mqtt.Username);
            SecurityMetrics.ConnectionRefused("bad_password");
            refusal = MqttConnectReasonCode.BadUserNameOrPassword;
            return null;
        }

        // A certificate the TLS layer accepted (chain to the configured CA) names the gateway in its CN.
        if (certificate is not null)
        {
            var cn = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
            if (cn is not null && (username is null || username == cn) && TryAccount(cn, out var byCertificate))
                return BrokerPrincipal.ForGateway(byCertificate, _mqtt.TopicRoot, BucketFor(byCertificate.Username));
            SecurityMetrics.ConnectionRefused("certificate");
            refusal = MqttConnectReasonCode.NotAuthorized;
            return null;
        }

        if (_security.Broker.ClientCertificates == ClientCertificateMode.Required)
        {
            SecurityMetrics.ConnectionRefused("certificate");
            refusal = MqttConnectReasonCode.NotAuthorized;
            return null;
        }

        if (username is null || !_accounts.TryGetValue(username, out var account) || account.PasswordHash is null)
        {
            // Same answer as a wrong password: do not reveal which gateway names exist.
            SecurityMetrics.ConnectionRefused("unknown_user");
            refusal = MqttConnectReasonCode.BadUserNameOrPassword;
            return null;
        }

        if (!PasswordHash.Verify(account.PasswordHash, password))
        {
            SecurityMetrics.ConnectionRefused("bad_password");
            refusal = MqttConnectReasonCode.BadUserNameOrPassword;
            return null;
        }

        return BrokerPrincipal.ForGateway(account, _mqtt.TopicRoot, BucketFor(account.Username));
    }

    /// <summary>Called for every PUBLISH: allocation-free.</summary>
    public PublishVerdict AuthorizePublish(BrokerPrincipal? principal, string topic, long payloadLength)
    {
        if (principal is { Kind: PrincipalKind.Service })
            return PublishVerdict.Allowed;
        if (principal is null)
            return AuthenticationEnabled ? PublishVerdict.Acl : PublishVerdict.Allowed;
        if (principal.Kind == PrincipalKind.Gateway && !IsOwnTopic(principal.TopicPrefix!, topic))
            return PublishVerdict.Acl;
        var max = _security.Broker.MaxPayloadBytes;
        if (max > 0 && payloadLength > max)
            return PublishVerdict.PayloadTooLarge;
        if (principal.Bucket is { } bucket && !bucket.TryTake())
            return PublishVerdict.RateLimit;
        return PublishVerdict.Allowed;
    }

    public bool AuthorizeSubscription(BrokerPrincipal? principal, string topicFilter) => principal switch
    {
        null => !AuthenticationEnabled,
        { Kind: PrincipalKind.Service or PrincipalKind.Anonymous } => true,
        // Its own prefix without wildcards above it: "+" or "#" before the prefix ends could match other gateways.
        _ => topicFilter.StartsWith(principal.TopicPrefix!, StringComparison.Ordinal),
    };

    private static bool IsOwnTopic(string prefix, string topic)
    {
        if (!topic.StartsWith(prefix, StringComparison.Ordinal))
            return false;
        var rest = topic.AsSpan(prefix.Length);
        return rest is "telemetry" or "status";
    }

    private bool TryAccount(string username, out GatewayAccount account)
    {
        if (_accounts.TryGetValue(username, out account!))
            return true;
        // With certificates the CA is the authority: a CN of the form enterprise.gateway needs no configured entry.
        if (GatewayAccount.TryParseUsername(username, out var enterprise, out var gateway))
        {
            account = new GatewayAccount(username, enterprise, gateway, null);
            return true;
        }

        return false;
    }

    private TokenBucket? BucketFor(string key)
    {
        var rate = _security.Broker.MessagesPerSecond;
        if (rate <= 0)
            return null;
        var capacity = _security.Broker.Burst > 0 ? _security.Broker.Burst : Math.Max(1, rate * 2);
        return _buckets.GetOrAdd(key, static (_, s) => new TokenBucket(s.rate, s.capacity, s.time), (rate, capacity, time: _time));
    }

    private static bool FixedTimeEquals(string? a, string? b)
    {
        if (a is null || b is null)
            return false;
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(a)), SHA256.HashData(Encoding.UTF8.GetBytes(b)));
    }

    private static Dictionary<string, GatewayAccount> LoadAccounts(SecurityOptions options)
    {
        var accounts = new Dictionary<string, GatewayAccount>(StringComparer.Ordinal);
        if (!string.IsNullOrEmpty(options.GatewayPasswordFile))
        {
            var lineNumber = 0;
            foreach (var raw in File.ReadLines(options.GatewayPasswordFile))
            {
                lineNumber++;
                var line = raw.Trim();
                if (line.Length == 0 || line[0] == '#')
                    continue;
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                var user = colon < 0 ? line : line[..colon];
                var hash = colon < 0 ? "" : line[(colon + 1)..];
                // Other users (the service, dashboards) may share a Mosquitto file: only gateway names are read.
                if (!GatewayAccount.TryParseUsername(user, out var enterprise, out var gateway))
                    continue;
                if (!PasswordHash.IsSupported(hash))
                    throw new InvalidOperationException($"{options.GatewayPasswordFile}:{lineNumber}: '{user}' has no Mosquitto $7$ or $6$ password hash.");

                accounts[user] = new GatewayAccount(user, enterprise, gateway, hash);
            }
        }

        // Configuration wins over the file for the same user.
        foreach (var g in options.Gateways)
            accounts[g.EffectiveUsername] = new GatewayAccount(g.EffectiveUsername, g.Enterprise, g.Gateway, g.PasswordHash);
        return accounts;
    }
}

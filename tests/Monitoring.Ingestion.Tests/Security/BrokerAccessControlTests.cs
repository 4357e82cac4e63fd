using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Ingestion.Mqtt;
using Monitoring.Ingestion.Security;
using MQTTnet.Protocol;

namespace Monitoring.Ingestion.Tests.Security;

public sealed class BrokerAccessControlTests : IDisposable
{
    private const string Enterprise = "91441800DEMODCCAST";
    private const string Other = "91130200DEMOSTEEL1";
    private readonly string _password = ApiKeyHash.NewKey();
    private readonly string _servicePassword = ApiKeyHash.NewKey();
    private readonly string _folder = Path.Combine(Path.GetTempPath(), "monitoring-security-tests", Guid.NewGuid().ToString("N"));

    public void Dispose()
    {
        if (Directory.Exists(_folder))
            Directory.Delete(_folder, recursive: true);
    }

    private BrokerAccessControl Create(Action<SecurityOptions>? configure = null, TimeProvider? time = null)
    {
        var security = new SecurityOptions
        {
            Gateways = [new GatewayCredentialOptions { Enterprise = Enterprise, Gateway = "gw01", PasswordHash = PasswordHash.Create(_password, 1000) }],
        };
        configure?.Invoke(security);
        var mqtt = new MqttOptions { Username = "svc", Password = _servicePassword };
        return new BrokerAccessControl(Options.Create(security), Options.Create(mqtt), time ?? TimeProvider.System);
    }

    private static BrokerPrincipal Connect(BrokerAccessControl access, string user, string password)
    {
        var principal = access.Authenticate("client", user, password, null, out var refusal);
        Assert.Equal(MqttConnectReasonCode.Success, refusal);
        return Assert.IsType<BrokerPrincipal>(principal);
    }

    [Fact]
    public void Authenticate_GatewayWithRightPassword_IsThatGateway()
    {
        var principal = Connect(Create(), $"{Enterprise}.gw01", _password);

        Assert.Equal(PrincipalKind.Gateway, principal.Kind);
        Assert.Equal($"mon/v1/{Enterprise}/gw01/", principal.TopicPrefix);
    }

    [Theory]
    [InlineData("91441800DEMODCCAST.gw01", "wrong")]
    [InlineData("91441800DEMODCCAST.gw02", null)]
    [InlineData(null, null)]
    [InlineData("svc", "wrong")]
    public void Authenticate_BadCredentials_RefusedAsBadUserNameOrPassword(string? user, string? password)
    {
        var principal = Create().Authenticate("client", user, password, null, out var refusal);

        Assert.Null(principal);
        Assert.Equal(MqttConnectReasonCode.BadUserNameOrPassword, refusal);
    }

    [Fact]
    public void Authenticate_ServiceCredentials_IsService() =>
        Assert.Equal(PrincipalKind.Service, Connect(Create(), "svc", _servicePassword).Kind);

    [Fact]
    public void Authenticate_NoGatewaysConfigured_OpenAndAnonymous()
    {
        var access = Create(s => s.Gateways.Clear());

        Assert.False(access.AuthenticationEnabled);
        var principal = access.Authenticate("any", null, null, null, out _);
        Assert.Equal(PrincipalKind.Anonymous, principal!.Kind);
        Assert.Equal(PublishVerdict.Allowed, access.AuthorizePublish(principal, $"mon/v1/{Other}/gw01/telemetry", 10));
    }

    [Theory]
    [InlineData("mon/v1/91441800DEMODCCAST/gw01/telemetry", "Allowed")]
    [InlineData("mon/v1/91441800DEMODCCAST/gw01/status", "Allowed")]
    [InlineData("mon/v1/91130200DEMOSTEEL1/gw01/telemetry", "Acl")]
    [InlineData("mon/v1/91441800DEMODCCAST/gw02/telemetry", "Acl")]
    [InlineData("mon/v1/91441800DEMODCCAST/gw01/telemetry/x", "Acl")]
    [InlineData("mon/v1/91441800DEMODCCAST/gw01/commands", "Acl")]
    [InlineData("mon/v1/91441800DEMODCCAST/gw01", "Acl")]
    [InlineData("other/91441800DEMODCCAST/gw01/telemetry", "Acl")]
    public void AuthorizePublish_Gateway_OnlyItsOwnTelemetryAndStatus(string topic, string expected)
    {
        var access = Create();
        var principal = Connect(access, $"{Enterprise}.gw01", _password);

        Assert.Equal(Enum.Parse<PublishVerdict>(expected), access.AuthorizePublish(principal, topic, 100));
    }

    [Fact]
    public void AuthorizePublish_NoPrincipalWhileAuthenticating_Refused() =>
        Assert.Equal(PublishVerdict.Acl, Create().AuthorizePublish(null, $"mon/v1/{Enterprise}/gw01/telemetry", 1));

    [Fact]
    public void AuthorizePublish_PayloadAboveLimit_Refused()
    {
        var access = Create(s => s.Broker.MaxPayloadBytes = 1000);
        var principal = Connect(access, $"{Enterprise}.gw01", _password);
        var topic = $"mon/v1/{Enterprise}/gw01/telemetry";

        Assert.Equal(PublishVerdict.Allowed, access.AuthorizePublish(principal, topic, 1000));
        Assert.Equal(PublishVerdict.PayloadTooLarge, access.AuthorizePublish(principal, topic, 1001));
    }

    [Fact]
    public void AuthorizePublish_AboveRate_RefusedUntilRefill_SharedAcrossConnections()
    {
        var time = new FakeTimeProvider();
        var access = Create(s =>
        {
            s.Broker.MessagesPerSecond = 1;
            s.Broker.Burst = 2;
        }, time);
        var first = Connect(access, $"{Enterprise}.gw01", _password);
        var second = Connect(access, $"{Enterprise}.gw01", _password);
        var topic = $"mon/v1/{Enterprise}/gw01/telemetry";

        Assert.Equal(PublishVerdict.Allowed, access.AuthorizePublish(first, topic, 1));
        Assert.Equal(PublishVerdict.Allowed, access.AuthorizePublish(second, topic, 1));
        Assert.Equal(PublishVerdict.RateLimit, access.AuthorizePublish(first, topic, 1));
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(PublishVerdict.Allowed, access.AuthorizePublish(second, topic, 1));
    }

    [Theory]
    [InlineData("mon/v1/91441800DEMODCCAST/gw01/#", true)]
    [InlineData("mon/v1/+/+/telemetry", false)]
    [InlineData("#", false)]
    [InlineData("mon/v1/91130200DEMOSTEEL1/gw01/#", false)]
    public void AuthorizeSubscription_Gateway_OnlyUnderItsOwnPrefix(string filter, bool expected)
    {
        var access = Create();
        Assert.Equal(expected, access.AuthorizeSubscription(Connect(access, $"{Enterprise}.gw01", _password), filter));
    }

    [Fact]
    public void AuthorizeSubscription_Service_Everything()
    {
        var access = Create();
        Assert.True(access.AuthorizeSubscription(Connect(access, "svc", _servicePassword), "$share/monitoring/mon/v1/+/+/telemetry"));
    }

    [Fact]
    public void Authenticate_PasswordFile_ReadsGatewayUsersAndSkipsOthers()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "passwd");
        File.WriteAllLines(file,
        [
            "# comment",
            $"{Other}.gw02:{PasswordHash.Create(_password, 1000)}",
            $"monitoring-service:{PasswordHash.Create("x", 1000)}",
        ]);
        var access = Create(s =>
        {
            s.Gateways.Clear();
            s.GatewayPasswordFile = file;
        });

        Assert.True(access.AuthenticationEnabled);
        Assert.Equal(1, access.GatewayCount);
        var principal = Connect(access, $"{Other}.gw02", _password);
        Assert.Equal($"mon/v1/{Other}/gw02/", principal.TopicPrefix);
    }

    [Fact]
    public void Create_PasswordFileGatewayWithoutHash_Throws()
    {
        Directory.CreateDirectory(_folder);
        var file = Path.Combine(_folder, "passwd");
        File.WriteAllLines(file, [$"{Other}.gw02:plaintext"]);

        var error = Assert.Throws<InvalidOperationException>(() => Create(s => s.GatewayPasswordFile = file));
        Assert.Contains(":1:", error.Message, StringComparison.Ordinal);
    }
}

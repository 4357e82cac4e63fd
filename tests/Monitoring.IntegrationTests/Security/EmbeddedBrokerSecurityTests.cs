using System.Globalization;
using System.Text;
using Monitoring.Ingestion.Security;
using Monitoring.Ingestion.Storage;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.IntegrationTests.Security;

/// <summary>The embedded broker with gateway credentials configured: authentication and the topic ACL, end to end.</summary>
[Trait("Category", "Integration")]
public sealed class EmbeddedBrokerSecurityTests
{
    private const string CastingPlant = "91441800DEMODCCAST";
    private const string SteelPlant = "91130200DEMOSTEEL1";
    private const string CastingTag = "CAST1.MOULD.WATER.P";

    // Generated per run: no secret in the repository.
    private readonly string _password = ApiKeyHash.NewKey();

    private Task<SecurityTestHost> StartAsync() => SecurityTestHost.StartAsync(new Dictionary<string, string>
    {
        ["Monitoring:Security:Gateways:0:Enterprise"] = CastingPlant,
        ["Monitoring:Security:Gateways:0:Gateway"] = "gw01",
        ["Monitoring:Security:Gateways:0:PasswordHash"] = PasswordHash.Create(_password, 1000),
        ["Monitoring:Security:Gateways:1:Enterprise"] = SteelPlant,
        ["Monitoring:Security:Gateways:1:Gateway"] = "gw01",
        ["Monitoring:Security:Gateways:1:PasswordHash"] = PasswordHash.Create(ApiKeyHash.NewKey(), 1000),
    });

    /// <summary>Connects; the outcome is the CONNACK result code, or the error of a refused connection (MQTTnet throws for some refusals).</summary>
    private static async Task<(IMqttClient Client, string Outcome)> ConnectAsync(int port, string? user, string? password)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", port)
            .WithClientId($"{user}.{Guid.NewGuid():N}")
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart(true);
        if (user is not null)
            builder = builder.WithCredentials(user, password);
        try
        {
            return (client, (await client.ConnectAsync(builder.Build())).ResultCode.ToString());
        }
        catch (MQTTnet.Adapter.MqttConnectingFailedException ex)
        {
            return (client, ex.Message);
        }
    }

    private static MqttApplicationMessage Telemetry(string enterprise, double value) => new MqttApplicationMessageBuilder()
        .WithTopic($"mon/v1/{enterprise}/gw01/telemetry")
        .WithPayload(Encoding.UTF8.GetBytes(Gateway.Batch(1, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds(), (CastingTag, value.ToString(CultureInfo.InvariantCulture)))))
        .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
        .Build();

    [Fact]
    public async Task GatewayPublishingForAnotherEnterprise_EmbeddedBroker_RefusedCountedAndNothingStored()
    {
        await using var host = await StartAsync();
        var (client, connected) = await ConnectAsync(host.MqttPort, $"{CastingPlant}.gw01", _password);
        using var _ = client;
        Assert.Equal(nameof(MqttClientConnectResultCode.Success), connected);

        var forged = await client.PublishAsync(Telemetry(SteelPlant, 0.5));
        var own = await client.PublishAsync(Telemetry(CastingPlant, 0.5));

        Assert.Equal(MqttClientPublishReasonCode.NotAuthorized, forged.ReasonCode);
        Assert.True(own.IsSuccess, own.ReasonCode.ToString());
        // The gateway's own message was published after the forged one on the same connection: once it is
        // stored, the forged one would have been too.
        using var store = new SqliteTimeSeriesStore(Path.Combine(host.DataDirectory, "timeseries.db"));
        await Eventually.MatchAsync(() => store.CountAsync(CastingPlant, "gw01"), n => n == 1, TimeSpan.FromSeconds(10), "own reading stored");
        Assert.Equal(0, await store.CountAsync(SteelPlant));
        var gateways = await host.Service.GetJsonAsync("/api/gateways");
        // Configured gateways may be listed before they send anything: none of the steel plant's has a message.
        Assert.All(gateways.EnumerateArray().Where(g => g.GetProperty("enterprise").GetString() == SteelPlant),
            g => Assert.Equal(0, g.GetProperty("messages").GetInt64()));

        var metrics = await host.Service.GetTextAsync("/metrics");
        Assert.Contains(metrics.Split('\n'), line =>
            line.StartsWith("monitoring_security_mqtt_publish_refused_total{", StringComparison.Ordinal) && line.Contains("reason=\"acl\"", StringComparison.Ordinal));

        await client.DisconnectAsync();
    }

    [Theory]
    [InlineData("91441800DEMODCCAST.gw01", "wrong password")]
    [InlineData("91441800DEMODCCAST.gw02", "any")]
    [InlineData(null, null)]
    public async Task GatewayWithBadCredentials_EmbeddedBroker_ConnectionRefused(string? user, string? password)
    {
        await using var host = await StartAsync();

        var (client, result) = await ConnectAsync(host.MqttPort, user, password);
        using var _ = client;

        Assert.Contains(nameof(MqttClientConnectResultCode.BadUserNameOrPassword), result, StringComparison.Ordinal);
        Assert.False(client.IsConnected);
    }

    [Fact]
    public async Task ServiceOwnConnection_GatewayAuthenticationOn_ConnectsWithGeneratedCredentials()
    {
        await using var host = await StartAsync();

        var ready = await host.Service.Http.GetAsync(new Uri("/health/ready", UriKind.Relative));

        Assert.Equal(System.Net.HttpStatusCode.OK, ready.StatusCode);
    }
}

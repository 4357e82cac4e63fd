using System.Buffers;
using System.Text;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Monitoring.IntegrationTests.Smoke;

[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class MosquittoSmokeTests(RealServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Mosquitto_QoS1PublishToSubscribedTopic_DeliversPayloadAtLeastOnce()
    {
        var factory = new MqttClientFactory();
        var topic = "smoke/" + RealServers.UniqueName("q1");
        var payload = Encoding.UTF8.GetBytes("""{"value":42.5}""");
        var received = new TaskCompletionSource<MqttApplicationMessage>(TaskCreationOptions.RunContinuationsAsynchronously);

        using var subscriber = factory.CreateMqttClient();
        subscriber.ApplicationMessageReceivedAsync += e =>
        {
            received.TrySetResult(e.ApplicationMessage);
            return Task.CompletedTask;
        };
        using var publisher = factory.CreateMqttClient();
        using var cancel = new CancellationTokenSource(Timeout);

        await subscriber.ConnectAsync(Options(RealServers.UniqueName("sub-")), cancel.Token);
        var subscription = await subscriber.SubscribeAsync(
            factory.CreateSubscribeOptionsBuilder()
                .WithTopicFilter(topic, MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancel.Token);
        Assert.Equal(MqttClientSubscribeResultCode.GrantedQoS1, Assert.Single(subscription.Items).ResultCode);

        await publisher.ConnectAsync(Options(RealServers.UniqueName("pub-")), cancel.Token);
        var published = await publisher.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancel.Token);
        Assert.Equal(MqttClientPublishReasonCode.Success, published.ReasonCode);

        var message = await received.Task.WaitAsync(Timeout);
        Assert.Equal(topic, message.Topic);
        Assert.Equal(MqttQualityOfServiceLevel.AtLeastOnce, message.QualityOfServiceLevel);
        Assert.Equal(payload, message.Payload.ToArray());

        await publisher.DisconnectAsync(cancellationToken: cancel.Token);
        await subscriber.DisconnectAsync(cancellationToken: cancel.Token);
    }

    [Fact]
    public async Task RealServers_MosquittoStoppedAndStarted_AcceptsConnectionsAgainOnSamePort()
    {
        var factory = new MqttClientFactory();
        using var client = factory.CreateMqttClient();
        using var cancel = new CancellationTokenSource(Timeout);

        await servers.StopMosquittoAsync();
        try
        {
            await Assert.ThrowsAnyAsync<Exception>(() => client.ConnectAsync(Options(RealServers.UniqueName("down-")), cancel.Token));
        }
        finally
        {
            await servers.StartMosquittoAsync();
        }

        var connected = await client.ConnectAsync(Options(RealServers.UniqueName("up-")), cancel.Token);
        Assert.Equal(MqttClientConnectResultCode.Success, connected.ResultCode);
        await client.DisconnectAsync(cancellationToken: cancel.Token);
    }

    // Clean start with no session expiry: nothing is left behind on the broker after the test.
    private MqttClientOptions Options(string clientId) =>
        new MqttClientOptionsBuilder()
            .WithTcpServer(servers.MqttHost, servers.MqttPort)
            .WithClientId(clientId)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithCleanStart()
            .WithTimeout(TimeSpan.FromSeconds(5))
            .Build();
}

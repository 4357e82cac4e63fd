using System.Text;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;
using RabbitMQ.Client;

namespace Monitoring.IntegrationTests.Smoke;

[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RabbitSmokeTests(RealServers servers)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);

    [Fact]
    public async Task Rabbit_FreshVirtualHostDeclarePublishGet_ReturnsThePublishedBody()
    {
        var vhost = await servers.CreateRabbitVirtualHostAsync("smoke");
        var factory = new ConnectionFactory
        {
            HostName = servers.AmqpHost,
            Port = servers.AmqpPort,
            UserName = servers.AmqpUser,
            Password = servers.AmqpPassword,
            VirtualHost = vhost,
        };
        await using var connection = await factory.CreateConnectionAsync();
        // With confirms the publish returns only once the broker has taken the message.
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true));
        var queue = await channel.QueueDeclareAsync(RealServers.UniqueName("q-"), durable: false, exclusive: true, autoDelete: true);
        var body = Encoding.UTF8.GetBytes("alarm raised");

        await channel.BasicPublishAsync(exchange: string.Empty, routingKey: queue.QueueName, body: body);

        var got = await Eventually.MatchAsync(
            () => channel.BasicGetAsync(queue.QueueName, autoAck: true),
            r => r is not null,
            Timeout,
            $"a message on {queue.QueueName} in {vhost}");
        Assert.Equal(body, got!.Body.ToArray());
    }

    [Fact]
    public async Task CreateRabbitVirtualHostAsync_TwoCalls_ReturnDistinctUsableVirtualHosts()
    {
        var first = await servers.CreateRabbitVirtualHostAsync();
        var second = await servers.CreateRabbitVirtualHostAsync();

        Assert.NotEqual(first, second);
        foreach (var vhost in new[] { first, second })
        {
            var factory = new ConnectionFactory
            {
                HostName = servers.AmqpHost,
                Port = servers.AmqpPort,
                UserName = servers.AmqpUser,
                Password = servers.AmqpPassword,
                VirtualHost = vhost,
            };
            await using var connection = await factory.CreateConnectionAsync();
            Assert.True(connection.IsOpen);
        }
    }
}

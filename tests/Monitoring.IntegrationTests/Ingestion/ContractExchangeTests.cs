using Monitoring.Contracts;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Monitoring.IntegrationTests.Ingestion;

/// <summary>
/// A supervision-platform consumer may start before the first alarm: the service declares every
/// contract exchange when it connects to RabbitMQ (docs/contract.md section 3), so binding never meets
/// 404 NOT_FOUND and no event published after the bind is missed.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class ContractExchangeTests(RealServers servers) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly string _topicRoot = $"it/{RealServers.UniqueName("exch")}/mon/v1";
    private readonly string _clientId = RealServers.UniqueName("svc");
    private readonly string _work = Path.Combine(Path.GetTempPath(), RealServers.UniqueName("exch"));
    private string _database = "";
    private string _virtualHost = "";
    private string _sites = "";

    public async Task InitializeAsync()
    {
        _database = await servers.CreateInfluxDatabaseAsync("exch");
        _virtualHost = await servers.CreateRabbitVirtualHostAsync("exch");
        _sites = TestSite.Write(Path.Combine(_work, "sites"));
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_work, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EveryContractExchange_ExistsAsFanoutAfterStart_BeforeAnyEventIsPublished()
    {
        await using var service = await ServiceUnderTest.StartAsync(
            ServiceUnderTest.RealServerSettings(servers, _topicRoot, _clientId, _database, _virtualHost, Path.Combine(_work, "data"), _sites));

        var missing = await Eventually.MatchAsync(MissingExchangesAsync, m => m.Count == 0, Patience, "every contract exchange declared");
        Assert.Empty(missing);

        // Declaring passively with the consumer's expected kind succeeds only if the kind and durability
        // match, so a fanout durable declaration must agree with what the service declared.
        await using var connection = await ConnectAsync();
        await using var channel = await connection.CreateChannelAsync();
        foreach (var type in PublishedEvents.Types)
            await channel.ExchangeDeclareAsync(PublishedEvents.ExchangeOf(type), ExchangeType.Fanout, durable: true, autoDelete: false);

        // The shared base of the alarm events is not a message: no exchange of its own.
        await using var probe = await connection.CreateChannelAsync();
        await Assert.ThrowsAsync<OperationInterruptedException>(() => probe.ExchangeDeclarePassiveAsync(PublishedEvents.ExchangeOf(typeof(AlarmEvent))));
    }

    [Fact]
    public async Task ConsumerThatBindsBeforeTheFirstAlarm_WithoutDeclaringTheExchange_ReceivesIt()
    {
        await using var service = await ServiceUnderTest.StartAsync(
            ServiceUnderTest.RealServerSettings(servers, _topicRoot, _clientId, _database, _virtualHost, Path.Combine(_work, "data"), _sites));
        await Eventually.MatchAsync(MissingExchangesAsync, m => m.Count == 0, Patience, "every contract exchange declared");

        await using var listener = await BusListener.BindToExistingAsync(
            servers.AmqpHost, servers.AmqpPort, _virtualHost, servers.AmqpUser, servers.AmqpPassword, nameof(AlarmRaised));
        await using var gateway = await Gateway.ConnectAsync(servers.MqttHost, servers.MqttPort, _topicRoot, TestSite.Enterprise, TestSite.Gateway);
        var ts = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() - 2000;
        await gateway.PublishAsync(Gateway.Batch(1, ts, (TestSite.PressureTag, "0.182")));
        await gateway.PublishAsync(Gateway.Batch(2, ts + 1000, (TestSite.PressureTag, "0.1")));

        var raised = await listener.NextAsync(nameof(AlarmRaised), Patience);
        Assert.Equal("DC_MOULD_WATER_PRESSURE", raised.GetProperty("message").GetProperty("ruleId").GetString());

        // The envelope names exactly the contract type: the shared AlarmEvent base does not leak onto the wire.
        Assert.Equal(["urn:message:Monitoring.Contracts:AlarmRaised"], raised.GetProperty("messageType").EnumerateArray().Select(t => t.GetString()));
    }

    private async Task<IConnection> ConnectAsync() =>
        await new ConnectionFactory
        {
            HostName = servers.AmqpHost,
            Port = servers.AmqpPort,
            VirtualHost = _virtualHost,
            UserName = servers.AmqpUser,
            Password = servers.AmqpPassword,
        }.CreateConnectionAsync();

    /// <summary>The contract exchanges that do not exist yet (a passive declare fails with 404 and closes its channel).</summary>
    private async Task<List<string>> MissingExchangesAsync()
    {
        await using var connection = await ConnectAsync();
        var missing = new List<string>();
        foreach (var type in PublishedEvents.Types)
        {
            var exchange = PublishedEvents.ExchangeOf(type);
            await using var channel = await connection.CreateChannelAsync();
            try
            {
                await channel.ExchangeDeclarePassiveAsync(exchange);
            }
            catch (OperationInterruptedException)
            {
                missing.Add(exchange);
            }
        }

        return missing;
    }
}

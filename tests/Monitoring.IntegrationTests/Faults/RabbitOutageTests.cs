using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using Monitoring.Ingestion.Alarms;
using Monitoring.IntegrationTests.Infrastructure;
using Monitoring.IntegrationTests.Ingestion;
using Monitoring.Testing;
using Xunit.Abstractions;

namespace Monitoring.IntegrationTests.Faults;

/// <summary>
/// RabbitMQ stopped while limit crossings happen under load: the events wait in the outbox, ingestion
/// goes on, and when the broker is back every transition is published once per eventId, in order.
/// </summary>
[Collection(RealServersCollection.Name)]
[Trait("Category", "Integration")]
public sealed class RabbitOutageTests(RealServers servers, ITestOutputHelper output) : IAsyncLifetime
{
    private FaultScene _scene = null!;

    public async Task InitializeAsync() => _scene = await FaultScene.CreateAsync(servers, "rmq");

    public Task DisposeAsync()
    {
        _scene.Delete();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task RabbitMqStopped_DuringLimitCrossings_EventsWaitInOutboxAndAllArriveOnceWhenItReturns()
    {
        // Bound before the service publishes anything, durable: it keeps what arrived across the restart.
        var events = await EventQueue.DeclareAsync(servers, _scene.VirtualHost, "AlarmRaised", "AlarmCleared");
        await using var service = await ServiceUnderTest.StartAsync(_scene.Settings());
        var journal = service.Services.GetRequiredService<AlarmJournal>();
        var firstTs = FaultScene.Now() - 600_000;
        await using var load = await _scene.StartLoadAsync(firstTs, TimeSpan.FromMilliseconds(20));
        await using var crossings = await _scene.StartCrossingsAsync(firstTs, TimeSpan.FromMilliseconds(200));
        await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= 4, TimeSpan.FromSeconds(30), "transitions published before the outage");

        long outboxAtEnd, storedDuringOutage, crossingsBefore;
        var outage = Stopwatch.StartNew();
        await servers.StopRabbitAsync();
        try
        {
            crossingsBefore = crossings.MessagesAcknowledged;
            var storedBefore = await _scene.CountStoredAsync(FaultScene.LoadGateway);
            // Transitions made while the broker is away must pile up in the outbox, not vanish or block.
            outboxAtEnd = await Eventually.MatchAsync(() => journal.CountOutboxAsync(CancellationToken.None), n => n >= 25, TimeSpan.FromSeconds(30), "events waiting in the outbox");
            storedDuringOutage = await _scene.CountStoredAsync(FaultScene.LoadGateway) - storedBefore;
        }
        finally
        {
            await servers.StartRabbitAsync();
        }

        var outageTime = outage.Elapsed;
        var crossingsDuringOutage = crossings.MessagesAcknowledged - crossingsBefore;
        var back = Stopwatch.StartNew();
        var transitions = await crossings.StopAsync();
        var readings = await load.StopAsync() * 50;

        await Eventually.MatchAsync(events.CountDistinctAsync, n => n >= transitions, TimeSpan.FromSeconds(90), $"{transitions} transitions published");
        var allPublishedAfter = back.Elapsed;
        var stored = await Eventually.MatchAsync(() => _scene.CountStoredAsync(FaultScene.LoadGateway), n => n >= readings, TimeSpan.FromSeconds(60), $"{readings} readings stored");
        var summary = AlarmTransitions.AssertGapless(await events.DrainAsync(), transitions);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"outage {outageTime.TotalSeconds:F1} s (stop + start of RabbitMQ); {crossingsDuringOutage} crossings published during it; outbox depth at its end {outboxAtEnd}; {storedDuringOutage} readings stored during it"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"load: published {readings} readings, stored {stored}; {summary}; all published {allPublishedAfter.TotalSeconds:F1} s after RabbitMQ was back"));
        Assert.Equal(readings, stored);
        Assert.True(storedDuringOutage > 0, "ingestion stopped while RabbitMQ was down");
        await Eventually.MatchAsync(() => journal.CountOutboxAsync(CancellationToken.None), n => n == 0, TimeSpan.FromSeconds(10), "the outbox empty");
    }
}

using MassTransit;
using Monitoring.Contracts;
using Monitoring.Notifications.Routing;

namespace Monitoring.Notifications.Consuming;

/// <summary>
/// Every alarm event type on one queue (<c>notifications-alarms</c>): the broker then keeps one alarm's
/// events in the order the ingestion service published them, which separate queues per type would not.
/// </summary>
internal sealed class AlarmEventsConsumer(AlarmEventProcessor processor) :
    IConsumer<AlarmRaised>,
    IConsumer<AlarmCleared>,
    IConsumer<AlarmAcknowledged>,
    IConsumer<AlarmShelved>,
    IConsumer<AlarmUnshelved>,
    IConsumer<AlarmOutOfService>,
    IConsumer<AlarmReturnedToService>,
    IConsumer<AlarmReset>,
    IConsumer<AlarmEscalated>,
    IConsumer<AlarmDisposalOverdue>
{
    public Task Consume(ConsumeContext<AlarmRaised> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmCleared> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmAcknowledged> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmShelved> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmUnshelved> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmOutOfService> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmReturnedToService> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmReset> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmEscalated> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);

    public Task Consume(ConsumeContext<AlarmDisposalOverdue> context) => processor.HandleAsync(AlarmSnapshot.From(context.Message), context.CancellationToken);
}

/// <summary>A major-hazard record whose plan, rectification or verification is late: told one rung up the enterprise's chain.</summary>
internal sealed class HazardOverdueConsumer(AlarmEventProcessor processor) : IConsumer<HazardOverdue>
{
    public Task Consume(ConsumeContext<HazardOverdue> context) => processor.HandleAsync(context.Message, context.CancellationToken);
}

internal sealed class GatewayStatusConsumer(AlarmEventProcessor processor) : IConsumer<GatewayStatusChanged>
{
    public Task Consume(ConsumeContext<GatewayStatusChanged> context) => processor.HandleAsync(context.Message, context.CancellationToken);
}

/// <summary>Heartbeats only feed the watchdog; nothing is stored per heartbeat.</summary>
internal sealed class HeartbeatConsumer(AlarmEventProcessor processor) : IConsumer<ServiceHeartbeat>
{
    public Task Consume(ConsumeContext<ServiceHeartbeat> context)
    {
        processor.Heartbeat(context.Message);
        return Task.CompletedTask;
    }
}

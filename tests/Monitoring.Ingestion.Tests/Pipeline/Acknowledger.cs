using Monitoring.Ingestion.Pipeline;

namespace Monitoring.Ingestion.Tests.Pipeline;

/// <summary>Stands for a message's PUBACK: <see cref="Done"/> completes when the worker acknowledges it.</summary>
internal sealed class Acknowledger : IMessageAcknowledger
{
    public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task AcknowledgeAsync(CancellationToken cancellationToken)
    {
        Done.TrySetResult();
        return Task.CompletedTask;
    }
}

using System.Collections.Concurrent;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Monitoring.Testing;

/// <summary>An error or critical entry the service under test logged.</summary>
public sealed record LoggedError(string Category, LogLevel Level, EventId EventId, string Message, Exception? Exception)
{
    public override string ToString() =>
        $"{Level} {Category}[{EventId.Id}]: {Message}{(Exception is null ? "" : $" ({Exception.GetType().Name}: {Exception.Message})")}";
}

/// <summary>
/// A logger provider that records every error and critical entry of a service under test, so that its
/// fixture fails the test when one was not expected (as MQTTnet's test environment does): an exception
/// swallowed in a callback then fails its test with its message, instead of surfacing as a timeout or
/// not at all. A test that provokes errors on purpose (a store outage, a broker stopped) says which
/// with <see cref="Expect"/>, narrowly: by category and a piece of the message.
/// </summary>
public sealed class LoggedErrors : ILoggerProvider
{
    private readonly ConcurrentQueue<LoggedError> _entries = new();
    private readonly ConcurrentQueue<(string Category, string[] MessageParts)> _expected = new(
    [
        // An unhealthy health check is a state the service reports on /health (and tests read there),
        // not a fault in its code: the health-check service logs every unhealthy result as an error.
        ("Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService", ["with status Unhealthy"]),
    ]);

    /// <summary>Every error and critical entry so far, expected or not.</summary>
    public IReadOnlyList<LoggedError> All => [.. _entries];

    /// <summary>The entries no <see cref="Expect"/> covers.</summary>
    public IReadOnlyList<LoggedError> Unexpected => [.. _entries.Where(e => !IsExpected(e))];

    /// <summary>
    /// Allows errors whose category starts with <paramref name="categoryPrefix"/> and whose text (message
    /// and exception) contains every one of <paramref name="messageParts"/> (none: any message).
    /// </summary>
    public LoggedErrors Expect(string categoryPrefix, params string[] messageParts)
    {
        _expected.Enqueue((categoryPrefix, messageParts));
        return this;
    }

    /// <summary>
    /// Allows MassTransit's send fault for a publish that the service's own stop cancelled: the outbox
    /// keeps the event and publishes it at the next start (docs/reliability.md), so nothing is lost.
    /// The ingestion fixtures declare it, as any test may stop the service while an event is on its way.
    /// The cancellation shows as an OperationCanceledException or its subclass TaskCanceledException,
    /// depending on where in the send it was cancelled.
    /// </summary>
    public LoggedErrors ExpectPublishCancelledByStop() =>
        Expect("MassTransit", "S-FAULT", "OperationCanceledException").Expect("MassTransit", "S-FAULT", "TaskCanceledException");

    /// <summary>Throws, listing them, if any error or critical entry was logged that no <see cref="Expect"/> covers.</summary>
    public void ThrowIfUnexpected(string service)
    {
        var unexpected = Unexpected;
        if (unexpected.Count == 0)
            return;
        var text = new StringBuilder($"{service} logged {unexpected.Count} unexpected error(s); fix the cause, or declare them with LoggedErrors.Expect if the test provokes them:");
        foreach (var entry in unexpected.Take(20))
            text.Append('\n').Append("  ").Append(entry);
        throw new UnexpectedLoggedErrorException(text.ToString(), unexpected);
    }

    /// <summary>Records an entry from a source other than an <see cref="ILogger"/> (a child process's console).</summary>
    public void Record(LoggedError entry) => _entries.Enqueue(entry);

    private bool IsExpected(LoggedError entry) => _expected.Any(e =>
        entry.Category.StartsWith(e.Category, StringComparison.Ordinal)
        && e.MessageParts.All(part =>
            entry.Message.Contains(part, StringComparison.Ordinal)
            || (entry.Exception?.ToString().Contains(part, StringComparison.Ordinal) ?? false)));

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private sealed class Logger(LoggedErrors owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Error && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
                owner.Record(new LoggedError(category, logLevel, eventId, formatter(state, exception), exception));
        }
    }
}

/// <summary>A service under test logged errors its test did not expect.</summary>
public sealed class UnexpectedLoggedErrorException(string message, IReadOnlyList<LoggedError> entries) : Exception(message)
{
    public IReadOnlyList<LoggedError> Entries { get; } = entries;
}

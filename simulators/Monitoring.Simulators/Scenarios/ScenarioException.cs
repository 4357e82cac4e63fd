namespace Monitoring.Simulators.Scenarios;

/// <summary>A scenario file is invalid; <see cref="Errors"/> holds every problem as <c>file(line,column): message</c>.</summary>
public sealed class ScenarioException : Exception
{
    public ScenarioException()
    {
        Errors = [];
    }

    public ScenarioException(string message)
        : base(message)
    {
        Errors = [message];
    }

    public ScenarioException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [message];
    }

    public ScenarioException(IReadOnlyList<string> errors)
        : base(string.Join(Environment.NewLine, errors))
    {
        Errors = errors;
    }

    public IReadOnlyList<string> Errors { get; }
}

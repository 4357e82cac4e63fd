namespace Monitoring.Simulators.Gateway;

/// <summary>The MQTT broker (or the alarm source) could not be reached; the message names host and port.</summary>
public sealed class BrokerUnreachableException : Exception
{
    public BrokerUnreachableException()
    {
    }

    public BrokerUnreachableException(string message)
        : base(message)
    {
    }

    public BrokerUnreachableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

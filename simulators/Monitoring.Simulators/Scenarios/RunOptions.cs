using Monitoring.Simulators.Gateway;

namespace Monitoring.Simulators.Scenarios;

/// <summary>Where and how fast a scenario is published.</summary>
public sealed class RunOptions
{
    public required BrokerEndpoint Broker { get; init; }

    public string TopicRoot { get; init; } = "mon/v1";

    /// <summary>Sensor seconds per wall second: 1 is real time, 10 ten times faster, 0 as fast as possible.</summary>
    public double Speed { get; init; } = 1;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Overrides the scenario's clock skew when set.</summary>
    public TimeSpan? ClockSkew { get; init; }

    /// <summary>Creates the link of one gateway from its client id; MQTT by default.</summary>
    public Func<string, IMessageSink>? SinkFactory { get; init; }

    /// <summary>Called about once a second of wall time with (scenario, sensor time done, sensor time total).</summary>
    public Action<Scenario, TimeSpan, TimeSpan>? Progress { get; init; }

    /// <summary>Updated with the sensor time of every sample published, when set.</summary>
    public SensorClock? Clock { get; init; }

    public IMessageSink CreateSink(string clientId) => SinkFactory?.Invoke(clientId) ?? new MqttMessageSink(Broker, clientId);
}

/// <summary>What a run published, in sensor time (ms since the Unix epoch).</summary>
public sealed record ScenarioRunResult(Scenario Scenario, long StartMs, long EndMs, long Messages, long Points, long Buffered);

namespace Monitoring.LoadTests;

/// <summary>One step of one target: what was offered, what got through, how late, at what cost.</summary>
public sealed record StepResult
{
    public required string Target { get; init; }
    public required string Profile { get; init; }
    public required double TargetRate { get; init; }
    /// <summary>Sensor-time range of the step's readings (ms): loss is counted over it.</summary>
    public long FirstTs { get; init; }
    public long LastTs { get; init; }
    public required double OfferedRate { get; init; }
    public required double AchievedRate { get; init; }
    public required long Published { get; init; }
    public required long Stored { get; init; }
    public required long Lost { get; init; }
    public required long PublishFailures { get; init; }
    public required double StepSeconds { get; init; }
    /// <summary>Seconds after the last publish until every reading was stored (or the drain gave up).</summary>
    public required double DrainSeconds { get; init; }
    public Percentiles? PublishAck { get; init; }
    /// <summary>Sensor time -> delivered to the subscriber (broker) or readable in InfluxDB (forwarder, service; sampled).</summary>
    public Percentiles? EndToEnd { get; init; }
    /// <summary>Sensor time -> AlarmRaised consumed from RabbitMQ (service only).</summary>
    public Percentiles? Alarm { get; init; }
    public long AlarmCrossings { get; init; }
    public double TargetCpuPercent { get; init; }
    public double TargetRssPeakMb { get; init; }
    public double BrokerCpuPercent { get; init; }
    public double InfluxCpuPercent { get; init; }
    public double DriverCpuPercent { get; init; }
    public required bool Held { get; init; }
    public required string Verdict { get; init; }
}

/// <summary>A stepped run of one target and profile; the knee is the highest step it held.</summary>
public sealed record LadderResult(string Target, string Profile, IReadOnlyList<StepResult> Steps)
{
    public StepResult? Knee => Steps.Where(s => s.Held).MaxBy(s => s.TargetRate);
}

/// <summary>Direct line-protocol writes to InfluxDB, as fast as the writers go.</summary>
public sealed record InfluxCeiling(int Writers, int BatchLines, double Seconds, long Written, long Stored, double Rate, Percentiles? WriteLatency, double InfluxCpuPercent);

public sealed record MachineFacts(string Cpu, int Cores, double MemoryGb, string Os, string Kernel, string DotNet, string LoadAverageAtStart, string LoadAverageAtEnd, string Note);

public sealed record RunResult
{
    public required string Mode { get; init; }
    public required string RunId { get; init; }
    public required DateTimeOffset StartedAt { get; init; }
    public required DateTimeOffset FinishedAt { get; init; }
    public required MachineFacts Machine { get; init; }
    public required string Command { get; init; }
    public required IReadOnlyDictionary<string, string> Settings { get; init; }
    public InfluxCeiling? Influx { get; init; }
    public required IReadOnlyList<LadderResult> Ladders { get; init; }
    public required IReadOnlyList<Summary> Summaries { get; init; }
    public IReadOnlyList<StepResult>? Soak { get; init; }
    public IReadOnlyList<string> Notes { get; init; } = [];
}

/// <summary>Per profile: the knees and the ratios the issue asks for.</summary>
public sealed record Summary(
    string Profile,
    double? ServiceKnee,
    double? ForwarderKnee,
    double? BrokerKnee,
    bool BrokerTopStepHeld,
    double? InfluxCeiling,
    double? ServiceToForwarder,
    double? ServiceToBroker,
    double? ServiceToInflux,
    double? AlarmP99AtHalfKnee,
    double? HalfKneeStep);

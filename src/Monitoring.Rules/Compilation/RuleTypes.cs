namespace Monitoring.Rules.Compilation;

/// <summary>The <c>type:</c> words of gateway rules and their signal roles (docs/rules.md lists their parameters).</summary>
public static class RuleTypes
{
    public const string Limit = "limit";
    public const string State = "state";
    public const string Difference = "difference";
    public const string Ratio = "ratio";
    public const string Deviation = "deviation";
    public const string RateOfChange = "rateOfChange";
    public const string CountInWindow = "countInWindow";
    public const string Voting = "voting";
    public const string CauseEffect = "causeEffect";
    public const string NoData = "noData";
    public const string SensorHealth = "sensorHealth";
    public const string SetpointCheck = "setpointCheck";

    public static IReadOnlyList<string> All { get; } =
        [Limit, State, Difference, Ratio, Deviation, RateOfChange, CountInWindow, Voting, CauseEffect, NoData, SensorHealth, SetpointCheck];

    private static readonly string[] Inputs = ["input1", "input2", "input3", "input4", "input5", "input6", "input7", "input8"];
    private static readonly string[] Effects = ["effect1", "effect2", "effect3", "effect4"];

    /// <summary>The signal roles of a rule type, in key order (the first bound one names the alarm key).</summary>
    public static IReadOnlyList<string> Roles(string type) => type switch
    {
        Limit or State or Deviation or RateOfChange or CountInWindow or NoData or SensorHealth => type == Deviation ? ["value", "reset"] : ["value"],
        Difference or Ratio => ["a", "b"],
        Voting => Inputs,
        CauseEffect => ["cause", .. Effects],
        _ => [],
    };

    internal static readonly string[] StageParameters = ["hh", "h", "l", "ll", "deadband", "onDelay", "offDelay"];

    public static IReadOnlyList<string> Parameters(string type) => type switch
    {
        Limit or Ratio => StageParameters,
        Difference => [.. StageParameters, "percent"],
        State => ["expected", "onDelay", "offDelay"],
        Deviation => [.. StageParameters, "reference", "learnFor"],
        RateOfChange => ["window", "fallPercent", "risePercent", "fallRate", "riseRate", "onDelay", "offDelay", "samples"],
        CountInWindow => ["window", "count", "counter", "offDelay", "samples"],
        Voting => ["setpoint", "votes", "onDelay", "offDelay"],
        CauseEffect => ["within", "causeAbove", "causeBelow", "effectAbove", "latch"],
        NoData => ["timeout", "period", "minimum"],
        SensorHealth => ["badFor", "rangeLow", "rangeHigh", "flatFor", "flatTolerance"],
        SetpointCheck => ["setpoint", "maximum", "minimum"],
        _ => [],
    };
}

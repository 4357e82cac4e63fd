using Microsoft.Extensions.Options;
using Monitoring.Contracts;

namespace Monitoring.Ingestion.Alarms;

/// <summary>
/// Configuration section <c>Monitoring:Alarms:Disposal</c>: the loop after the alarm (docs/disposal.md), 签收 sign for
/// (the acknowledgement, due within <see cref="EscalationOptions.AcknowledgeWithin"/>), 处置/反馈 disposal report with
/// a cause (due within <see cref="PriorityDisposal.DisposeWithin"/> of the raise, or of a return), 核查 verification by
/// a supervising officer where the priority asks for it (due within <see cref="PriorityDisposal.VerifyWithin"/> of the
/// report), 销号 close-out. Defaults follow domain/README.md section 5 (level-2 and red: report within 30 min; level 1:
/// closed within 24 h; every disposal needs a cause): defaults, not legal values.
/// </summary>
internal sealed class DisposalOptions
{
    public const string Section = "Monitoring:Alarms:Disposal";

    /// <summary>Off: an alarm closes when it has returned to normal and been acknowledged (ISA-18.2 alone), as before the loop existed.</summary>
    public bool Enabled { get; set; } = true;

    public PriorityDisposal Critical { get; set; } = new() { DisposeWithin = TimeSpan.FromMinutes(30), Verify = true, VerifyWithin = TimeSpan.FromHours(24) };
    public PriorityDisposal High { get; set; } = new() { DisposeWithin = TimeSpan.FromMinutes(30), Verify = true, VerifyWithin = TimeSpan.FromHours(24) };
    public PriorityDisposal Medium { get; set; } = new() { DisposeWithin = TimeSpan.FromHours(24), Verify = false, VerifyWithin = TimeSpan.FromHours(72) };
    public PriorityDisposal Low { get; set; } = new() { DisposeWithin = TimeSpan.FromHours(24), Verify = false, VerifyWithin = TimeSpan.FromHours(72) };

    /// <summary>
    /// The cause codes a report may give (消警原因). Empty: <see cref="DefaultCauses"/>. A configured list replaces
    /// the defaults entirely (configuration binding would otherwise append to them).
    /// </summary>
    public List<DisposalCause> Causes { get; set; } = [];

    public static IReadOnlyList<DisposalCause> DefaultCauses { get; } =
    [
        new() { Code = DisposalCauses.ProcessExcursion, Zh = "工艺波动", En = "Process excursion" },
        new() { Code = DisposalCauses.EquipmentFault, Zh = "设备故障", En = "Equipment fault" },
        new() { Code = DisposalCauses.InstrumentFault, Zh = "仪表故障", En = "Instrument fault" },
        new() { Code = DisposalCauses.FalseAlarm, Zh = "误报", En = "False alarm" },
        new() { Code = DisposalCauses.MaintenanceOrTest, Zh = "检修/测试", En = "Maintenance or test" },
        new() { Code = DisposalCauses.Other, Zh = "其他", En = "Other", RequiresText = true },
    ];

    public IReadOnlyList<DisposalCause> EffectiveCauses => Causes.Count > 0 ? Causes : DefaultCauses;

    /// <summary>
    /// What the loop asks of an alarm of this priority. A level-2 alarm or a major hazard is never given longer, nor
    /// spared a verification, compared with a critical one, whatever priority the rule was configured with.
    /// </summary>
    public PriorityDisposal For(string priority, int level, bool majorHazard)
    {
        var byPriority = ByPriority(priority);
        if (level < 2 && !majorHazard)
            return byPriority;
        return new PriorityDisposal
        {
            DisposeWithin = Min(byPriority.DisposeWithin, Critical.DisposeWithin),
            Verify = byPriority.Verify || Critical.Verify,
            VerifyWithin = Min(byPriority.VerifyWithin, Critical.VerifyWithin),
        };
    }

    /// <summary>The configuration's problems, one line each (empty when it is valid): checked at start.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        foreach (var (name, p) in new[] { ("Critical", Critical), ("High", High), ("Medium", Medium), ("Low", Low) })
        {
            if (p.DisposeWithin <= TimeSpan.Zero)
                problems.Add($"{Section}:{name}:DisposeWithin must be positive.");
            if (p.VerifyWithin <= TimeSpan.Zero)
                problems.Add($"{Section}:{name}:VerifyWithin must be positive.");
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Causes.Count; i++)
        {
            var cause = Causes[i];
            if (!IsValidCode(cause.Code))
                problems.Add($"{Section}:Causes:{i}:Code '{cause.Code}' must be 1-64 characters of lower-case letters, digits and '-'.");
            else if (!seen.Add(cause.Code))
                problems.Add($"{Section}:Causes:{i}:Code '{cause.Code}' is listed twice.");
            if (string.IsNullOrWhiteSpace(cause.Zh) || string.IsNullOrWhiteSpace(cause.En))
                problems.Add($"{Section}:Causes:{i} needs both labels, Zh and En.");
        }

        return problems;
    }

    /// <summary>The cause with this code, if the list has it.</summary>
    public DisposalCause? FindCause(string? code) => EffectiveCauses.FirstOrDefault(c => string.Equals(c.Code, code, StringComparison.Ordinal));

    private PriorityDisposal ByPriority(string priority) => priority switch
    {
        AlarmPriorities.Critical => Critical,
        AlarmPriorities.High => High,
        AlarmPriorities.Medium => Medium,
        _ => Low,
    };

    /// <summary>A cause code is a stable word on the wire: lower-case letters, digits and '-'.</summary>
    private static bool IsValidCode(string code) =>
        code.Length is > 0 and <= 64 && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}

internal sealed class PriorityDisposal
{
    /// <summary>From the raise (or from a return of the report) to the disposal report.</summary>
    public TimeSpan DisposeWithin { get; set; }
    /// <summary>A supervising officer verifies the report before the close-out; false: the report closes the alarm out.</summary>
    public bool Verify { get; set; }
    /// <summary>From the report to its verification.</summary>
    public TimeSpan VerifyWithin { get; set; }
}

/// <summary>A cause code of a disposal report, with its labels for the console.</summary>
internal sealed class DisposalCause
{
    public string Code { get; set; } = "";
    public string Zh { get; set; } = "";
    public string En { get; set; } = "";
    /// <summary>A report with this cause must say more in its cause text (其他, other).</summary>
    public bool RequiresText { get; set; }
}

/// <summary>Checks <see cref="DisposalOptions"/> at start: every problem is named, with its configuration key.</summary>
internal sealed class DisposalOptionsValidator : IValidateOptions<DisposalOptions>
{
    public ValidateOptionsResult Validate(string? name, DisposalOptions options) =>
        options.Problems() is { Count: > 0 } problems ? ValidateOptionsResult.Fail(problems) : ValidateOptionsResult.Success;
}

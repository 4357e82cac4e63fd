using System.Globalization;
using Monitoring.Contracts;

namespace Monitoring.Rules.Compilation.Presets;

// The catalogue. Setpoint defaults are [E] engineering estimates or [S] sourced values from shared/domain
// sections 4 and 7: editable defaults, never legal thresholds. Where the domain notes mark an article's item
// number as unverified ([M]), the clause is cited by content.
public static partial class RulePresets
{
    private const string Steel = "steel";
    private const string Aluminium = "aluminium-casting";
    private const string Dust = "dust";
    private const string AllIndustries = "all";

    private static PresetRole R(string name, string description) => new(name, true, description);

    private static PresetRole O(string name, string description) => new(name, false, description);

    private static PresetParameter P(string name, string? defaultValue, string description) => new(name, defaultValue, description);

    private static PresetParameter Opt(string name, string description) => new(name, null, description, Optional: true);

    private static PresetPart Part(string type, string prefix = "") => new(type, prefix);

    private static string Times(PresetContext c, string parameter, double factor)
        => (c.Number(parameter) * factor).ToString(CultureInfo.InvariantCulture);

    private static string Plus(PresetContext c, string a, string b, double sign)
        => (c.Number(a) + (sign * c.Number(b))).ToString(CultureInfo.InvariantCulture);

    /// <summary>Every preset, in the order of shared/domain section 7.</summary>
    public static IReadOnlyList<RulePreset> All { get; } =
    [
        new()
        {
            Id = "CO_AMBIENT", Industry = Steel, Level = 2,
            Clause = "令10号 第四条 (煤气区域及人员聚集场所固定式一氧化碳监测报警, 数据接入24小时有人值守场所); GB 6222",
            Title = new("一氧化碳浓度高", "CO concentration high"),
            Roles = [R("value", "CO detector, ppm"), O("detector2", "second detector of the same room, for voting"), O("detector3", "third detector, for voting")],
            Parameters =
            [
                P("first", "24", "first stage, ppm [S] 30 mg/m3"), P("second", "160", "second stage, ppm [S] 200 mg/m3"),
                P("deadband", "2.4", "10 % of the first stage"), P("onDelay", "5s", "CO must hold this long"), P("offDelay", "10s", "return to normal this long"),
                P("votes", "2", "with detector2/3 bound: detectors at or above the second stage needed for the VOTE condition"),
            ],
            Expansion = "limit H = first, HH = second; with detector2 (and detector3) bound also voting VOTE: `votes` of the bound detectors >= second",
            Build = c => c.Has("detector2")
                ? [Limit(c, "value", h: "first", hh: "second"), Part(RuleTypes.Voting).Sig("input1", "value").Sig("input2", "detector2").Sig("input3", "detector3").P("setpoint", "second").P("votes", "votes").P("onDelay", "onDelay").P("offDelay", "offDelay")]
                : [Limit(c, "value", h: "first", hh: "second")],
        },
        new()
        {
            Id = "DETECTOR_OFFLINE_OR_FAULT", Industry = AllIndustries, Level = 1,
            Clause = "令10号 第四条 (一氧化碳监测数据未接入24小时有人值守场所); 第十四条 (监控报警设施失效)",
            Title = new("检测报警仪离线或故障", "Detector offline or faulty"),
            Roles = [R("value", "the mandatory point (CO, H2, level, flow, ...)"), O("fault", "detector fault bit (1 = fault)"), O("running", "production running bit: gates the flat-line check")],
            Parameters =
            [
                P("period", "10s", "expected publishing period; no data after max(3 x period, minimum)"), P("minimum", "60s", "shortest no-data timeout"),
                P("escalateAfter", "15m", "no data this long raises the level-2 LONG_NO_DATA"), P("badFor", "60s", "bad quality this long raises BAD_QUALITY"),
                Opt("rangeLow", "instrument range low (e.g. 3.8 mA equivalent)"), Opt("rangeHigh", "instrument range high (e.g. 20.5 mA equivalent)"),
                P("flatFor", "30m", "unchanged this long while running raises FLATLINE"), P("flatTolerance", "0", "a change no larger than this counts as no change"),
            ],
            Expansion = "noData NO_DATA (level 1), noData LONG_NO_DATA (escalateAfter, level 2), sensorHealth BAD_QUALITY (+ OUT_OF_RANGE when rangeLow/rangeHigh given), sensorHealth FLATLINE gated by running, state FAULT_STATE (fault = 0 expected) when fault is bound",
            Build = c =>
            {
                var parts = new List<PresetPart>
                {
                    Part(RuleTypes.NoData).Sig("value", "value").P("period", "period").P("minimum", "minimum"),
                    Part(RuleTypes.NoData, "LONG_").Sig("value", "value").P("timeout", "escalateAfter").AtLevel(2),
                    Part(RuleTypes.SensorHealth).Sig("value", "value").P("badFor", "badFor").P("rangeLow", "rangeLow").P("rangeHigh", "rangeHigh"),
                    Part(RuleTypes.SensorHealth).Sig("value", "value").P("flatFor", "flatFor").P("flatTolerance", "flatTolerance").Gate("running", "1"),
                };
                if (c.Has("fault"))
                {
                    parts.Add(Part(RuleTypes.State, "FAULT_").Sig("value", "fault").Lit("expected", 0));
                }

                return parts;
            },
        },
        new()
        {
            Id = "INTERLOCK_BYPASSED", Industry = AllIndustries, Level = 2, MajorHazard = true, Priority = AlarmPriorities.Critical,
            Clause = "令10号 第四条(四)(五)、第五条 (联锁要求)、第十四条 (联锁失效判定为重大事故隐患)",
            Title = new("安全联锁未投入", "Safety interlock bypassed"),
            Roles = [R("interlock", "interlock-enabled bit (1 = in service)"), O("running", "equipment in production bit (blowing, casting, fan running)")],
            Parameters = [P("onDelay", "0s", "bypass tolerated this long")],
            Expansion = "state STATE: interlock must be 1, gated by running",
            Build = c => [Part(RuleTypes.State).Sig("value", "interlock").Lit("expected", 1).P("onDelay", "onDelay").Gate("running", "1")],
        },
        new()
        {
            Id = "LANCE_COOLING_DQ", Industry = Steel, Level = 2, MajorHazard = true,
            Clause = "令10号 第四条(四)",
            Title = new("氧枪冷却水进出水流量差大 (疑似漏水)", "Lance cooling water flow difference high (suspected leak)"),
            Roles = [R("inlet", "cooling water inlet flow"), R("outlet", "cooling water outlet flow"), O("blowing", "blowing bit: gates the rule")],
            Parameters =
            [
                P("firstPercent", "3", "first stage, % of inlet flow [E]"), P("secondPercent", "5", "second stage, % of inlet flow [E]"),
                P("secondFlow", "5", "second stage in flow units regardless of percentage [E]"), P("deadbandPercent", "0.5", "deadband of the percentage stages"),
                P("onDelay", "2s", "difference must hold this long"), P("offDelay", "5s", "return to normal this long"),
            ],
            Expansion = "difference (percent of inlet) H = firstPercent, HH = secondPercent; difference ABS_HH = secondFlow; both gated by blowing",
            Build = c =>
            [
                Part(RuleTypes.Difference).Sig("a", "inlet").Sig("b", "outlet").Lit("percent", "true").P("h", "firstPercent").P("hh", "secondPercent").P("deadband", "deadbandPercent").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("blowing", "1"),
                Part(RuleTypes.Difference, "ABS_").Sig("a", "inlet").Sig("b", "outlet").P("hh", "secondFlow").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("blowing", "1"),
            ],
        },
        new()
        {
            Id = "LANCE_COOLING_TOUT", Industry = Steel, Level = 2,
            Clause = "令10号 第四条(四)",
            Title = new("氧枪冷却水出水温度高", "Lance cooling water outlet temperature high"),
            Roles = [R("value", "outlet water temperature, °C"), O("blowing", "blowing bit: gates the rule")],
            Parameters = [P("first", "50", "°C [E]"), P("second", "55", "°C, trip [E]"), P("deadband", "1", "°C"), P("onDelay", "3s", "as for the rule type"), P("offDelay", "5s", "as for the rule type")],
            Expansion = "limit H = first, HH = second, gated by blowing",
            Build = c => [Limit(c, "value", h: "first", hh: "second").Gate("blowing", "1")],
        },
        new()
        {
            Id = "LANCE_FLOW_OR_O2_LOW", Industry = Steel, Level = 2, Priority = AlarmPriorities.High,
            Clause = "令10号 第四条(四)",
            Title = new("氧枪冷却水流量或氧气压力低", "Lance cooling flow or oxygen pressure low"),
            Roles = [R("flow", "cooling water inlet flow"), R("oxygen", "lance oxygen pressure"), O("blowing", "blowing bit: gates the rule")],
            Parameters =
            [
                P("nominalFlow", null, "nominal inlet flow"), P("nominalOxygen", null, "nominal oxygen pressure"),
                P("flowPercent", "85", "L at this % of nominal flow [E]"), P("oxygenPercent", "80", "L at this % of nominal pressure [E]"),
                P("onDelay", "2s", "as for the rule type"), P("offDelay", "5s", "as for the rule type"),
            ],
            Expansion = "deviation FLOW_L (flow <= flowPercent % of nominalFlow), deviation O2_L (oxygen <= oxygenPercent % of nominalOxygen), gated by blowing",
            Build = c =>
            [
                Part(RuleTypes.Deviation, "FLOW_").Sig("value", "flow").P("reference", "nominalFlow").P("l", "flowPercent").Lit("deadband", 2).P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("blowing", "1"),
                Part(RuleTypes.Deviation, "O2_").Sig("value", "oxygen").P("reference", "nominalOxygen").P("l", "oxygenPercent").Lit("deadband", 2).P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("blowing", "1"),
            ],
        },
        new()
        {
            Id = "LANCE_TRIP_NOT_EXECUTED", Industry = Steel, Level = 2, MajorHazard = true, Priority = AlarmPriorities.Critical,
            Clause = "令10号 第四条(四) (与氧枪自动提升联锁); 第十四条",
            Title = new("氧枪联锁提升/切氧未执行", "Lance trip not executed"),
            Roles = [R("trip", "lance trip demand bit"), R("lanceRaised", "lance raised / rising feedback (1)"), O("oxygenClosed", "oxygen valve closed feedback (1)")],
            Parameters = [P("within", "5s", "deadline for the feedback [E]")],
            Expansion = "causeEffect NOT_EXECUTED: trip = 1 and lanceRaised (and oxygenClosed) not 1 within `within`",
            Build = c => [Part(RuleTypes.CauseEffect).Sig("cause", "trip").Sig("effect1", "lanceRaised").Sig("effect2", "oxygenClosed").P("within", "within")],
        },
        new()
        {
            Id = "BF_TOP_PRESSURE", Industry = Steel, Level = 2, MajorHazard = true,
            Clause = "令10号 第四条(五)",
            Title = new("高炉炉顶压力超设计最高工作压力", "Blast furnace top pressure above design maximum"),
            Roles = [R("value", "top pressure, kPa")],
            Parameters = [P("designMax", null, "design maximum working pressure (design documents)"), P("firstPercent", "95", "H at this % of designMax [E]"), P("deadbandPercent", "1", "as for the rule type"), P("onDelay", "2s", "as for the rule type"), P("offDelay", "5s", "as for the rule type")],
            Expansion = "deviation from designMax: H = firstPercent %, HH = 100 %",
            Build = c => [Part(RuleTypes.Deviation).Sig("value", "value").P("reference", "designMax").P("h", "firstPercent").Lit("hh", 100).P("deadband", "deadbandPercent").P("onDelay", "onDelay").P("offDelay", "offDelay")],
        },
        new()
        {
            Id = "BF_RELIEF_SETPOINT_CHECK", Industry = Steel, Level = 2, MajorHazard = true,
            Clause = "令10号 第四条(五) (炉顶放散阀联锁放散压力设定值不得超过设备设计压力)",
            Title = new("高炉放散阀联锁设定值超设计压力", "BF bleeder interlock setpoint above design pressure"),
            Roles = [],
            Parameters =
            [
                P("reliefSetpoint", null, "bleeder interlock release pressure setpoint"), P("designPressure", null, "equipment design pressure"),
                Opt("topSetpoint", "top working-pressure setpoint"), Opt("designMaxWorking", "design maximum working pressure"),
            ],
            Expansion = "static checks: RELIEF_STATIC reliefSetpoint <= designPressure; TOP_STATIC topSetpoint <= designMaxWorking when both given. Failed checks are in RuleSet.StaticViolations",
            Build = c => c.HasParameter("topSetpoint") && c.HasParameter("designMaxWorking")
                ? [Part(RuleTypes.SetpointCheck, "RELIEF_").P("setpoint", "reliefSetpoint").P("maximum", "designPressure"), Part(RuleTypes.SetpointCheck, "TOP_").P("setpoint", "topSetpoint").P("maximum", "designMaxWorking")]
                : [Part(RuleTypes.SetpointCheck, "RELIEF_").P("setpoint", "reliefSetpoint").P("maximum", "designPressure")],
        },
        new()
        {
            Id = "GAS_DRAINER_SEAL", Industry = Steel, Level = 2, MajorHazard = true,
            Clause = "令10号 第四条 (正压煤气输配管线水封式排水器最高封堵煤气压力不小于30kPa); 第五条 (同类条款)",
            Title = new("煤气排水器水封压力不足", "Gas drainer water seal insufficient"),
            Roles = [R("pressure", "gas main pressure, kPa"), O("sealLevel", "drainer seal water level")],
            Parameters =
            [
                P("sealRating", null, "effective seal pressure of the drainer, kPa"), P("minimumRating", "30", "kPa [M]"),
                P("firstPercent", "80", "H when main pressure reaches this % of sealRating [E]"), Opt("sealLevelLow", "L for the seal level (needed when sealLevel is bound)"),
                P("onDelay", "5s", "as for the rule type"), P("offDelay", "10s", "as for the rule type"),
            ],
            Expansion = "static RATING_STATIC sealRating >= minimumRating; deviation H (pressure >= firstPercent % of sealRating); limit LEVEL_L on sealLevel when bound",
            Build = c => c.Has("sealLevel")
                ? [Rating(), Main(), Part(RuleTypes.Limit, "LEVEL_").Sig("value", "sealLevel").P("l", "sealLevelLow").P("onDelay", "onDelay").P("offDelay", "offDelay")]
                : [Rating(), Main()],
        },
        MouldWater("DC_MOULD_WATER_PRESSURE", "pressure", "结晶器冷却水进水压力低", "Mould cooling water inlet pressure low", "进水压力", "MPa"),
        MouldWater("DC_MOULD_WATER_FLOW", "flow", "结晶器冷却水进水流量低", "Mould cooling water inlet flow low", "进水流量", "m3/h"),
        new()
        {
            Id = "DC_LAUNDER_LEVEL", Industry = Aluminium, Level = 2, MajorHazard = true,
            Clause = "令10号 第五条 (浇铸炉出口流槽、流槽与模盘(分配流槽)入口连接处液位监测报警及与快速切断阀、紧急排放阀、倾动控制联锁)",
            Title = new("流槽铝液液位异常", "Launder metal level abnormal"),
            Roles = [R("level", "metal level, mm"), O("casting", "casting bit: gates the rule"), O("castLength", "cast length, mm: armed from minCastLength")],
            Parameters =
            [
                P("setpoint", null, "level setpoint, mm"), P("firstBand", "10", "H/L at setpoint ± this, mm [E]"), P("secondBand", "20", "HH/LL (trip) at setpoint ± this, mm [E]"),
                P("rate", "5", "FALL_RATE/RISE_RATE at this many mm/s [E]"), P("rateWindow", "1s", "window of the rate"), P("minCastLength", "300", "mm: armed from this cast length [S 300-500 mm]"),
                P("deadband", "2", "mm"), P("onDelay", "500ms", "as for the rule type"), P("offDelay", "2s", "as for the rule type"),
            ],
            Expansion = "limit HH/H/L/LL at setpoint ± bands; rateOfChange FALL_RATE and RISE_RATE; all gated by casting = 1 and castLength >= minCastLength",
            Build = c =>
            [
                Part(RuleTypes.Limit).Sig("value", "level").Lit("hh", Plus(c, "setpoint", "secondBand", 1)).Lit("h", Plus(c, "setpoint", "firstBand", 1)).Lit("l", Plus(c, "setpoint", "firstBand", -1)).Lit("ll", Plus(c, "setpoint", "secondBand", -1))
                    .P("deadband", "deadband").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("casting", "1").Gate("castLength", c.Parameter("minCastLength").Text),
                Part(RuleTypes.RateOfChange).Sig("value", "level").P("window", "rateWindow").P("fallRate", "rate").P("riseRate", "rate").P("offDelay", "offDelay").Gate("casting", "1").Gate("castLength", c.Parameter("minCastLength").Text),
            ],
        },
        new()
        {
            Id = "DC_TRIP_ACTUATION_VERIFY", Industry = Aluminium, Level = 2, MajorHazard = true, Priority = AlarmPriorities.Critical,
            Clause = "令10号 第五条 (结晶器冷却水、液位监测报警与快速切断阀、紧急排放阀、流槽断开装置、倾动控制联锁); 第十四条",
            Title = new("铸造联锁动作未确认", "Casting trip actuation not confirmed"),
            Roles =
            [
                R("trip", "casting trip demand bit"), R("cutOff", "fast cut-off valve closed feedback (1)"), O("discharge", "emergency discharge valve open feedback (1), fixed furnace"),
                O("launderDisconnect", "launder disconnect feedback (1)"), O("tiltBack", "tilting furnace tilted back feedback (1)"),
            ],
            Parameters = [P("within", "3s", "deadline for every bound feedback [E 2-3 s]")],
            Expansion = "causeEffect NOT_EXECUTED: trip = 1 and a bound feedback not 1 within `within` (trip latched until confirmed)",
            Build = c =>
            [
                Part(RuleTypes.CauseEffect).Sig("cause", "trip").Sig("effect1", "cutOff").Sig("effect2", "discharge").Sig("effect3", "launderDisconnect").Sig("effect4", "tiltBack").P("within", "within").Lit("latch", "true"),
            ],
        },
        new()
        {
            Id = "DC_SAFETY_SETPOINT_ENVELOPE", Industry = Aluminium, Level = 2, MajorHazard = true,
            Clause = "令10号 第十四条 (联锁保护设定值超出保护范围, 2024 江苏海安案例)",
            Title = new("铸造联锁设定值超出保护范围", "Casting interlock setpoint outside the protection envelope"),
            Roles = [O("setpoint", "live interlock setpoint read from the PLC"), O("casting", "casting bit: gates the change check")],
            Parameters =
            [
                Opt("configured", "approved interlock setpoint (static check against the envelope)"), P("envelopeLow", null, "lowest approved setpoint"), P("envelopeHigh", null, "highest approved setpoint"),
                P("changeBand", "1", "CHANGED_ when the live setpoint differs from configured by more than this % while casting"),
            ],
            Expansion = "static LOW_STATIC / HIGH_STATIC: configured within [envelopeLow, envelopeHigh]; limit on the live setpoint L = envelopeLow, H = envelopeHigh; deviation CHANGED_ (live setpoint vs configured ± changeBand %) gated by casting",
            Build = c =>
            {
                var parts = new List<PresetPart>();
                if (c.HasParameter("configured"))
                {
                    parts.Add(Part(RuleTypes.SetpointCheck, "HIGH_").P("setpoint", "configured").P("maximum", "envelopeHigh"));
                    parts.Add(Part(RuleTypes.SetpointCheck, "LOW_").P("setpoint", "configured").P("minimum", "envelopeLow"));
                }

                if (c.Has("setpoint"))
                {
                    parts.Add(Part(RuleTypes.Limit).Sig("value", "setpoint").P("l", "envelopeLow").P("h", "envelopeHigh"));
                    if (c.HasParameter("configured"))
                    {
                        parts.Add(Part(RuleTypes.Deviation, "CHANGED_").Sig("value", "setpoint").P("reference", "configured")
                            .Lit("h", (100 + c.Number("changeBand")).ToString(CultureInfo.InvariantCulture))
                            .Lit("l", (100 - c.Number("changeBand")).ToString(CultureInfo.InvariantCulture)).Gate("casting", "1"));
                    }
                }

                return parts;
            },
        },
        new()
        {
            Id = "DC_MODE_AND_SELFTEST", Industry = Aluminium, Level = 2, MajorHazard = false, Priority = AlarmPriorities.High,
            Clause = "《铝及铝合金铸造机安全要求》 (铸造仅在自动模式; 铸造前安全装置自检)",
            Title = new("非自动模式或未自检铸造", "Casting outside AUTO or without a passed self-test"),
            Roles = [R("casting", "casting bit"), R("auto", "machine in AUTO bit"), O("selfTest", "pre-cast self-test passed bit")],
            Parameters = [P("onDelay", "0s", "as for the rule type")],
            Expansion = "state AUTO_STATE (auto = 1) and SELFTEST_STATE (selfTest = 1), gated by casting",
            Build = c => c.Has("selfTest")
                ? [Part(RuleTypes.State, "AUTO_").Sig("value", "auto").Lit("expected", 1).P("onDelay", "onDelay").Gate("casting", "1"), Part(RuleTypes.State, "SELFTEST_").Sig("value", "selfTest").Lit("expected", 1).P("onDelay", "onDelay").Gate("casting", "1")]
                : [Part(RuleTypes.State, "AUTO_").Sig("value", "auto").Lit("expected", 1).P("onDelay", "onDelay").Gate("casting", "1")],
        },
        new()
        {
            Id = "FURNACE_COOLING_CLOSED_OPEN", Industry = Aluminium, Level = 2, MajorHazard = true,
            Clause = "令10号 第五条 (熔融金属冶炼炉窑闭路/开路水冷元件监测报警); 第七条(四) (铸造熔炼炉冷却水与加热、输送控制联锁)",
            Title = new("炉窑水冷元件冷却异常", "Furnace water-cooled element cooling abnormal"),
            Roles =
            [
                R("outletTemp", "outlet water temperature"), O("inlet", "inlet flow"), O("outlet", "outlet flow (closed loop: flow difference)"), O("inletPressure", "inlet pressure (open loop)"),
                O("running", "furnace running bit: gates the rules"), O("trip", "cooling trip bit"), O("powerOff", "heating power off feedback (1), foundries"),
            ],
            Parameters =
            [
                P("tempFirst", "50", "°C [E]"), P("tempSecond", "55", "°C [E]"), P("dqFirstPercent", "3", "% of inlet [E]"), P("dqSecondPercent", "5", "% of inlet [E]"),
                Opt("flowLow", "open loop: L on inlet flow"), Opt("pressureLow", "open loop: L on inlet pressure"), P("within", "5s", "power-off deadline after a trip [E]"), P("onDelay", "2s", "as for the rule type"), P("offDelay", "5s", "as for the rule type"),
            ],
            Expansion = "limit TOUT_H/HH; difference DQ_H/HH (percent) when outlet bound; limit QIN_L / PIN_L when flowLow / pressureLow given; causeEffect POWER_NOT_EXECUTED trip → powerOff; process rules gated by running",
            Build = c =>
            {
                var parts = new List<PresetPart> { Part(RuleTypes.Limit, "TOUT_").Sig("value", "outletTemp").P("h", "tempFirst").P("hh", "tempSecond").Lit("deadband", 1).P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("running", "1") };
                if (c.Has("inlet") && c.Has("outlet"))
                {
                    parts.Add(Part(RuleTypes.Difference, "DQ_").Sig("a", "inlet").Sig("b", "outlet").Lit("percent", "true").P("h", "dqFirstPercent").P("hh", "dqSecondPercent").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("running", "1"));
                }

                if (c.Has("inlet") && c.HasParameter("flowLow"))
                {
                    parts.Add(Part(RuleTypes.Limit, "QIN_").Sig("value", "inlet").P("l", "flowLow").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("running", "1"));
                }

                if (c.Has("inletPressure") && c.HasParameter("pressureLow"))
                {
                    parts.Add(Part(RuleTypes.Limit, "PIN_").Sig("value", "inletPressure").P("l", "pressureLow").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("running", "1"));
                }

                if (c.Has("trip") && c.Has("powerOff"))
                {
                    parts.Add(Part(RuleTypes.CauseEffect, "POWER_").Sig("cause", "trip").Sig("effect1", "powerOff").P("within", "within").Lit("latch", "true"));
                }

                return parts;
            },
        },
        new()
        {
            Id = "EMERGENCY_WATER_READY", Industry = Aluminium, Level = 2, Priority = AlarmPriorities.High,
            Clause = "令10号 第五条 (水冷冶炼炉窑、铸造机、加热炉应设置应急水源; 深井铸造结晶器除外)",
            Title = new("应急水源未就绪", "Emergency water not ready"),
            Roles = [R("level", "emergency tank level"), O("pressure", "emergency line pressure"), O("operating", "furnace or caster operating bit: gates the rule")],
            Parameters = [P("levelMin", null, "design minimum level"), Opt("pressureMin", "design minimum line pressure"), P("onDelay", "10s", "as for the rule type"), P("offDelay", "10s", "as for the rule type")],
            Expansion = "limit LEVEL_L (level <= levelMin), limit PRESSURE_L (pressure <= pressureMin) when bound; gated by operating",
            Build = c => c.Has("pressure") && c.HasParameter("pressureMin")
                ? [Part(RuleTypes.Limit, "LEVEL_").Sig("value", "level").P("l", "levelMin").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("operating", "1"), Part(RuleTypes.Limit, "PRESSURE_").Sig("value", "pressure").P("l", "pressureMin").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("operating", "1")]
                : [Part(RuleTypes.Limit, "LEVEL_").Sig("value", "level").P("l", "levelMin").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("operating", "1")],
        },
        new()
        {
            Id = "GAS_HEADER_PRESSURE", Industry = Aluminium, Level = 2, MajorHazard = true,
            Clause = "令10号 第五条/第六条(五)/第七条(五) (燃气总管压力监测报警与紧急自动切断联锁; 项号待核实)",
            Title = new("燃气总管压力异常", "Fuel gas header pressure abnormal"),
            Roles = [R("pressure", "header pressure"), O("shutOffClosed", "emergency shut-off valve closed feedback (1)")],
            Parameters = [P("low", null, "burner design low pressure"), P("high", null, "burner design high pressure"), P("within", "3s", "shut-off deadline [E]"), P("deadband", "0", "as for the rule type"), P("onDelay", "1s", "as for the rule type"), P("offDelay", "5s", "as for the rule type")],
            Expansion = "limit L = low, H = high; causeEffect SHUTOFF_NOT_EXECUTED: pressure <= low or >= high and shutOffClosed not 1 within `within` (latched)",
            Build = c => c.Has("shutOffClosed")
                ? [Part(RuleTypes.Limit).Sig("value", "pressure").P("l", "low").P("h", "high").P("deadband", "deadband").P("onDelay", "onDelay").P("offDelay", "offDelay"), Part(RuleTypes.CauseEffect, "SHUTOFF_").Sig("cause", "pressure").Sig("effect1", "shutOffClosed").P("causeBelow", "low").P("causeAbove", "high").P("within", "within").Lit("latch", "true")]
                : [Part(RuleTypes.Limit).Sig("value", "pressure").P("l", "low").P("h", "high").P("deadband", "deadband").P("onDelay", "onDelay").P("offDelay", "offDelay")],
        },
        new()
        {
            Id = "DUST_DP_DEVIATION", Industry = Dust, Level = 1, Priority = AlarmPriorities.Medium,
            Clause = "AQ 4273-2016 5.1.4 b); 令10号 第十一条(三)",
            Title = new("除尘器进出口压差偏离基准", "Collector differential pressure off its baseline"),
            Roles = [R("dp", "inlet to outlet differential pressure, Pa"), O("bagChange", "bag change / reset bit: starts learning the baseline"), O("fanRunning", "fan running bit: gates the rule")],
            Parameters = [Opt("baseline", "configured baseline, Pa (else learnt after bagChange)"), P("learnFor", "30m", "baseline = mean of this period after bagChange rises (<= 8 h) [E]"), P("percent", "20", "± % of baseline [S]"), P("deadbandPercent", "2", "as for the rule type"), P("onDelay", "60s", "as for the rule type"), P("offDelay", "60s", "as for the rule type")],
            Expansion = "deviation H (>= 100 + percent %: clogging), L (<= 100 - percent %: bag rupture); gated by fanRunning",
            Build = c =>
            [
                Part(RuleTypes.Deviation).Sig("value", "dp").Sig("reset", "bagChange").P("reference", "baseline").P("learnFor", "learnFor")
                    .Lit("h", (100 + c.Number("percent")).ToString(CultureInfo.InvariantCulture)).Lit("l", (100 - c.Number("percent")).ToString(CultureInfo.InvariantCulture))
                    .P("deadband", "deadbandPercent").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("fanRunning", "1"),
            ],
        },
        new()
        {
            Id = "DUST_INLET_OR_HOPPER_TEMP", Industry = Dust, Level = 2,
            Clause = "AQ 4273-2016 5.1.4 c); 令10号 第六条(一) (类比: 温度+一氧化碳)",
            Title = new("除尘器进口或灰斗温度高", "Collector inlet or hopper temperature high"),
            Roles = [R("inlet", "inlet air temperature, °C"), O("hopper", "ash hopper temperature, °C"), O("isolationClosed", "isolation valve closed feedback (1)")],
            Parameters =
            [
                P("inletTrip", "70", "°C [S]"), P("hopperFirst", "60", "°C [E]"), P("hopperSecond", "70", "°C [E]"), P("hopperRisePerMinute", "5", "K/min [E]"),
                P("within", "5s", "isolation deadline after inletTrip [E]"), P("deadband", "2", "°C"), P("onDelay", "0s", "as for the rule type"), P("offDelay", "10s", "as for the rule type"),
            ],
            Expansion = "limit INLET_HH; limit HOPPER_H/HH and rateOfChange HOPPER_RISE_RATE over 1 min when hopper bound; causeEffect ISOLATION_NOT_EXECUTED inlet >= inletTrip → isolationClosed",
            Build = c =>
            {
                var parts = new List<PresetPart> { Part(RuleTypes.Limit, "INLET_").Sig("value", "inlet").P("hh", "inletTrip").P("deadband", "deadband").P("onDelay", "onDelay").P("offDelay", "offDelay") };
                if (c.Has("hopper"))
                {
                    parts.Add(Part(RuleTypes.Limit, "HOPPER_").Sig("value", "hopper").P("h", "hopperFirst").P("hh", "hopperSecond").P("deadband", "deadband").Lit("onDelay", "5s").P("offDelay", "offDelay"));
                    parts.Add(Part(RuleTypes.RateOfChange, "HOPPER_").Sig("value", "hopper").Lit("window", "1m").Lit("riseRate", Times(c, "hopperRisePerMinute", 1d / 60)).P("offDelay", "offDelay"));
                }

                if (c.Has("isolationClosed"))
                {
                    parts.Add(Part(RuleTypes.CauseEffect, "ISOLATION_").Sig("cause", "inlet").Sig("effect1", "isolationClosed").P("causeAbove", "inletTrip").P("within", "within").Lit("latch", "true"));
                }

                return parts;
            },
        },
        new()
        {
            Id = "DUST_AIRLOCK_FAULT", Industry = Dust, Level = 1, MajorHazard = true,
            Clause = "令10号 第十一条(六) (干式除尘系统锁气卸灰装置); 粉尘涉爆监测必选参数 锁气卸灰故障信号",
            Title = new("锁气卸灰装置故障或停运", "Air-lock discharge valve fault or stopped"),
            Roles = [R("fault", "air-lock fault bit (1 = fault)"), O("running", "air-lock running bit"), O("collectorRunning", "collector running bit")],
            Parameters = [P("onDelay", "10s", "[E]")],
            Expansion = "state FAULT_STATE (fault = 0 expected) for onDelay; state STOPPED_STATE (running = 1 expected) gated by collectorRunning, when running bound",
            Build = c => c.Has("running")
                ? [Part(RuleTypes.State, "FAULT_").Sig("value", "fault").Lit("expected", 0).P("onDelay", "onDelay"), Part(RuleTypes.State, "STOPPED_").Sig("value", "running").Lit("expected", 1).P("onDelay", "onDelay").Gate("collectorRunning", "1")]
                : [Part(RuleTypes.State, "FAULT_").Sig("value", "fault").Lit("expected", 0).P("onDelay", "onDelay")],
        },
        new()
        {
            Id = "WET_COLLECTOR_WATER", Industry = Dust, Level = 2, MajorHazard = true,
            Clause = "令10号 第十一条(九) (遇湿自燃金属粉尘湿式除尘供水及液位、流量与打磨设备联锁)",
            Title = new("湿式除尘器供水不足", "Wet collector water supply low"),
            Roles = [R("level", "water tank level"), R("flow", "circulation water flow"), O("grindersRunning", "grinders running bit: gates level and flow"), O("grindersStopped", "grinders interlock-stopped feedback (1)")],
            Parameters = [Opt("levelFirst", "early-warning level (L)"), P("levelTrip", null, "LL: stop the grinders"), P("flowTrip", null, "LL on the flow"), P("within", "5s", "grinder stop deadline [E]"), P("onDelay", "5s", "as for the rule type"), P("offDelay", "10s", "as for the rule type")],
            Expansion = "limit LEVEL_L/LL, limit FLOW_LL, gated by grindersRunning; causeEffect STOP_NOT_EXECUTED level <= levelTrip → grindersStopped",
            Build = c =>
            {
                var parts = new List<PresetPart>
                {
                    Part(RuleTypes.Limit, "LEVEL_").Sig("value", "level").P("l", "levelFirst").P("ll", "levelTrip").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("grindersRunning", "1"),
                    Part(RuleTypes.Limit, "FLOW_").Sig("value", "flow").P("ll", "flowTrip").P("onDelay", "onDelay").P("offDelay", "offDelay").Gate("grindersRunning", "1"),
                };
                if (c.Has("grindersStopped"))
                {
                    parts.Add(Part(RuleTypes.CauseEffect, "STOP_").Sig("cause", "level").Sig("effect1", "grindersStopped").P("causeBelow", "levelTrip").P("within", "within").Lit("latch", "true"));
                }

                return parts;
            },
        },
        new()
        {
            Id = "H2_ACCUMULATION", Industry = Dust, Level = 2,
            Clause = "令10号 第十一条(九) (防止氢气积聚); 第六条(六); GB/T 50493-2019",
            Title = new("氢气浓度高", "Hydrogen concentration high"),
            Roles = [R("h2", "H2, %LEL"), O("fanRunning", "exhaust fan running feedback (1)")],
            Parameters = [P("first", "25", "%LEL = 1 % vol [S]"), P("second", "50", "%LEL = 2 % vol [S]"), P("within", "10s", "fan must run within this after the first stage [E]"), P("deadband", "2", "as for the rule type"), P("offDelay", "30s", "as for the rule type")],
            Expansion = "limit H/HH; causeEffect FAN_NOT_EXECUTED h2 >= first → fanRunning when bound",
            Build = c => c.Has("fanRunning")
                ? [Limit(c, "h2", h: "first", hh: "second"), Part(RuleTypes.CauseEffect, "FAN_").Sig("cause", "h2").Sig("effect1", "fanRunning").P("causeAbove", "first").P("within", "within")]
                : [Limit(c, "h2", h: "first", hh: "second")],
        },
        new()
        {
            Id = "SPARK_DETECTION", Industry = Dust, Level = 1,
            Clause = "令10号 第十一条(四)(八) (火花探测消除)",
            Title = new("火花探测报警", "Spark detection"),
            Roles = [R("sparks", "spark events (1 per spark, or a cumulative counter)"), O("extinguished", "extinguishing confirmed feedback (1)"), O("fault", "spark detector fault bit")],
            Parameters = [P("count", "3", "COUNT at this many sparks [E]"), P("window", "60s", "[E]"), P("counter", "false", "true when sparks is a cumulative counter"), P("within", "2s", "extinguish deadline [E]"), P("offDelay", "0s", "as for the rule type")],
            Expansion = "countInWindow COUNT (level 1); causeEffect EXTINGUISH_NOT_EXECUTED: a spark without extinguished = 1 within `within` (level 2, latched); state FAULT_STATE when fault bound",
            Build = c =>
            {
                var parts = new List<PresetPart> { Part(RuleTypes.CountInWindow).Sig("value", "sparks").P("count", "count").P("window", "window").P("counter", "counter").P("offDelay", "offDelay") };
                if (c.Has("extinguished"))
                {
                    parts.Add(Part(RuleTypes.CauseEffect, "EXTINGUISH_").Sig("cause", "sparks").Sig("effect1", "extinguished").Lit("causeAbove", 1).P("within", "within").Lit("latch", "true").AtLevel(2));
                }

                if (c.Has("fault"))
                {
                    parts.Add(Part(RuleTypes.State, "FAULT_").Sig("value", "fault").Lit("expected", 0));
                }

                return parts;
            },
        },
    ];

    private static PresetPart Limit(PresetContext c, string role, string h, string hh)
    {
        _ = c;
        return Part(RuleTypes.Limit).Sig("value", role).P("h", h).P("hh", hh).P("deadband", "deadband").P("onDelay", "onDelay").P("offDelay", "offDelay");
    }

    private static PresetPart Rating() => Part(RuleTypes.SetpointCheck, "RATING_").P("setpoint", "sealRating").P("minimum", "minimumRating");

    private static PresetPart Main()
        => Part(RuleTypes.Deviation).Sig("value", "pressure").P("reference", "sealRating").P("h", "firstPercent").Lit("deadband", 2).P("onDelay", "onDelay").P("offDelay", "offDelay");

    private static RulePreset MouldWater(string id, string role, string zh, string en, string what, string unit) => new()
    {
        Id = id,
        Industry = Aluminium,
        Level = 2,
        MajorHazard = true,
        Priority = AlarmPriorities.Critical,
        Clause = $"令10号 第五条 (铝加工深井铸造结晶器冷却水{what}监测报警, 与快速切断阀、紧急排放阀、流槽断开装置及倾动式浇铸炉联锁)",
        Title = new(zh, en),
        Roles = [R(role, $"mould cooling water inlet {role}, {unit}"), O("casting", "casting bit: gates the rule"), O("castLength", "cast length, mm: armed from minCastLength")],
        Parameters =
        [
            P("recipe", null, $"recipe {role} for the alloy, diameter and strands ({unit})"), P("firstPercent", "85", "L at this % of recipe [E]"), P("tripPercent", "70", "LL (trip) at this % of recipe [E]"),
            P("fallPercent", "20", "FALL when it drops by this % [E]"), P("fallWindow", "2s", "within this window [E]"), P("minCastLength", "0", "mm: armed from this cast length (start-up ramp)"),
            P("deadbandPercent", "2", "as for the rule type"), P("onDelay", "0s", "as for the rule type"), P("offDelay", "2s", "as for the rule type"),
        ],
        Expansion = "deviation from recipe L = firstPercent %, LL = tripPercent %; rateOfChange FALL (fallPercent within fallWindow); all gated by casting = 1 and castLength >= minCastLength",
        Build = c =>
        [
            Part(RuleTypes.Deviation).Sig("value", role).P("reference", "recipe").P("l", "firstPercent").P("ll", "tripPercent").P("deadband", "deadbandPercent").P("onDelay", "onDelay").P("offDelay", "offDelay")
                .Gate("casting", "1").Gate("castLength", c.Parameter("minCastLength").Text),
            Part(RuleTypes.RateOfChange).Sig("value", role).P("window", "fallWindow").P("fallPercent", "fallPercent").P("offDelay", "offDelay").Gate("casting", "1").Gate("castLength", c.Parameter("minCastLength").Text),
        ],
    };
}

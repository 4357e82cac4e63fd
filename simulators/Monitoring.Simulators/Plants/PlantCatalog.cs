namespace Monitoring.Simulators.Plants;

/// <summary>
/// The three demo plants of <c>src/Monitoring.Ingestion/sites/</c>, with every tag their rules use plus
/// the process signals a real gateway of that plant would also publish (valves, phase, positions).
/// Nominal values sit well inside the demo limits, so a quiet plant raises nothing.
/// </summary>
public static class PlantCatalog
{
    public static IReadOnlyList<PlantDefinition> All { get; } = [AluminiumCasting(), Steel(), Dust()];

    public static PlantDefinition? Find(string key) =>
        All.FirstOrDefault(p => string.Equals(p.Key, key, StringComparison.Ordinal) || string.Equals(p.Enterprise, key, StringComparison.Ordinal));

    private static (double, double, double) Same(double value) => (value, value, value);

    private static PlantDefinition AluminiumCasting() => new()
    {
        Key = "aluminium-casting",
        Enterprise = "91441800DEMODCCAST",
        Industry = "aluminium-casting",
        Name = "Demo aluminium DC casting plant",
        Signals =
        [
            new() { Tag = "CAST1.MOULD.WATER.P", Gateway = "gw01", Unit = "MPa", Nominal = (0.20, 0.20, 0.19), Noise = 0.0015, Drift = 0.003, Decimals = 4, Min = 0, Description = "mould cooling water inlet pressure" },
            new() { Tag = "CAST1.MOULD.WATER.Q", Gateway = "gw01", Unit = "m3/h", Nominal = (115, 120, 110), Noise = 0.6, Drift = 1.5, Decimals = 2, Min = 0, Description = "mould cooling water inlet flow" },
            new() { Tag = "CAST1.LAUNDER.LEVEL", Gateway = "gw01", Unit = "mm", Nominal = (100, 100, 100), Noise = 0.6, Drift = 1.5, Decimals = 1, Min = 0, Description = "furnace-outlet launder metal level" },
            new() { Tag = "CAST1.TABLE.INLET.LEVEL", Gateway = "gw01", Unit = "mm", Nominal = (80, 80, 80), Noise = 0.6, Drift = 1.5, Decimals = 1, Min = 0, Description = "distribution launder inlet metal level" },
            new() { Tag = "CAST1.FAST_CUTOFF.CLOSED", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (0, 0, 1), Description = "fast cut-off valve closed" },
            new() { Tag = "CAST1.EMERGENCY_DISCHARGE.OPEN", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "emergency discharge valve open" },
            new() { Tag = "CAST1.FURNACE.TILT", Gateway = "gw01", Unit = "deg", Nominal = (8, 15, 2), Noise = 0.05, Drift = 0.3, TimeConstantSeconds = 20, Decimals = 2, Min = 0, Description = "tilting furnace angle" },
            new() { Tag = "CAST1.PHASE", Gateway = "gw01", Kind = SignalKind.Phase, Nominal = Same(0), Decimals = 0, Description = "casting phase: 1 start-up, 2 steady, 3 end" },
            new() { Tag = "CAST1.LENGTH", Gateway = "gw01", Unit = "mm", Kind = SignalKind.Integrator, Nominal = (0.8, 1.1, 0.3), Initial = 650, Decimals = 1, Description = "cast length" },
            new() { Tag = "EMW.TANK.LEVEL", Gateway = "gw02", Unit = "m", Nominal = Same(4.0), Noise = 0.005, Drift = 0.03, Decimals = 3, Min = 0, Description = "emergency water tank level" },
            new() { Tag = "EMW.LINE.P", Gateway = "gw02", Unit = "MPa", Nominal = Same(0.35), Noise = 0.002, Drift = 0.006, Decimals = 4, Min = 0, Description = "emergency water line pressure" },
            new() { Tag = "EMW.PUMP.READY", Gateway = "gw02", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "emergency pump ready" },

            // Casting pit 2 (gw03): the preset-bound equipment. Casting from start-up (the preset gates need it),
            // cast length past the launder preset's 300 mm arming length, every feedback in its casting state.
            new() { Tag = "CAST2.PHASE.CASTING", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = (1, 1, 0), Description = "casting in progress" },
            new() { Tag = "CAST2.LENGTH", Gateway = "gw03", Unit = "mm", Kind = SignalKind.Integrator, Nominal = (0.8, 1.1, 0.3), Initial = 650, Decimals = 1, Description = "cast length" },
            new() { Tag = "CAST2.MODE.AUTO", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "casting machine in AUTO" },
            new() { Tag = "CAST2.SELFTEST.OK", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "pre-cast self-test passed" },
            new() { Tag = "CAST2.MOULD.WATER.P", Gateway = "gw03", Unit = "MPa", Nominal = (0.20, 0.20, 0.19), Noise = 0.0015, Drift = 0.003, Decimals = 4, Min = 0, Description = "mould cooling water inlet pressure" },
            new() { Tag = "CAST2.MOULD.WATER.Q", Gateway = "gw03", Unit = "m3/h", Nominal = (115, 120, 110), Noise = 0.6, Drift = 1.5, Decimals = 2, Min = 0, Description = "mould cooling water inlet flow" },
            new() { Tag = "CAST2.MOULD.WATER.P.TRIP.SP", Gateway = "gw03", Unit = "MPa", Nominal = Same(0.14), Decimals = 4, Description = "low-pressure trip setpoint read from the PLC (constant: a setpoint has no noise)" },
            new() { Tag = "CAST2.LAUNDER.LEVEL", Gateway = "gw03", Unit = "mm", Nominal = (80, 80, 80), Noise = 0.6, Drift = 1.5, Decimals = 1, Min = 0, Description = "distribution launder inlet metal level" },
            new() { Tag = "CAST2.TRIP", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "casting trip demanded by the PLC" },
            new() { Tag = "CAST2.CUTOFF.CLOSED", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = (0, 0, 1), Description = "fast cut-off valve closed" },
            new() { Tag = "CAST2.LAUNDER.DISCONNECTED", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "launder disconnected" },
            new() { Tag = "CAST2.TILT.BACK", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = (0, 0, 1), Description = "tilting furnace 2 tilted back" },
            new() { Tag = "FURN2.RUNNING", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "tilting furnace 2 in operation" },
            new() { Tag = "FURN2.COOL.TOUT", Gateway = "gw03", Unit = "°C", Nominal = Same(35), Noise = 0.2, Drift = 1, TimeConstantSeconds = 30, Decimals = 2, Description = "furnace closed-loop cooling water outlet temperature" },
            new() { Tag = "FURN2.COOL.QIN", Gateway = "gw03", Unit = "m3/h", Nominal = Same(60), Noise = 0.15, Drift = 0.5, Decimals = 2, Min = 0, Description = "furnace cooling water inlet flow" },
            new() { Tag = "FURN2.COOL.QOUT", Gateway = "gw03", Unit = "m3/h", Kind = SignalKind.Derived, Nominal = Same(0), Derive = v => v("FURN2.COOL.QIN") - 0.3, Decimals = 2, Description = "furnace cooling water outlet flow (a closed loop loses 0.5 %)" },
            new() { Tag = "FURN2.GAS.HEADER.P", Gateway = "gw03", Unit = "kPa", Nominal = Same(7), Noise = 0.05, Drift = 0.3, Decimals = 3, Min = 0, Description = "fuel gas header pressure" },
            new() { Tag = "FURN2.GAS.SHUTOFF.CLOSED", Gateway = "gw03", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "emergency gas shut-off valve closed" },
            new() { Tag = "EMW2.TANK.LEVEL", Gateway = "gw03", Unit = "m", Nominal = Same(4.0), Noise = 0.005, Drift = 0.03, Decimals = 3, Min = 0, Description = "emergency water tank 2 level" },
            new() { Tag = "EMW2.LINE.P", Gateway = "gw03", Unit = "MPa", Nominal = Same(0.35), Noise = 0.002, Drift = 0.006, Decimals = 4, Min = 0, Description = "emergency water line 2 pressure" },
        ],
    };

    private static PlantDefinition Steel() => new()
    {
        Key = "steel",
        Enterprise = "91130200DEMOSTEEL1",
        Industry = "steel",
        Name = "Demo integrated steel plant",
        Signals =
        [
            new() { Tag = "BOF1.LANCE.WATER.QIN", Gateway = "gw01", Unit = "m3/h", Nominal = (178, 180, 178), Noise = 0.3, Drift = 1.5, Decimals = 2, Min = 0, Description = "lance cooling water inlet flow" },
            new() { Tag = "BOF1.LANCE.WATER.DQ", Gateway = "gw01", Unit = "m3/h", Nominal = Same(1.0), Noise = 0.25, Drift = 0.4, Decimals = 2, Description = "inlet minus outlet flow, computed by the gateway (a leak raises it)" },
            new() { Tag = "BOF1.LANCE.WATER.QOUT", Gateway = "gw01", Unit = "m3/h", Kind = SignalKind.Derived, Nominal = Same(0), Derive = v => v("BOF1.LANCE.WATER.QIN") - v("BOF1.LANCE.WATER.DQ"), Decimals = 2, Description = "lance cooling water outlet flow" },
            new() { Tag = "BOF1.LANCE.WATER.TOUT", Gateway = "gw01", Unit = "°C", Nominal = (32, 38, 33), Noise = 0.2, Drift = 1, TimeConstantSeconds = 30, Decimals = 2, Description = "lance cooling water outlet temperature" },
            new() { Tag = "BOF1.LANCE.O2.P", Gateway = "gw01", Unit = "MPa", Nominal = (0.88, 0.90, 0.86), Noise = 0.004, Drift = 0.01, Decimals = 4, Min = 0, Description = "lance oxygen pressure" },
            new() { Tag = "BOF1.LANCE.POS", Gateway = "gw01", Unit = "m", Nominal = (4.0, 1.8, 8.0), Noise = 0.01, TimeConstantSeconds = 8, Decimals = 3, Description = "lance height above the bath" },
            new() { Tag = "BOF1.LANCE.INTERLOCK.OK", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "lance raise interlock healthy" },
            new() { Tag = "BOF1.CO.AT01", Gateway = "gw01", Unit = "ppm", Nominal = Same(3), Noise = 0.4, Drift = 1, Decimals = 1, Min = 0, Description = "CO detector, converter operating floor" },
            // Converter 2: the preset-bound lance and CO detectors. Values do not move with the phase (only the
            // blowing bit does), so start-up and shutdown stay quiet on the gated presets.
            new() { Tag = "BOF2.BLOWING", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (1, 1, 0), Description = "converter 2 oxygen blowing" },
            new() { Tag = "BOF2.LANCE.WATER.QIN", Gateway = "gw01", Unit = "m3/h", Nominal = Same(180), Noise = 0.3, Drift = 1.5, Decimals = 2, Min = 0, Description = "lance 2 cooling water inlet flow" },
            new() { Tag = "BOF2.LANCE.WATER.QOUT", Gateway = "gw01", Unit = "m3/h", Kind = SignalKind.Derived, Nominal = Same(0), Derive = v => v("BOF2.LANCE.WATER.QIN") - 1.0, Decimals = 2, Description = "lance 2 cooling water outlet flow (inlet minus 1 m3/h)" },
            new() { Tag = "BOF2.LANCE.WATER.TOUT", Gateway = "gw01", Unit = "°C", Nominal = Same(38), Noise = 0.2, Drift = 1, TimeConstantSeconds = 30, Decimals = 2, Description = "lance 2 cooling water outlet temperature" },
            new() { Tag = "BOF2.LANCE.O2.P", Gateway = "gw01", Unit = "MPa", Nominal = Same(0.90), Noise = 0.004, Drift = 0.01, Decimals = 4, Min = 0, Description = "lance 2 oxygen pressure" },
            new() { Tag = "BOF2.LANCE.INTERLOCK", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "lance 2 auto-raise interlock in service" },
            new() { Tag = "BOF2.LANCE.TRIP", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "lance 2 trip demanded by the PLC" },
            new() { Tag = "BOF2.LANCE.RAISED", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (0, 0, 1), Description = "lance 2 raised / rising" },
            new() { Tag = "BOF2.O2.VALVE.CLOSED", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (0, 0, 1), Description = "lance 2 oxygen shut-off valve closed" },
            new() { Tag = "BOF2.CO.AT01", Gateway = "gw01", Unit = "ppm", Nominal = Same(3), Noise = 0.4, Drift = 1, Decimals = 1, Min = 0, Description = "CO detector 1, converter 2 control room" },
            new() { Tag = "BOF2.CO.AT01.FAULT", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "CO detector 1 fault" },
            new() { Tag = "BOF2.CO.AT02", Gateway = "gw01", Unit = "ppm", Nominal = Same(3), Noise = 0.4, Drift = 1, Decimals = 1, Min = 0, Description = "CO detector 2, converter 2 control room" },
            new() { Tag = "BOF2.CO.AT03", Gateway = "gw01", Unit = "ppm", Nominal = Same(3), Noise = 0.4, Drift = 1, Decimals = 1, Min = 0, Description = "CO detector 3, converter 2 control room" },
            new() { Tag = "BF1.TOP.P", Gateway = "gw02", Unit = "kPa", Nominal = (190, 210, 150), Noise = 0.8, Drift = 3, TimeConstantSeconds = 30, Decimals = 2, Min = 0, Description = "blast furnace top pressure" },
            new() { Tag = "BF1.BLEEDER.OPEN", Gateway = "gw02", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "top bleeder valve open" },
            new() { Tag = "BF1.BLEEDER.INTERLOCK.OK", Gateway = "gw02", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "bleeder interlock healthy" },
            new() { Tag = "GASHOLDER.CO.AT11", Gateway = "gw02", Unit = "ppm", Nominal = Same(2), Noise = 0.3, Drift = 0.8, Decimals = 1, Min = 0, Description = "CO detector, gas holder control room" },
            new() { Tag = "GASHOLDER.CO.AT12", Gateway = "gw02", Unit = "ppm", Nominal = Same(4), Noise = 0.4, Drift = 1, Decimals = 1, Min = 0, Description = "CO detector, gas holder inlet valve platform" },
            new() { Tag = "GASHOLDER.LEVEL", Gateway = "gw02", Unit = "%", Nominal = Same(55), Noise = 0.1, Drift = 3, TimeConstantSeconds = 60, Decimals = 2, Description = "gas holder piston position" },
            new() { Tag = "GASHOLDER.P", Gateway = "gw02", Unit = "kPa", Nominal = Same(3.0), Noise = 0.02, Drift = 0.05, Decimals = 3, Description = "gas holder pressure" },
            new() { Tag = "BF2.TOP.P", Gateway = "gw02", Unit = "kPa", Nominal = Same(195), Noise = 0.8, Drift = 3, TimeConstantSeconds = 30, Decimals = 2, Min = 0, Description = "blast furnace 2 top pressure (design maximum 220 kPa)" },
            new() { Tag = "GASMAIN.P", Gateway = "gw02", Unit = "kPa", Nominal = Same(12), Noise = 0.1, Drift = 0.5, Decimals = 2, Min = 0, Description = "blast furnace gas main pressure" },
            new() { Tag = "GASMAIN.DRAINER1.LEVEL", Gateway = "gw02", Unit = "mm", Nominal = Same(450), Noise = 1, Drift = 5, Decimals = 1, Min = 0, Description = "gas main drainer 1 seal water level" },
        ],
    };

    private static PlantDefinition Dust() => new()
    {
        Key = "dust",
        Enterprise = "91320500DEMODUST01",
        Industry = "dust",
        Name = "Demo metal polishing plant (dust explosion risk)",
        Signals =
        [
            new() { Tag = "DC1.DP", Gateway = "gw01", Unit = "Pa", Nominal = (900, 1000, 950), Noise = 12, Drift = 30, TimeConstantSeconds = 20, Decimals = 1, Min = 0, Description = "collector differential pressure" },
            new() { Tag = "DC1.INLET.TEMP", Gateway = "gw01", Unit = "°C", Nominal = (30, 35, 32), Noise = 0.3, Drift = 1, TimeConstantSeconds = 30, Decimals = 2, Description = "collector inlet temperature" },
            new() { Tag = "DC1.HOPPER.TEMP", Gateway = "gw01", Unit = "°C", Nominal = (29, 32, 31), Noise = 0.3, Drift = 1, TimeConstantSeconds = 60, Decimals = 2, Description = "ash hopper temperature" },
            new() { Tag = "DC1.AIRLOCK.FAULT", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "rotary air-lock fault" },
            new() { Tag = "DC1.FAN.RUN", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (1, 1, 0), Description = "collector fan running" },
            new() { Tag = "DC1.SPARK.DETECTED", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "spark detector in the inlet duct" },
            // Dry collector 2: the preset-bound signals.
            new() { Tag = "DC2.FAN.RUN", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (1, 1, 0), Description = "collector 2 fan running" },
            new() { Tag = "DC2.BAGCHANGE", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "collector 2 bag change done (baseline reset)" },
            new() { Tag = "DC2.DP", Gateway = "gw01", Unit = "Pa", Nominal = (900, 1000, 950), Noise = 12, Drift = 30, TimeConstantSeconds = 20, Decimals = 1, Min = 0, Description = "collector 2 differential pressure" },
            new() { Tag = "DC2.INLET.TEMP", Gateway = "gw01", Unit = "°C", Nominal = (30, 35, 32), Noise = 0.3, Drift = 1, TimeConstantSeconds = 30, Decimals = 2, Description = "collector 2 inlet temperature" },
            new() { Tag = "DC2.HOPPER.TEMP", Gateway = "gw01", Unit = "°C", Nominal = (29, 32, 31), Noise = 0.3, Drift = 1, TimeConstantSeconds = 60, Decimals = 2, Description = "collector 2 ash hopper temperature" },
            new() { Tag = "DC2.ISOLATION.CLOSED", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "collector 2 inlet isolation valve closed" },
            new() { Tag = "DC2.AIRLOCK.FAULT", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "collector 2 rotary air-lock fault" },
            new() { Tag = "DC2.AIRLOCK.RUN", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = (1, 1, 0), Description = "collector 2 rotary air-lock running" },
            new() { Tag = "DC2.SPARKS", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "spark detected in the collector 2 inlet duct (1 per reading = 1 spark)" },
            new() { Tag = "DC2.SPARK.EXTINGUISHED", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "spark extinguishing confirmed" },
            new() { Tag = "DC2.SPARK.FAULT", Gateway = "gw01", Kind = SignalKind.Boolean, Nominal = Same(0), Description = "spark detector fault" },
            new() { Tag = "WC1.TANK.LEVEL", Gateway = "gw02", Unit = "m", Nominal = Same(1.0), Noise = 0.004, Drift = 0.015, Decimals = 3, Min = 0, Description = "wet collector tank level" },
            new() { Tag = "WC1.WATER.FLOW", Gateway = "gw02", Unit = "m3/h", Nominal = (10, 10, 0), Noise = 0.08, Drift = 0.2, Decimals = 2, Min = 0, Description = "wet collector circulation flow" },
            new() { Tag = "WC1.H2", Gateway = "gw02", Unit = "%LEL", Nominal = Same(2), Noise = 0.3, Drift = 0.6, Decimals = 2, Min = 0, Description = "hydrogen above the sludge tank" },
            new() { Tag = "WC2.GRINDERS.RUN", Gateway = "gw02", Kind = SignalKind.Boolean, Nominal = (1, 1, 0), Description = "polishing line 2 running" },
            new() { Tag = "WC2.GRINDERS.STOPPED", Gateway = "gw02", Kind = SignalKind.Boolean, Nominal = (0, 0, 1), Description = "polishing line 2 interlock-stopped" },
            new() { Tag = "WC2.TANK.LEVEL", Gateway = "gw02", Unit = "m", Nominal = Same(1.0), Noise = 0.004, Drift = 0.015, Decimals = 3, Min = 0, Description = "wet collector 2 tank level" },
            new() { Tag = "WC2.WATER.FLOW", Gateway = "gw02", Unit = "m3/h", Nominal = (10, 10, 0), Noise = 0.08, Drift = 0.2, Decimals = 2, Min = 0, Description = "wet collector 2 circulation flow" },
            new() { Tag = "WC2.H2", Gateway = "gw02", Unit = "%LEL", Nominal = Same(2), Noise = 0.3, Drift = 0.6, Decimals = 2, Min = 0, Description = "hydrogen above the sludge tank of wet collector 2" },
            new() { Tag = "WC2.EXHAUST.FAN.RUN", Gateway = "gw02", Kind = SignalKind.Boolean, Nominal = Same(1), Description = "wet collector 2 sludge-area exhaust fan running" },
        ],
    };
}

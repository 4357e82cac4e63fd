namespace Monitoring.IntegrationTests.Faults.Model;

/// <summary>How a reading is sent: at its own tick, again at once (a QoS 1 re-send), or late.</summary>
internal enum PublicationKind
{
    InOrder,
    Duplicate,
    LateWithinWindow,
    LateBeyondWindow,
    LateDuplicate,
}

/// <summary>Reading <paramref name="Reading"/> sent at tick <paramref name="Tick"/> (after that tick's own reading).</summary>
internal readonly record struct Publication(int Tick, int Reading, PublicationKind Kind);

/// <summary>
/// One gateway's schedule: the values its sensor reads (one per tick, in sensor time), the order they are sent in,
/// and its clock's offset from the server's. With the faults of its round it is one schedule of the model-based test.
/// </summary>
internal sealed record GatewaySchedule(int Index, string Gateway, long ClockOffsetMs, IReadOnlyList<double> Values, IReadOnlyList<Publication> Publications)
{
    /// <summary>Publications of one tick, in the order they are sent.</summary>
    public IEnumerable<Publication> At(int tick) => Publications.Where(p => p.Tick == tick);
}

internal enum FaultKind
{
    /// <summary>kill -9 of the service, then a start on the same data (same MQTT session).</summary>
    Kill,

    /// <summary>InfluxDB unreachable (its TCP proxy cut) for <see cref="RoundFault.Ticks"/>.</summary>
    StoreOutage,

    /// <summary>RabbitMQ unreachable (its TCP proxy cut) for <see cref="RoundFault.Ticks"/>.</summary>
    BusOutage,
}

internal readonly record struct RoundFault(FaultKind Kind, int AtTick, int Ticks);

/// <summary>
/// A round: schedules run together against one service process (one gateway each) and the faults that process
/// suffers. Faults hit every schedule of the round, each at its own phase.
/// </summary>
internal sealed record FaultRound(int Seed, int Round, IReadOnlyList<GatewaySchedule> Schedules, IReadOnlyList<RoundFault> Faults, int Ticks);

/// <summary>
/// The seeded generator of the model-based fault test. Values walk a high-limit rule (<see cref="Model"/>) through
/// crossings and returns: runs that raise and clear, runs too short to raise or to clear, hovering inside the
/// deadband. The runs keep a margin of at least 1 s from either delay, so a delay maturing on the service's timer
/// (sample and hold, docs/rules.md "Timers") and the reading at the same sensor time agree. Clock offsets span
/// -10 min to +10 min.
///
/// Readings sent out of order (within and beyond the reorder window, and late re-sends) are chosen among normal
/// readings with normal neighbours that decide nothing: then the rule's answer is the same in arrival order (live
/// rules, which skip a late reading) and in sensor-time order (the start-up replay), and the late-data rules see
/// nothing but normal values. Late readings that carry an alarm are the late-data rules' own tests
/// (tests/Monitoring.Ingestion.Tests/Pipeline/AlarmTruthTests.cs), not this model's.
/// </summary>
internal static class FaultSchedule
{
    public const long StepMs = 250;
    public const int WarmUp = 8;
    public const int Tail = 16;
    public const long SkewAlarmAboveMs = 40_000;
    public const long NoSkewAlarmBelowMs = 20_000;

    public static readonly ReferenceModel Model = new(limit: 80, deadband: 5, onDelayMs: 2000, offDelayMs: 2000);

    private const int ReadingsPerSchedule = 160;
    private const int Short = 4;
    private static readonly int DelayReadings = (int)(Model.OnDelayMs / StepMs) + 1;

    public static FaultRound Generate(int seed, int round, int schedules)
    {
        // Not HashCode.Combine: it is randomised per process, and a seed must replay the same schedules.
        var random = new Random(unchecked((seed * 7919) + round));
        var list = new List<GatewaySchedule>(schedules);
        for (var i = 0; i < schedules; i++)
            list.Add(Schedule(random, (round * 1000) + i));
        var ticks = list.Max(s => s.Values.Count);
        return new FaultRound(seed, round, list, Faults(random, ticks), ticks);
    }

    private static GatewaySchedule Schedule(Random random, int index)
    {
        var values = Values(random);
        var (transitions, _) = Model.Run(values, StepMs);
        var offset = random.Next(3) switch
        {
            0 => random.NextInt64(-5_000, 5_001),
            1 => -random.NextInt64(SkewAlarmAboveMs, 600_001),
            _ => random.NextInt64(SkewAlarmAboveMs, 600_001),
        };
        return new GatewaySchedule(index, $"m{index:D5}", offset, values, Publications(random, values, transitions));
    }

    private static List<double> Values(Random random)
    {
        var values = new List<double>(ReadingsPerSchedule + DelayReadings + Tail);
        void Add(int count, double low, double high)
        {
            for (var i = 0; i < count; i++)
                values.Add(Math.Round(low + (random.NextDouble() * (high - low)), 1));
        }

        void NormalRun(int count) => Add(count, 40, 70);
        void AlarmRun(int count) => Add(count, 85, 95);
        void DeadbandRun(int count) => Add(count, 76, 79);

        NormalRun(WarmUp);
        var active = false;
        while (values.Count < ReadingsPerSchedule - Tail)
        {
            var choice = random.Next(100);
            if (!active)
            {
                if (choice < 35)
                {
                    NormalRun(random.Next(1, 11));
                }
                else if (choice < 50)
                {
                    DeadbandRun(random.Next(1, 5));
                }
                else if (choice < 75)
                {
                    // Too short to raise: the reading after it is out of alarm at least 1 s before the on-delay ends.
                    AlarmRun(random.Next(1, Short + 1));
                    NormalRun(1);
                }
                else
                {
                    AlarmRun(random.Next(DelayReadings, DelayReadings + 12));
                    active = true;
                }
            }
            else if (choice < 25)
            {
                AlarmRun(random.Next(1, 9));
            }
            else if (choice < 45)
            {
                // Hovering inside the deadband keeps the alarm (it follows alarm readings: no off-delay is running).
                DeadbandRun(random.Next(1, 7));
            }
            else if (choice < 70)
            {
                // Back to normal too briefly to clear, then in alarm again.
                NormalRun(random.Next(1, Short + 1));
                AlarmRun(1);
            }
            else
            {
                NormalRun(random.Next(DelayReadings, DelayReadings + 6));
                active = false;
            }
        }

        // A long normal tail: every episode ends, decided by a reading.
        NormalRun(Tail);
        return values;
    }

    private static List<Publication> Publications(Random random, List<double> values, List<ExpectedTransition> transitions)
    {
        var deciding = transitions.Select(t => t.Reading).ToHashSet();
        var late = new Dictionary<int, Publication>();
        var candidates = Enumerable.Range(WarmUp, values.Count - WarmUp - 1)
            .Where(i => Model.Normal(values[i - 1]) && Model.Normal(values[i]) && Model.Normal(values[i + 1]) && !deciding.Contains(i))
            .OrderBy(_ => random.Next())
            .ToList();

        // Late by at most 1 s (inside the 2 s reorder window), by 3-10 s (beyond it), and a late re-send.
        foreach (var (kind, count, minTicks, maxTicks) in new[]
                 {
                     (PublicationKind.LateWithinWindow, 3, 1, 4),
                     (PublicationKind.LateBeyondWindow, 2, 12, 40),
                     (PublicationKind.LateDuplicate, 1, 2, 40),
                 })
        {
            for (var n = 0; n < count && candidates.Count > 0; n++)
            {
                var reading = candidates[^1];
                candidates.RemoveAt(candidates.Count - 1);
                // Never after the last reading: its arrival tells the test that the gateway's feed was taken.
                var tick = Math.Min(reading + random.Next(minTicks, maxTicks + 1), values.Count - 2);
                if (tick > reading)
                    late[reading] = new Publication(tick, reading, kind);
            }
        }

        // Re-sent at once, as QoS 1 does after a lost PUBACK: any reading that is not sent late.
        var duplicates = Enumerable.Range(0, 3).Select(_ => random.Next(values.Count)).Where(i => !late.ContainsKey(i)).ToHashSet();
        var publications = new List<Publication>(values.Count + late.Count + duplicates.Count);
        for (var i = 0; i < values.Count; i++)
        {
            if (!late.TryGetValue(i, out var moved) || moved.Kind == PublicationKind.LateDuplicate)
                publications.Add(new Publication(i, i, PublicationKind.InOrder));
            if (duplicates.Contains(i))
                publications.Add(new Publication(i, i, PublicationKind.Duplicate));
        }

        publications.AddRange(late.Values);
        // Stable: a tick's own reading first, then what is sent late at that tick.
        return [.. publications.OrderBy(p => p.Tick).ThenBy(p => p.Kind is PublicationKind.InOrder or PublicationKind.Duplicate ? 0 : 1)];
    }

    private static List<RoundFault> Faults(Random random, int ticks)
    {
        // Faults come one after another (a start-up is awaited before the next fault), at random ticks.
        var faults = new List<RoundFault>();
        var at = random.Next(WarmUp + 8, WarmUp + 24);
        foreach (var kind in new[] { FaultKind.Kill, FaultKind.StoreOutage, FaultKind.Kill, FaultKind.BusOutage }.OrderBy(_ => random.Next()))
        {
            if (at >= ticks - Tail - 4)
                break;
            var length = kind == FaultKind.Kill ? 0 : random.Next(8, 17);
            faults.Add(new RoundFault(kind, at, length));
            at += length + random.Next(12, 30);
        }

        return faults;
    }
}

namespace Monitoring.Contracts.Telemetry;

/// <summary>
/// One accepted reading, as it travels from a partition worker to the time-series store.
/// The strings are interned per gateway/tag by the worker, so building a reading allocates nothing.
/// </summary>
public readonly record struct Reading(
    string Enterprise,
    string Gateway,
    string Tag,
    long TimestampMs,
    PointValueKind Kind,
    double Number,
    bool Boolean,
    PointQuality Quality);

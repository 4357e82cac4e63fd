namespace Monitoring.Ingestion.Storage;

public enum StoreKind
{
    /// <summary>SQLite file in the data directory (the default profile).</summary>
    Embedded,
    InfluxDb,
}

/// <summary>Configuration section <c>Monitoring:Store</c>.</summary>
internal sealed class StoreOptions
{
    public const string Section = "Monitoring:Store";

    public StoreKind Kind { get; set; } = StoreKind.Embedded;

    /// <summary>Used when <see cref="Kind"/> is InfluxDb.</summary>
    public InfluxDbOptions InfluxDb { get; set; } = new();
}

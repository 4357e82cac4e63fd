namespace Monitoring.Contracts.Telemetry;

/// <summary>
/// The stable wire names of <see cref="RejectReason"/> (metrics, dead-letter store, API). The names are
/// public contract: add new ones, never rename.
/// </summary>
public static class RejectReasons
{
    // Indexed by the enum value; constants, so Name allocates nothing.
    private static readonly string[] Names =
    [
        "invalid_json",
        "too_large",
        "no_points",
        "too_many_points",
        "invalid_envelope",
        "invalid_topic",
        "no_valid_points",
        "point_not_object",
        "missing_tag",
        "invalid_tag",
        "invalid_value",
        "non_finite_value",
        "invalid_quality",
        "missing_timestamp",
        "invalid_timestamp",
        "future_timestamp",
        "too_old",
        "duplicate_field",
    ];

    /// <summary>Every reason, in enum order.</summary>
    public static IReadOnlyList<RejectReason> All { get; } = Array.AsReadOnly(Enum.GetValues<RejectReason>());

    /// <summary>The snake_case name of <paramref name="reason"/>, e.g. <c>invalid_tag</c>.</summary>
    public static string Name(RejectReason reason) =>
        (uint)reason < (uint)Names.Length
            ? Names[(int)reason]
            : throw new ArgumentOutOfRangeException(nameof(reason), reason, "Unknown reject reason.");

    /// <summary>True when the reason rejects a whole message, false when it rejects one point.</summary>
    public static bool IsMessageLevel(RejectReason reason) => reason < RejectReason.PointNotObject;

    /// <summary>The reason named <paramref name="name"/>, for readers of the dead-letter store and the API.</summary>
    public static bool TryParse(ReadOnlySpan<char> name, out RejectReason reason)
    {
        for (var i = 0; i < Names.Length; i++)
        {
            if (name.SequenceEqual(Names[i]))
            {
                reason = (RejectReason)i;
                return true;
            }
        }

        reason = default;
        return false;
    }
}

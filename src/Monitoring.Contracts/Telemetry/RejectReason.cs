namespace Monitoring.Contracts.Telemetry;

/// <summary>
/// Why a message or a point was rejected. Every value has a stable snake_case name
/// (RejectReasons.Name) used in metrics, the dead-letter store and the API.
/// Message-level reasons reject the whole message; point-level reasons reject one point.
/// </summary>
public enum RejectReason : byte
{
    // Whole message.
    /// <summary>Payload is not well-formed UTF-8 JSON, or the top level is not an object.</summary>
    InvalidJson,
    /// <summary>Payload exceeds the size limit (256 KiB by default).</summary>
    TooLarge,
    /// <summary><c>points</c> is missing, not an array, or empty.</summary>
    NoPoints,
    /// <summary>More than 10 000 points.</summary>
    TooManyPoints,
    /// <summary><c>seq</c>, <c>ts</c> or <c>sim</c> has the wrong type or range, or a top-level key is repeated.</summary>
    InvalidEnvelope,
    /// <summary>Topic does not match <c>{root}/{enterprise}/{gateway}/telemetry|status</c> with valid identifiers.</summary>
    InvalidTopic,
    /// <summary>Every point of the message was rejected on its own (counted once per message, besides the points).</summary>
    NoValidPoints,

    // One point.
    /// <summary>A point is not a JSON object.</summary>
    PointNotObject,
    /// <summary><c>tag</c> missing.</summary>
    MissingTag,
    /// <summary><c>tag</c> not a string matching <c>[A-Za-z0-9_.:/-]{1,128}</c>.</summary>
    InvalidTag,
    /// <summary><c>v</c> missing, of a wrong type (string, object, array), or null without <c>q</c> = 2.</summary>
    InvalidValue,
    /// <summary><c>v</c> is a number that does not fit a finite double (NaN, Infinity, 1e999).</summary>
    NonFiniteValue,
    /// <summary><c>q</c> not 0, 1 or 2.</summary>
    InvalidQuality,
    /// <summary>Neither the point nor the batch has a <c>ts</c>.</summary>
    MissingTimestamp,
    /// <summary><c>ts</c> not an integer number of milliseconds in range.</summary>
    InvalidTimestamp,
    /// <summary><c>ts</c> more than the allowed skew (5 minutes) in the future.</summary>
    FutureTimestamp,
    /// <summary><c>ts</c> older than the accepted history window (7 days by default).</summary>
    TooOld,
    /// <summary>A key is repeated inside one point.</summary>
    DuplicateField,
}

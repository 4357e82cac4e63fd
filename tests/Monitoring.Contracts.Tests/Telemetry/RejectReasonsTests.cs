using System.Text.RegularExpressions;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.Tests.Telemetry;

public class RejectReasonsTests
{
    [Fact]
    public void All_ContainsEveryEnumValueOnce() =>
        Assert.Equal(Enum.GetValues<RejectReason>(), RejectReasons.All);

    [Fact]
    public void Name_EveryReason_IsDistinctSnakeCase()
    {
        var names = RejectReasons.All.Select(RejectReasons.Name).ToList();

        Assert.All(names, n => Assert.Matches(new Regex("^[a-z]+(_[a-z]+)*$"), n));
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
    }

    // The names are public contract (metrics, dead-letter store, API): this pins every one.
    [Theory]
    [InlineData(RejectReason.InvalidJson, "invalid_json", true)]
    [InlineData(RejectReason.TooLarge, "too_large", true)]
    [InlineData(RejectReason.NoPoints, "no_points", true)]
    [InlineData(RejectReason.TooManyPoints, "too_many_points", true)]
    [InlineData(RejectReason.InvalidEnvelope, "invalid_envelope", true)]
    [InlineData(RejectReason.InvalidTopic, "invalid_topic", true)]
    [InlineData(RejectReason.NoValidPoints, "no_valid_points", true)]
    [InlineData(RejectReason.PointNotObject, "point_not_object", false)]
    [InlineData(RejectReason.MissingTag, "missing_tag", false)]
    [InlineData(RejectReason.InvalidTag, "invalid_tag", false)]
    [InlineData(RejectReason.InvalidValue, "invalid_value", false)]
    [InlineData(RejectReason.NonFiniteValue, "non_finite_value", false)]
    [InlineData(RejectReason.InvalidQuality, "invalid_quality", false)]
    [InlineData(RejectReason.MissingTimestamp, "missing_timestamp", false)]
    [InlineData(RejectReason.InvalidTimestamp, "invalid_timestamp", false)]
    [InlineData(RejectReason.FutureTimestamp, "future_timestamp", false)]
    [InlineData(RejectReason.TooOld, "too_old", false)]
    [InlineData(RejectReason.DuplicateField, "duplicate_field", false)]
    public void Name_EachReason_IsThePinnedWordAndLevel(RejectReason reason, string name, bool messageLevel)
    {
        Assert.Equal(name, RejectReasons.Name(reason));
        Assert.Equal(messageLevel, RejectReasons.IsMessageLevel(reason));
        Assert.True(RejectReasons.TryParse(name, out var parsed));
        Assert.Equal(reason, parsed);
    }

    [Fact]
    public void Name_SameReasonTwice_ReturnsTheSameInstanceWithoutAllocating()
    {
        _ = RejectReasons.Name(RejectReason.TooOld);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var first = RejectReasons.Name(RejectReason.TooOld);
        var second = RejectReasons.Name(RejectReason.TooOld);
        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Same(first, second);
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void Name_UndefinedValue_Throws() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => RejectReasons.Name((RejectReason)200));

    [Fact]
    public void TryParse_UnknownName_ReturnsFalse() =>
        Assert.False(RejectReasons.TryParse("Invalid_Json", out _));
}

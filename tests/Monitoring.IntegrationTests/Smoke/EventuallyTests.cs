using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Smoke;

public sealed class EventuallyTests
{
    [Fact]
    public async Task MatchAsync_ConditionHoldsOnThirdProbe_ReturnsThatValue()
    {
        var probes = 0;

        var value = await Eventually.MatchAsync(
            () => Task.FromResult(++probes),
            n => n == 3,
            TimeSpan.FromSeconds(10),
            "the third probe");

        Assert.Equal(3, value);
        Assert.Equal(3, probes);
    }

    [Fact]
    public async Task MatchAsync_ConditionNeverHolds_ThrowsTimeoutNamingDescriptionAndLastValue()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.MatchAsync(
            () => Task.FromResult(new[] { 7, 8 }),
            _ => false,
            TimeSpan.FromMilliseconds(200),
            "rows in the smoke table"));

        Assert.Contains("rows in the smoke table", error.Message, StringComparison.Ordinal);
        Assert.Contains("[7, 8]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MatchAsync_ProbeKeepsThrowing_ThrowsTimeoutWithLastErrorInside()
    {
        var error = await Assert.ThrowsAsync<TimeoutException>(() => Eventually.MatchAsync<int>(
            () => throw new InvalidOperationException("database not found"),
            _ => true,
            TimeSpan.FromMilliseconds(200),
            "a database"));

        Assert.IsType<InvalidOperationException>(error.InnerException);
    }

    [Fact]
    public async Task MatchAsync_ProbeHangs_TimeoutStillBoundsTheWait()
    {
        var never = new TaskCompletionSource<int>();

        await Assert.ThrowsAsync<TimeoutException>(() => Eventually.MatchAsync(
            () => never.Task,
            _ => true,
            TimeSpan.FromMilliseconds(200),
            "a hanging probe"));
    }

    [Theory]
    [InlineData("t")]
    [InlineData("smoke-")]
    public void UniqueName_TwoCalls_DifferAndUseOnlySafeCharacters(string prefix)
    {
        var a = RealServers.UniqueName(prefix);
        var b = RealServers.UniqueName(prefix);

        Assert.NotEqual(a, b);
        Assert.StartsWith(prefix, a, StringComparison.Ordinal);
        Assert.Matches("^[A-Za-z0-9_-]+$", a);
    }
}

using Microsoft.Extensions.Time.Testing;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Tests.Security;

public sealed class TokenBucketTests
{
    [Fact]
    public void TryTake_BurstSpent_RefusesUntilRefilled()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 10, capacity: 3, time);

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());

        time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }

    [Fact]
    public void TryTake_LongIdle_RefillsOnlyToCapacity()
    {
        var time = new FakeTimeProvider();
        var bucket = new TokenBucket(rate: 100, capacity: 2, time);
        time.Advance(TimeSpan.FromMinutes(5));

        Assert.True(bucket.TryTake());
        Assert.True(bucket.TryTake());
        Assert.False(bucket.TryTake());
    }
}

using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.Time.Testing;
using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Tests.Security;

public sealed class SignInThrottleTests
{
    private const string Address = "192.0.2.10";

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2025, 3, 1, 8, 0, 0, TimeSpan.Zero));

    private SignInThrottle Throttle(SignInOptions? options = null) => new(options ?? new SignInOptions(), _time);

    private static void FailTimes(SignInThrottle throttle, string user, int times, string address = Address)
    {
        for (var i = 0; i < times; i++)
        {
            var attempt = throttle.Begin(user, address);
            Assert.False(attempt.Refused, $"attempt {i + 1} for '{user}' was refused");
            throttle.Fail(attempt);
        }
    }

    [Fact]
    public void Begin_AfterFiveFailures_RefusesTheUserForOneMinute()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 4);

        var fifth = throttle.Begin("li.wei", Address);
        var failure = throttle.Fail(fifth);
        var refused = throttle.Begin("li.wei", Address);

        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(1), failure.UserLockedUntil);
        Assert.Equal(SignInRefusal.LockedUser, refused.Refusal);
        Assert.Equal(60, refused.RetryAfterSeconds(_time.GetUtcNow()));
    }

    [Fact]
    public void Begin_LockOver_AllowedAgain()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 5);

        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.True(throttle.Begin("li.wei", Address).Refused);
        _time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void Fail_FurtherFailuresAfterALock_DoubleTheLockUpToFifteenMinutes()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 4);
        var locks = new List<TimeSpan>();
        for (var i = 0; i < 7; i++)
        {
            var failure = throttle.Fail(throttle.Begin("li.wei", Address));
            var lockedFor = failure.UserLockedUntil!.Value - _time.GetUtcNow();
            locks.Add(lockedFor);
            _time.Advance(lockedFor);
        }

        Assert.Equal([1, 2, 4, 8, 15, 15, 15], locks.Select(l => l.TotalMinutes));
    }

    [Fact]
    public void Succeed_AfterFailures_StartsTheCountAgain()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 4);

        throttle.Succeed(throttle.Begin("li.wei", Address));
        FailTimes(throttle, "li.wei", 4);

        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void Begin_UserNameInOtherCase_SameCounter()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 3);
        FailTimes(throttle, "LI.WEI", 2);

        Assert.Equal(SignInRefusal.LockedUser, throttle.Begin("Li.Wei", Address).Refusal);
    }

    [Fact]
    public void Begin_UnknownUser_LockedExactlyLikeAKnownOne()
    {
        // The throttle never knows which names exist: the same sequence gives the same answers.
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 5, "192.0.2.1");
        FailTimes(throttle, "no-such-user", 5, "192.0.2.2");

        var known = throttle.Begin("li.wei", "192.0.2.1");
        var unknown = throttle.Begin("no-such-user", "192.0.2.2");

        Assert.Equal(known.Refusal, unknown.Refusal);
        Assert.Equal(known.RetryAt, unknown.RetryAt);
    }

    [Fact]
    public void Begin_AddressSpentItsBudgetOnManyNames_RefusesEveryUserFromThere()
    {
        var throttle = Throttle();
        for (var i = 0; i < 20; i++)
            FailTimes(throttle, "user" + i, 1);

        var sameAddress = throttle.Begin("li.wei", Address);
        var otherAddress = throttle.Begin("li.wei", "192.0.2.99");

        Assert.Equal(SignInRefusal.LockedAddress, sameAddress.Refusal);
        Assert.Equal(_time.GetUtcNow() + TimeSpan.FromMinutes(10), sameAddress.RetryAt);
        Assert.False(otherAddress.Refused);
    }

    [Fact]
    public void Begin_AddressFailuresSpreadOverTheWindow_NeverLocked()
    {
        // 20 per 10 min refills one every 30 s: a failure every 31 s never empties the budget.
        var throttle = Throttle();
        for (var i = 0; i < 60; i++)
        {
            FailTimes(throttle, "user" + i, 1);
            _time.Advance(TimeSpan.FromSeconds(31));
        }

        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void Begin_AddressLockOver_BudgetRefilled()
    {
        var throttle = Throttle();
        for (var i = 0; i < 20; i++)
            FailTimes(throttle, "user" + i, 1);

        _time.Advance(TimeSpan.FromMinutes(10));

        FailTimes(throttle, "other", 4);
        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void Begin_AttemptsInFlightUpToTheLimit_FurtherParallelAttemptsRefused()
    {
        // A burst of parallel guesses must not all pass before the first PBKDF2 is done.
        var throttle = Throttle();
        var inFlight = Enumerable.Range(0, 5).Select(_ => throttle.Begin("li.wei", Address)).ToList();

        var sixth = throttle.Begin("li.wei", Address);

        Assert.All(inFlight, a => Assert.False(a.Refused));
        Assert.Equal(SignInRefusal.LockedUser, sixth.Refusal);
        throttle.Succeed(inFlight[0]);
        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void Fail_LockStarted_ReportedOnlyByTheFailureThatStartedIt()
    {
        var throttle = Throttle();
        var failures = Enumerable.Range(0, 5).Select(_ => throttle.Fail(throttle.Begin("li.wei", Address))).ToList();

        Assert.Equal(1, failures.Count(f => f.UserLockedUntil is not null));
        Assert.NotNull(failures[4].UserLockedUntil);
        Assert.Equal(5, failures[4].UserFailures);
    }

    [Fact]
    public void Begin_FailuresLongAgo_Forgotten()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 4);

        _time.Advance(TimeSpan.FromHours(1));
        FailTimes(throttle, "li.wei", 4);

        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void Begin_MoreNamesThanTheCap_OldestForgottenAndMemoryBounded()
    {
        var throttle = Throttle(new SignInOptions { MaxTrackedKeys = 3, AddressFailureBudget = 0 });
        FailTimes(throttle, "oldest", 5);
        FailTimes(throttle, "b", 1);
        FailTimes(throttle, "c", 1);

        FailTimes(throttle, "d", 1);

        Assert.Equal(3, throttle.TrackedUsers);
        Assert.False(throttle.Begin("oldest", Address).Refused);
    }

    [Fact]
    public void Begin_ManyAddresses_TableBounded()
    {
        var throttle = Throttle(new SignInOptions { MaxTrackedKeys = 10 });
        for (var i = 0; i < 100; i++)
            FailTimes(throttle, "u" + i, 1, "10.0.0." + i);

        Assert.Equal(10, throttle.TrackedAddresses);
    }

    [Fact]
    public void Begin_RecentlyTouchedEntry_SurvivesEviction()
    {
        var throttle = Throttle(new SignInOptions { MaxTrackedKeys = 2, AddressFailureBudget = 0 });
        FailTimes(throttle, "locked", 5);
        FailTimes(throttle, "b", 1);
        Assert.True(throttle.Begin("locked", Address).Refused);

        FailTimes(throttle, "c", 1);

        Assert.True(throttle.Begin("locked", Address).Refused);
    }

    [Fact]
    public void LiftUser_Locked_AllowedAtOnceAndListedNoMore()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 5);
        Assert.Contains(throttle.Locks(), l => l is { Kind: SignInThrottle.UserKind, Key: "li.wei", Failures: 5 });

        var lifted = throttle.LiftUser("LI.WEI");

        Assert.True(lifted);
        Assert.False(throttle.Begin("li.wei", Address).Refused);
        Assert.DoesNotContain(throttle.Locks(), l => l.Kind == SignInThrottle.UserKind);
    }

    [Fact]
    public void LiftAddress_Locked_AllowedAtOnce()
    {
        var throttle = Throttle();
        for (var i = 0; i < 20; i++)
            FailTimes(throttle, "user" + i, 1);
        Assert.Contains(throttle.Locks(), l => l is { Kind: SignInThrottle.AddressKind, Key: Address });

        Assert.True(throttle.LiftAddress(Address));
        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Fact]
    public void LiftUser_NothingTracked_False() => Assert.False(Throttle().LiftUser("nobody"));

    [Fact]
    public void Locks_ExpiredLock_NotListed()
    {
        var throttle = Throttle();
        FailTimes(throttle, "li.wei", 5);

        _time.Advance(TimeSpan.FromMinutes(1));

        Assert.Empty(throttle.Locks());
    }

    [Fact]
    public void Begin_LimitsOff_NeverRefused()
    {
        var throttle = Throttle(new SignInOptions { UserFailuresBeforeLock = 0, AddressFailureBudget = 0 });
        FailTimes(throttle, "li.wei", 50);

        Assert.False(throttle.Begin("li.wei", Address).Refused);
    }

    [Theory]
    [InlineData("192.0.2.7", "192.0.2.7")]
    [InlineData("::ffff:192.0.2.7", "192.0.2.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("::1", "::1")]
    public void AddressKey_Address_CountedUnderItsKey(string address, string expected) =>
        Assert.Equal(expected, SignInThrottle.AddressKey(IPAddress.Parse(address)));

    [Fact]
    public void RetryAfterSeconds_PartSecondLeft_RoundsUp()
    {
        var now = _time.GetUtcNow();
        var attempt = new SignInAttempt("u", Address, SignInRefusal.LockedUser, now + TimeSpan.FromMilliseconds(1200));

        Assert.Equal(2, attempt.RetryAfterSeconds(now));
    }

    [Theory]
    [InlineData(-1, 1, 1, "cannot be negative")]
    [InlineData(5, 0, 15, "UserLockDuration")]
    [InlineData(5, 10, 5, "UserMaxLockDuration")]
    public void Validate_BadSignInOptions_NamesTheProblem(int failures, int lockMinutes, int maxMinutes, string expected)
    {
        var options = new SecurityOptions
        {
            SignIn = new SignInOptions
            {
                UserFailuresBeforeLock = failures,
                UserLockDuration = TimeSpan.FromMinutes(lockMinutes),
                UserMaxLockDuration = TimeSpan.FromMinutes(maxMinutes),
            },
        };

        var result = new SecurityOptionsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, e => e.Contains(expected, StringComparison.Ordinal) && e.Contains("Monitoring:Security:SignIn", StringComparison.Ordinal));
    }

    [Fact]
    public void SignInRefused_EachReason_CountedWithItsTag()
    {
        var reasons = new List<string?>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            // By name: the instrument may be published from SecurityMetrics' own static initialiser, before its field is set.
            if (instrument.Name == "monitoring.security.signin.refused")
                l.EnableMeasurementEvents(instrument);
        };
        listener.SetMeasurementEventCallback<long>((_, _, tags, _) =>
        {
            foreach (var tag in tags)
            {
                if (tag.Key == "reason")
                    reasons.Add(tag.Value as string);
            }
        });
        listener.Start();

        SecurityMetrics.SignInRefused(SignInRefusal.LockedUser);
        SecurityMetrics.SignInRefused(SignInRefusal.LockedAddress);

        Assert.Equal(["locked_user", "locked_address"], reasons);
    }
}

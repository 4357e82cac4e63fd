using System.Diagnostics.CodeAnalysis;
using System.Net;
using System.Net.Sockets;

namespace Monitoring.Ingestion.Security;

/// <summary>Why a sign-in was refused before its password was looked at.</summary>
internal enum SignInRefusal
{
    None,
    /// <summary>Too many consecutive failures for this user name (known or not).</summary>
    LockedUser,
    /// <summary>Too many failures from this client address, whatever the user names.</summary>
    LockedAddress,
}

/// <summary>
/// One sign-in in progress, from <see cref="SignInThrottle.Begin"/> to <see cref="SignInThrottle.Fail"/>,
/// <see cref="SignInThrottle.Succeed"/> or <see cref="SignInThrottle.Abandon"/>.
/// </summary>
internal readonly record struct SignInAttempt(string User, string Address, SignInRefusal Refusal, DateTimeOffset RetryAt)
{
    public bool Refused => Refusal != SignInRefusal.None;

    /// <summary>Whole seconds to wait, rounded up, at least 1 (the <c>Retry-After</c> value).</summary>
    public int RetryAfterSeconds(DateTimeOffset now) => Math.Max(1, (int)Math.Ceiling((RetryAt - now).TotalSeconds));
}

/// <summary>What a failed attempt started: a lock to log, once, when it begins.</summary>
internal readonly record struct SignInFailure(DateTimeOffset? UserLockedUntil, int UserFailures, DateTimeOffset? AddressLockedUntil, int AddressFailures);

/// <summary>A lock as an operator sees it.</summary>
internal sealed record SignInLock(string Kind, string Key, DateTimeOffset LockedUntil, int Failures);

/// <summary>
/// Brute-force protection for the console sign-in (docs/security.md, "Sign-in limits"). Per user name, known
/// or not: after <see cref="SignInOptions.UserFailuresBeforeLock"/> consecutive failures the name is locked,
/// for a period that doubles with each further failure up to a cap; a success resets it. Per client address: a
/// budget of failures that refills over a window (a leaky bucket), beyond which every sign-in from there is
/// refused for a while, against spraying many names. A refused attempt is not verified, so it costs no PBKDF2.
/// </summary>
/// <remarks>
/// Attempts in flight count as failures until they end: otherwise a burst of parallel guesses would all pass
/// the check before the first PBKDF2 finished. Both tables are bounded (<see cref="SignInOptions.MaxTrackedKeys"/>
/// each); the least recently touched entry goes first. One lock for everything: sign-ins are rare and short
/// next to the PBKDF2 work they guard.
/// </remarks>
internal sealed class SignInThrottle
{
    public const string UserKind = "user";
    public const string AddressKind = "address";

    private readonly SignInOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Table _users;
    private readonly Table _addresses;

    public SignInThrottle(SignInOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxTrackedKeys);
        _options = options;
        _time = time;
        // Same comparison as ConsoleUsers: "Admin" and "admin" are one account, so one counter.
        _users = new Table(StringComparer.OrdinalIgnoreCase, options.MaxTrackedKeys);
        _addresses = new Table(StringComparer.Ordinal, options.MaxTrackedKeys);
    }

    public int TrackedUsers
    {
        get
        {
            lock (_gate)
                return _users.Count;
        }
    }

    public int TrackedAddresses
    {
        get
        {
            lock (_gate)
                return _addresses.Count;
        }
    }

    /// <summary>
    /// Before the password is verified: refused while the address or the user is locked (then verify nothing).
    /// Otherwise the attempt is in flight until <see cref="Fail"/>, <see cref="Succeed"/> or <see cref="Abandon"/>.
    /// </summary>
    public SignInAttempt Begin(string user, string address)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(address);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            var byAddress = AddressLimited ? _addresses.GetOrAdd(address) : null;
            if (byAddress is not null)
            {
                Drain(byAddress, now);
                if (byAddress.LockedUntil > now)
                    return new SignInAttempt(user, address, SignInRefusal.LockedAddress, byAddress.LockedUntil);
                if (byAddress.Level + byAddress.InFlight >= _options.AddressFailureBudget)
                    return new SignInAttempt(user, address, SignInRefusal.LockedAddress, now + RefillTime(1));
            }

            var byUser = UserLimited ? _users.GetOrAdd(user) : null;
            if (byUser is not null)
            {
                Forget(byUser, now);
                if (byUser.LockedUntil > now)
                    return new SignInAttempt(user, address, SignInRefusal.LockedUser, byUser.LockedUntil);
                // Only reachable with attempts in flight: the locking failure may be among them, known within a second.
                if (byUser.Failures + byUser.InFlight >= _options.UserFailuresBeforeLock && byUser.InFlight > 0)
                    return new SignInAttempt(user, address, SignInRefusal.LockedUser, now + TimeSpan.FromSeconds(1));
                byUser.InFlight++;
            }

            if (byAddress is not null)
                byAddress.InFlight++;
            return new SignInAttempt(user, address, SignInRefusal.None, now);
        }
    }

    /// <summary>A wrong password or unknown user: counts against both, and may start a lock (returned, to log once).</summary>
    public SignInFailure Fail(in SignInAttempt attempt)
    {
        ThrowIfRefused(attempt);
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            DateTimeOffset? userLockedUntil = null, addressLockedUntil = null;
            var userFailures = 0;
            var addressFailures = 0;
            if (UserLimited)
            {
                var entry = _users.GetOrAdd(attempt.User);
                entry.InFlight = Math.Max(0, entry.InFlight - 1);
                Forget(entry, now);
                entry.Failures++;
                entry.LastFailure = now;
                userFailures = entry.Failures;
                if (entry.Failures >= _options.UserFailuresBeforeLock)
                {
                    entry.LockedUntil = now + UserLockDuration(entry.Failures);
                    userLockedUntil = entry.LockedUntil;
                }
            }

            if (AddressLimited)
            {
                var entry = _addresses.GetOrAdd(attempt.Address);
                entry.InFlight = Math.Max(0, entry.InFlight - 1);
                Drain(entry, now);
                entry.Level++;
                entry.Failures++;
                addressFailures = entry.Failures;
                if (entry.Level >= _options.AddressFailureBudget && entry.LockedUntil <= now)
                {
                    entry.LockedUntil = now + _options.AddressLockDuration;
                    addressLockedUntil = entry.LockedUntil;
                }
            }

            return new SignInFailure(userLockedUntil, userFailures, addressLockedUntil, addressFailures);
        }
    }

    /// <summary>The right password: the user's streak ends. The address keeps its budget (one good account must not buy more guesses).</summary>
    public void Succeed(in SignInAttempt attempt)
    {
        ThrowIfRefused(attempt);
        lock (_gate)
        {
            _users.Remove(attempt.User);
            ReleaseAddress(attempt.Address);
        }
    }

    /// <summary>Ends an attempt that neither failed nor succeeded (the verification threw).</summary>
    public void Abandon(in SignInAttempt attempt)
    {
        ThrowIfRefused(attempt);
        lock (_gate)
        {
            if (_users.TryGet(attempt.User, out var entry))
                entry.InFlight = Math.Max(0, entry.InFlight - 1);
            ReleaseAddress(attempt.Address);
        }
    }

    /// <summary>Locks in force now, longest first.</summary>
    public IReadOnlyList<SignInLock> Locks()
    {
        var now = _time.GetUtcNow();
        var locks = new List<SignInLock>();
        lock (_gate)
        {
            foreach (var e in _users.Entries)
            {
                if (e.LockedUntil > now)
                    locks.Add(new SignInLock(UserKind, e.Key, e.LockedUntil, e.Failures));
            }

            foreach (var e in _addresses.Entries)
            {
                if (e.LockedUntil > now)
                    locks.Add(new SignInLock(AddressKind, e.Key, e.LockedUntil, e.Failures));
            }
        }

        locks.Sort(static (a, b) => b.LockedUntil.CompareTo(a.LockedUntil));
        return locks;
    }

    /// <summary>An operator lifts a user's lock and forgets its failures. False when nothing was tracked for it.</summary>
    public bool LiftUser(string user)
    {
        lock (_gate)
            return _users.Remove(user);
    }

    /// <summary>An operator lifts an address's lock and refills its budget. False when nothing was tracked for it.</summary>
    public bool LiftAddress(string address)
    {
        lock (_gate)
            return _addresses.Remove(address);
    }

    /// <summary>
    /// The key an address is counted under: IPv4 as is (IPv4-mapped IPv6 too), IPv6 by its /64, since one
    /// client usually holds a whole /64 and could otherwise step through it. Unknown (no socket): "unknown".
    /// </summary>
    public static string AddressKey(IPAddress? address)
    {
        if (address is null)
            return "unknown";
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
            return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    private bool UserLimited => _options.UserFailuresBeforeLock > 0;

    private bool AddressLimited => _options.AddressFailureBudget > 0;

    private TimeSpan UserLockDuration(int failures)
    {
        // The first lock lasts UserLockDuration, each further failure doubles it; the shift is capped so it cannot overflow.
        var doublings = Math.Min(failures - _options.UserFailuresBeforeLock, 30);
        var ticks = Math.Min((double)_options.UserLockDuration.Ticks * (1L << doublings), _options.UserMaxLockDuration.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }

    private TimeSpan RefillTime(double failures) =>
        TimeSpan.FromTicks((long)(_options.AddressWindow.Ticks * failures / _options.AddressFailureBudget));

    private void Drain(Entry entry, DateTimeOffset now)
    {
        if (entry.Level > 0 && now > entry.LastDrain)
            entry.Level = Math.Max(0, entry.Level - ((now - entry.LastDrain) / _options.AddressWindow * _options.AddressFailureBudget));
        entry.LastDrain = now;
    }

    private void Forget(Entry entry, DateTimeOffset now)
    {
        // A streak long past (no failure for ForgetFailuresAfter, lock over) starts again from zero.
        if (entry.Failures > 0 && entry.LockedUntil <= now && now - entry.LastFailure >= _options.ForgetFailuresAfter)
            entry.Failures = 0;
    }

    private void ReleaseAddress(string address)
    {
        if (_addresses.TryGet(address, out var entry))
            entry.InFlight = Math.Max(0, entry.InFlight - 1);
    }

    private static void ThrowIfRefused(in SignInAttempt attempt)
    {
        if (attempt.Refused)
            throw new InvalidOperationException("A refused sign-in was not verified and has no outcome.");
    }

    private sealed class Entry(string key)
    {
        public string Key { get; } = key;
        public LinkedListNode<Entry>? Node { get; set; }
        public int Failures { get; set; }
        public int InFlight { get; set; }
        public DateTimeOffset LastFailure { get; set; }
        public DateTimeOffset LockedUntil { get; set; }
        public double Level { get; set; }
        public DateTimeOffset LastDrain { get; set; }
    }

    /// <summary>Entries by key, least recently touched first, at most <c>capacity</c>.</summary>
    private sealed class Table(StringComparer comparer, int capacity)
    {
        private readonly Dictionary<string, Entry> _byKey = new(comparer);
        private readonly LinkedList<Entry> _byAge = new();

        public int Count => _byKey.Count;

        public IEnumerable<Entry> Entries => _byAge;

        public bool TryGet(string key, [MaybeNullWhen(false)] out Entry entry) => _byKey.TryGetValue(key, out entry);

        public Entry GetOrAdd(string key)
        {
            if (_byKey.TryGetValue(key, out var entry))
            {
                _byAge.Remove(entry.Node!);
                _byAge.AddLast(entry.Node!);
                return entry;
            }

            if (_byKey.Count >= capacity)
            {
                var oldest = _byAge.First!;
                _byAge.RemoveFirst();
                _byKey.Remove(oldest.Value.Key);
            }

            entry = new Entry(key);
            entry.Node = _byAge.AddLast(entry);
            _byKey.Add(key, entry);
            return entry;
        }

        public bool Remove(string key)
        {
            if (!_byKey.Remove(key, out var entry))
                return false;
            _byAge.Remove(entry.Node!);
            return true;
        }
    }
}

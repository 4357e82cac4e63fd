using Monitoring.Yaml;

namespace Monitoring.Notifications.Roster;

/// <summary>A person who can be notified. Addresses are optional, but every person has at least one.</summary>
public sealed record Person(string Id, string Name, Uri? Webhook, WebhookFormat WebhookFormat, string? Email, string Language, IReadOnlyList<ChannelKind> Notify)
{
    /// <summary>Channels this person has an address for, preferred ones first.</summary>
    public IEnumerable<ChannelKind> Reachable()
    {
        foreach (var channel in Notify)
            yield return channel;
        foreach (var channel in AddressChannels)
        {
            if (!Notify.Contains(channel) && Has(channel))
                yield return channel;
        }
    }

    private static readonly ChannelKind[] AddressChannels = [ChannelKind.Webhook, ChannelKind.Email];

    public bool Has(ChannelKind channel) => channel switch
    {
        ChannelKind.Webhook => Webhook is not null,
        ChannelKind.Email => Email is not null,
        _ => true,
    };
}

public enum ChannelKind
{
    Webhook,
    Email,
    /// <summary>Records only: simulated traffic, demos.</summary>
    Sandbox,
}

/// <summary>How the webhook body is shaped: WeCom (企业微信) and DingTalk (钉钉) group robots, or a generic JSON document.</summary>
public enum WebhookFormat
{
    Generic,
    WeCom,
    DingTalk,
}

/// <summary>The level of a duty assignment in the escalation chain (domain section 5: enterprise, then township/park, then county).</summary>
public enum DutyTier
{
    Enterprise,
    Park,
    County,
}

/// <summary>A shift by local wall-clock time; <see cref="End"/> at or before <see cref="Start"/> means it runs past midnight.</summary>
public sealed record Shift(string Id, TimeOnly Start, TimeOnly End)
{
    public bool Covers(TimeOnly time) => Start < End
        ? time >= Start && time < End
        : time >= Start || time < End;
}

/// <summary>An enterprise the roster knows: its region (park or township) places it under a park duty.</summary>
public sealed record EnterpriseEntry(string Code, string? Name, string? Region, string? Industry);

/// <summary>
/// Who answers for which alarms when. An empty filter list matches everything; a more specific match
/// (enterprise, then region, then industry, then none) wins over a less specific one in the same tier.
/// </summary>
public sealed record DutyAssignment(
    DutyTier Tier,
    IReadOnlyList<string> Enterprises,
    IReadOnlyList<string> Regions,
    IReadOnlyList<string> Industries,
    Shift? Shift,
    string Officer,
    string? Deputy,
    SourceMark Location)
{
    public bool IsCatchAll => Enterprises.Count == 0 && Regions.Count == 0 && Industries.Count == 0;

    /// <summary>0 when it does not apply; higher is more specific.</summary>
    public int Specificity(string enterprise, string? region, string industry)
    {
        if (Enterprises.Count > 0)
            return Enterprises.Contains(enterprise, StringComparer.Ordinal) ? 4 : 0;
        if (Regions.Count > 0)
            return region is not null && Regions.Contains(region, StringComparer.Ordinal) ? 3 : 0;
        if (Industries.Count > 0)
            return Industries.Contains(industry, StringComparer.Ordinal) ? 2 : 0;
        return 1;
    }
}

/// <summary>The role a person plays in one alarm's escalation chain.</summary>
public enum ChainRole
{
    OnDutyOfficer,
    Deputy,
    ParkDutyOfficer,
    CountyDutyOfficer,
}

public sealed record ChainMember(Person Person, ChainRole Role);

/// <summary>The validated roster. Immutable: a reload replaces it whole.</summary>
public sealed class DutyRoster
{
    public required TimeZoneInfo TimeZone { get; init; }
    public required IReadOnlyDictionary<string, Person> People { get; init; }
    public required IReadOnlyDictionary<string, EnterpriseEntry> Enterprises { get; init; }
    public required IReadOnlyList<Shift> Shifts { get; init; }
    public required IReadOnlyList<DutyAssignment> Duty { get; init; }
    public required string SourceFile { get; init; }

    /// <summary>
    /// The escalation chain for an alarm at <paramref name="at"/>: [on-duty officer, deputy, park/township
    /// duty officer, county duty officer], leaving out roles nobody fills and people already listed.
    /// Level n of <c>AlarmEscalated</c> goes to member n (the last member once the chain is exhausted).
    /// </summary>
    public IReadOnlyList<ChainMember> ChainFor(string enterprise, string industry, DateTimeOffset at)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZone).DateTime);
        var region = Enterprises.TryGetValue(enterprise, out var entry) ? entry.Region : null;
        var chain = new List<ChainMember>(4);
        if (Best(DutyTier.Enterprise, enterprise, region, industry, local) is { } own)
        {
            Add(chain, own.Officer, ChainRole.OnDutyOfficer);
            if (own.Deputy is not null)
                Add(chain, own.Deputy, ChainRole.Deputy);
        }

        if (Best(DutyTier.Park, enterprise, region, industry, local) is { } park)
            Add(chain, park.Officer, ChainRole.ParkDutyOfficer);
        if (Best(DutyTier.County, enterprise, region, industry, local) is { } county)
            Add(chain, county.Officer, ChainRole.CountyDutyOfficer);
        return chain;
    }

    /// <summary>
    /// Who hears about the notification path itself (watchdog, failing channels): the officer of the
    /// first catch-all assignment on duty now, enterprise tier first, with its deputy.
    /// </summary>
    public IReadOnlyList<Person> SystemOfficers(DateTimeOffset at)
    {
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, TimeZone).DateTime);
        foreach (var tier in (ReadOnlySpan<DutyTier>)[DutyTier.Enterprise, DutyTier.Park, DutyTier.County])
        {
            foreach (var duty in Duty)
            {
                if (duty.Tier == tier && duty.IsCatchAll && (duty.Shift is null || duty.Shift.Covers(local)))
                {
                    var people = new List<Person> { People[duty.Officer] };
                    if (duty.Deputy is not null && duty.Deputy != duty.Officer)
                        people.Add(People[duty.Deputy]);
                    return people;
                }
            }
        }

        return [];
    }

    private DutyAssignment? Best(DutyTier tier, string enterprise, string? region, string industry, TimeOnly local)
    {
        DutyAssignment? best = null;
        var bestScore = 0;
        foreach (var duty in Duty)
        {
            if (duty.Tier != tier || (duty.Shift is not null && !duty.Shift.Covers(local)))
                continue;
            var score = duty.Specificity(enterprise, region, industry);
            if (score > bestScore)
            {
                best = duty;
                bestScore = score;
            }
        }

        return best;
    }

    private void Add(List<ChainMember> chain, string personId, ChainRole role)
    {
        foreach (var member in chain)
        {
            if (member.Person.Id == personId)
                return;
        }

        chain.Add(new ChainMember(People[personId], role));
    }
}

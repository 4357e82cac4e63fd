using System.Text;
using Monitoring.Contracts.AckLinks;

namespace Monitoring.Notifications.Tests;

public sealed class AcknowledgeLinkTokenTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes("0123456789abcdef0123456789abcdef");
    private static readonly Guid Alarm = Guid.Parse("3f2504e0-4f89-41d3-9a0c-0305e82c3301");
    private static readonly DateTimeOffset Now = new(2026, 11, 22, 8, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("zhang.wei")]
    [InlineData("张伟")]
    [InlineData("a.b.c-d_e")]
    public void Verify_TokenItCreated_ReturnsTheClaims(string person)
    {
        var token = AcknowledgeLinkToken.Create(Alarm, person, Now.AddHours(1), Key);

        Assert.Equal(AcknowledgeLinkFailure.None, AcknowledgeLinkToken.Verify(token, Key, Now, out var claims));
        Assert.Equal(Alarm, claims.AlarmId);
        Assert.Equal(person, claims.PersonId);
        Assert.Equal(Now.AddHours(1), claims.ExpiresAt);
    }

    [Fact]
    public void Create_Token_IsUrlSafe()
    {
        var token = AcknowledgeLinkToken.Create(Alarm, "zhang.wei", Now.AddHours(1), Key);

        Assert.All(token, c => Assert.True(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.', $"'{c}' in {token}"));
    }

    [Fact]
    public void Verify_AtOrAfterExpiry_IsExpired()
    {
        var token = AcknowledgeLinkToken.Create(Alarm, "p", Now.AddMinutes(5), Key);

        Assert.Equal(AcknowledgeLinkFailure.None, AcknowledgeLinkToken.Verify(token, Key, Now.AddMinutes(5).AddSeconds(-1), out _));
        Assert.Equal(AcknowledgeLinkFailure.Expired, AcknowledgeLinkToken.Verify(token, Key, Now.AddMinutes(5), out var claims));
        Assert.Equal(default, claims);
    }

    [Fact]
    public void Verify_OtherKey_IsBadSignature()
    {
        var token = AcknowledgeLinkToken.Create(Alarm, "p", Now.AddHours(1), Key);
        var other = Encoding.UTF8.GetBytes("fedcba9876543210fedcba9876543210");

        Assert.Equal(AcknowledgeLinkFailure.BadSignature, AcknowledgeLinkToken.Verify(token, other, Now, out _));
    }

    [Fact]
    public void Verify_PayloadChangedToAnotherPerson_IsBadSignature()
    {
        var token = AcknowledgeLinkToken.Create(Alarm, "alice", Now.AddHours(1), Key);
        var forged = AcknowledgeLinkToken.Create(Alarm, "mallory", Now.AddHours(1), Key);
        // Mallory's payload with Alice's signature: the signature must cover the person.
        var spliced = forged[..forged.IndexOf('.', StringComparison.Ordinal)] + token[token.IndexOf('.', StringComparison.Ordinal)..];

        Assert.Equal(AcknowledgeLinkFailure.BadSignature, AcknowledgeLinkToken.Verify(spliced, Key, Now, out _));
    }

    [Theory]
    [InlineData("")]
    [InlineData("no-dot")]
    [InlineData(".abc")]
    [InlineData("abc.")]
    [InlineData("!!!.???")]
    [InlineData("AQID.AQID")]
    public void Verify_Malformed_IsMalformed(string token)
    {
        Assert.Equal(AcknowledgeLinkFailure.Malformed, AcknowledgeLinkToken.Verify(token, Key, Now, out _));
    }

    [Fact]
    public void Create_ShortKey_Throws()
    {
        Assert.Throws<ArgumentException>(() => AcknowledgeLinkToken.Create(Alarm, "p", Now, new byte[16]));
        Assert.Throws<ArgumentException>(() => AcknowledgeLinkToken.KeyFromText("short"));
    }
}

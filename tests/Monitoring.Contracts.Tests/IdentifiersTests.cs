using System.Text;

namespace Monitoring.Contracts.Tests;

public class IdentifiersTests
{
    [Theory]
    [InlineData("91310000MA1FL4XQ3A")]
    [InlineData("gw-01")]
    [InlineData("GW_01")]
    [InlineData("a")]
    [InlineData("0123456789012345678901234567890123456789012345678901234567890123")]
    public void IsValidEnterpriseOrGateway_AllowedCharactersUpTo64_ReturnsTrue(string value) =>
        Assert.True(Identifiers.IsValidEnterpriseOrGateway(value));

    [Theory]
    [InlineData("")]
    [InlineData("01234567890123456789012345678901234567890123456789012345678901234")]
    [InlineData("gw.01")]
    [InlineData("gw/01")]
    [InlineData("gw 01")]
    [InlineData("gw+")]
    [InlineData("gw#")]
    [InlineData("网关")]
    [InlineData("gw\u0000")]
    public void IsValidEnterpriseOrGateway_OtherCharactersOrLengths_ReturnsFalse(string value) =>
        Assert.False(Identifiers.IsValidEnterpriseOrGateway(value));

    [Theory]
    [InlineData("CAST1.MOULD.WATER.P")]
    [InlineData("ns=2;s=x", false)]
    [InlineData("plant:line/tag-1_a")]
    [InlineData("A")]
    [InlineData("", false)]
    [InlineData("a b", false)]
    [InlineData("a\\b", false)]
    [InlineData("a\"b", false)]
    [InlineData("温度", false)]
    [InlineData("Ä", false)]
    public void IsValidTag_CharsAndUtf8_AgreeWithThePattern(string tag, bool expected = true)
    {
        Assert.Equal(expected, Identifiers.IsValidTag(tag.AsSpan()));
        Assert.Equal(expected, Identifiers.IsValidTag(Encoding.UTF8.GetBytes(tag)));
    }

    [Fact]
    public void IsValidTag_LengthLimit_Is128()
    {
        Assert.True(Identifiers.IsValidTag(new string('a', 128).AsSpan()));
        Assert.False(Identifiers.IsValidTag(new string('a', 129).AsSpan()));
        Assert.True(Identifiers.IsValidTag(Encoding.ASCII.GetBytes(new string('a', 128))));
        Assert.False(Identifiers.IsValidTag(Encoding.ASCII.GetBytes(new string('a', 129))));
    }

    [Fact]
    public void IsValidTag_EveryAsciiCharacter_MatchesTheContractCharacterClass()
    {
        for (var c = (char)0; c < 256; c++)
        {
            var expected = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '.' or ':' or '/' or '-';
            Assert.True(expected == Identifiers.IsValidTag([c]), $"char {(int)c}");
            Assert.True(expected == Identifiers.IsValidTag([(byte)c]), $"byte {(int)c}");
            var expectedId = c is (>= 'A' and <= 'Z') or (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_' or '-';
            Assert.True(expectedId == Identifiers.IsValidEnterpriseOrGateway([c]), $"id char {(int)c}");
        }
    }
}

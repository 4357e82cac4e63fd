using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Tests.Security;

public sealed class PasswordHashTests
{
    // Test vectors, not credentials: mosquitto_passwd 2.0.11 output for the password "secret", and a
    // $6$ hash computed as SHA-512("secret" + salt) with the salt "0123456789ab".
    private const string MosquittoPbkdf2 = "$7$101$/zqSJMhqKpW1IYRF$yoTiGpp6c+RNhS1vEB1Y3iSGbNelwt/SUBG+0sLB/a9aE6anaYVVk96CWq8MF2fEWIUOYyIf62Nu2lvetLnU0Q==";
    private const string MosquittoSha512 = "$6$MDEyMzQ1Njc4OWFi$qEXipeLbgxRlwd06QHfY5WITkUZg0jLg9SZbXzq3ifXjfj+v3GbJGrSfC5PAg3UNCS+UFfbhUIZX4bmIAs330w==";

    [Theory]
    [InlineData(MosquittoPbkdf2)]
    [InlineData(MosquittoSha512)]
    public void Verify_MosquittoHashWithRightPassword_IsTrue(string hash) => Assert.True(PasswordHash.Verify(hash, "secret"));

    [Theory]
    [InlineData(MosquittoPbkdf2)]
    [InlineData(MosquittoSha512)]
    public void Verify_MosquittoHashWithWrongPassword_IsFalse(string hash) => Assert.False(PasswordHash.Verify(hash, "Secret"));

    [Fact]
    public void Create_ThenVerify_AcceptsOnlyThatPassword()
    {
        var hash = PasswordHash.Create("gateway password", iterations: 1000);

        Assert.StartsWith("$7$1000$", hash, StringComparison.Ordinal);
        Assert.True(PasswordHash.Verify(hash, "gateway password"));
        Assert.False(PasswordHash.Verify(hash, "gateway passwor"));
        Assert.False(PasswordHash.Verify(hash, null));
    }

    [Fact]
    public void Create_SamePasswordTwice_SaltsDiffer() =>
        Assert.NotEqual(PasswordHash.Create("p", 1000), PasswordHash.Create("p", 1000));

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$7$abc$c2FsdA==$aGFzaA==")]
    [InlineData("$7$101$not base64!$aGFzaA==")]
    [InlineData("$5$c2FsdA==$aGFzaA==")]
    public void Verify_MalformedHash_IsFalse(string hash)
    {
        Assert.False(PasswordHash.IsSupported(hash));
        Assert.False(PasswordHash.Verify(hash, "secret"));
    }

    [Fact]
    public void ApiKeyHash_ComputeHex_IsSha256OfUtf8()
    {
        Assert.Equal("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", ApiKeyHash.ComputeHex("abc"));
        Assert.True(ApiKeyHash.IsValidHex(ApiKeyHash.ComputeHex(ApiKeyHash.NewKey())));
        Assert.False(ApiKeyHash.IsValidHex("xyz"));
    }
}

using Monitoring.Ingestion.Security;

namespace Monitoring.Ingestion.Tests.Security;

public sealed class SecurityOptionsValidatorTests
{
    private static string[] Errors(SecurityOptions options)
    {
        var result = new SecurityOptionsValidator().Validate(null, options);
        return result.Failed ? result.Failures.ToArray() : [];
    }

    [Fact]
    public void Validate_Defaults_Succeeds() => Assert.Empty(Errors(new SecurityOptions()));

    [Fact]
    public void Validate_HashedKeyWithKnownRole_Succeeds() =>
        Assert.Empty(Errors(new SecurityOptions { ApiKeys = [new ApiKeyOptions { Name = "duty", Role = Roles.DutyOfficer, KeySha256 = ApiKeyHash.ComputeHex("k") }] }));

    [Theory]
    [InlineData("", "viewer", "abc", null, "Name")]
    [InlineData("a", "operator", null, "0123456789abcdef", "Role")]
    [InlineData("a", "viewer", null, null, "exactly one")]
    [InlineData("a", "viewer", "abc", null, "64 hex")]
    [InlineData("a", "viewer", null, "short", "shorter than 16")]
    public void Validate_BadApiKey_NamesTheProblem(string name, string role, string? hash, string? key, string expected)
    {
        var errors = Errors(new SecurityOptions { ApiKeys = [new ApiKeyOptions { Name = name, Role = role, KeySha256 = hash, Key = key }] });

        Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal) && e.Contains("ApiKeys:0", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_GatewayWithBadIdentifierOrHash_Fails()
    {
        var errors = Errors(new SecurityOptions { Gateways = [new GatewayCredentialOptions { Enterprise = "a/b", Gateway = "gw01", PasswordHash = "plain" }] });

        Assert.Contains(errors, e => e.Contains("[A-Za-z0-9_-]", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("PasswordHash", StringComparison.Ordinal));
    }

    [Fact]
    public void Validate_ClientCertificatesWithoutTls_Fails() =>
        Assert.Contains(Errors(new SecurityOptions { Broker = { ClientCertificates = ClientCertificateMode.Required } }), e => e.Contains("client certificates", StringComparison.Ordinal));
}

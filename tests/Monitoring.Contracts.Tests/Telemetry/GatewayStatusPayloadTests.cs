using System.Text;
using Monitoring.Contracts.Telemetry;

namespace Monitoring.Contracts.Tests.Telemetry;

public class GatewayStatusPayloadTests
{
    private static (bool Ok, GatewayStatusReport Report, string? Error) Parse(string json)
    {
        var ok = GatewayStatusPayload.TryParse(Encoding.UTF8.GetBytes(json), out var report, out var error);
        return (ok, report, error);
    }

    [Fact]
    public void TryParse_FullOnline_ReturnsEveryField()
    {
        var (ok, report, error) = Parse("{\"state\":\"online\",\"ts\":1763800000000,\"fw\":\"2.3.1\"}");

        Assert.True(ok);
        Assert.Null(error);
        Assert.Equal(new GatewayStatusReport("online", 1763800000000, "2.3.1"), report);
    }

    [Fact]
    public void TryParse_OfflineOnly_LeavesOptionalFieldsNull()
    {
        var (ok, report, _) = Parse("{\"state\":\"offline\"}");

        Assert.True(ok);
        Assert.Equal(new GatewayStatusReport("offline", null, null), report);
    }

    [Fact]
    public void TryParse_NullOptionalFieldsAndUnknownFields_AreAccepted()
    {
        var (ok, report, _) = Parse("{\"x\":{\"y\":[1]},\"fw\":null,\"ts\":null,\"state\":\"online\",\"ip\":\"10.0.0.1\"}");

        Assert.True(ok);
        Assert.Equal(new GatewayStatusReport("online", null, null), report);
    }

    [Theory]
    [InlineData("", "not valid JSON")]
    [InlineData("online", "not valid JSON")]
    [InlineData("[\"online\"]", "not a JSON object")]
    [InlineData("{\"state\":\"online\"", "not valid JSON")]
    [InlineData("{\"state\":\"online\"} x", "not valid JSON")]
    [InlineData("{}", "'state' is missing")]
    [InlineData("{\"state\":\"ONLINE\"}", "'state' must be")]
    [InlineData("{\"state\":\"silent\"}", "'state' must be")]
    [InlineData("{\"state\":1}", "'state' must be")]
    [InlineData("{\"state\":\"online\",\"state\":\"offline\"}", "'state' is repeated")]
    [InlineData("{\"state\":\"online\",\"ts\":\"1\"}", "'ts' must be")]
    [InlineData("{\"state\":\"online\",\"ts\":-5}", "'ts' must be")]
    [InlineData("{\"state\":\"online\",\"ts\":1.5}", "'ts' must be")]
    [InlineData("{\"state\":\"online\",\"ts\":1,\"ts\":2}", "'ts' is repeated")]
    [InlineData("{\"state\":\"online\",\"fw\":2}", "'fw' must be a string")]
    [InlineData("{\"state\":\"online\",\"fw\":\"a\",\"fw\":\"b\"}", "'fw' is repeated")]
    public void TryParse_BadPayload_ReturnsFalseWithReason(string json, string expectedError)
    {
        var (ok, report, error) = Parse(json);

        Assert.False(ok);
        Assert.Equal(default, report);
        Assert.Contains(expectedError, error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_FirmwareTooLong_ReturnsFalse()
    {
        var (ok, _, error) = Parse("{\"state\":\"online\",\"fw\":\"" + new string('1', 129) + "\"}");

        Assert.False(ok);
        Assert.Contains("longer than 128", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_InvalidUtf8_ReturnsFalse()
    {
        byte[] json = [.. "{\"state\":\"online\",\"fw\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        Assert.False(GatewayStatusPayload.TryParse(json, out _, out var error));
        Assert.Contains("UTF-8", error, StringComparison.Ordinal);
    }
}

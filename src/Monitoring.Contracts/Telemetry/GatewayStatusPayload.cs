using System.Text.Json;
using System.Text.Unicode;

namespace Monitoring.Contracts.Telemetry;

/// <summary>A gateway's status message: <c>{"state":"online"|"offline","ts":&lt;ms&gt;,"fw":"..."}</c>.</summary>
/// <param name="State"><c>online</c> or <c>offline</c> (<see cref="GatewayStates"/>).</param>
/// <param name="TimestampMs">The gateway's time of the change, ms since the Unix epoch, when it sent one.</param>
/// <param name="Firmware">Firmware version string, when sent.</param>
public readonly record struct GatewayStatusReport(string State, long? TimestampMs, string? Firmware);

/// <summary>
/// Parses the retained status payload (docs/contract.md 1). These messages are rare (connect, disconnect,
/// last will), so clarity wins over allocation here. Unknown fields are ignored.
/// </summary>
public static class GatewayStatusPayload
{
    /// <summary>Longest firmware string kept; a longer one is an error rather than silently cut.</summary>
    public const int MaxFirmwareLength = 128;

    public static bool TryParse(ReadOnlySpan<byte> json, out GatewayStatusReport report, out string? error)
    {
        report = default;
        string? state = null;
        long? ts = null;
        string? firmware = null;
        var seenTs = false;
        var seenFw = false;
        if (!Utf8.IsValid(json))
        {
            error = "status payload is not valid UTF-8";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                error = "status payload is not a JSON object";
                return false;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                if (reader.ValueTextEquals("state"u8))
                {
                    if (state is not null)
                    {
                        error = "'state' is repeated";
                        return false;
                    }

                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(GatewayStates.Online))
                    {
                        state = GatewayStates.Online;
                    }
                    else if (reader.TokenType == JsonTokenType.String && reader.ValueTextEquals(GatewayStates.Offline))
                    {
                        state = GatewayStates.Offline;
                    }
                    else
                    {
                        error = "'state' must be \"online\" or \"offline\"";
                        return false;
                    }
                }
                else if (reader.ValueTextEquals("ts"u8))
                {
                    if (seenTs)
                    {
                        error = "'ts' is repeated";
                        return false;
                    }

                    seenTs = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.Number || !reader.TryGetInt64(out var value) || value < 0)
                    {
                        error = "'ts' must be a non-negative integer number of milliseconds";
                        return false;
                    }

                    ts = value;
                }
                else if (reader.ValueTextEquals("fw"u8))
                {
                    if (seenFw)
                    {
                        error = "'fw' is repeated";
                        return false;
                    }

                    seenFw = true;
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.Null)
                    {
                        continue;
                    }

                    if (reader.TokenType != JsonTokenType.String)
                    {
                        error = "'fw' must be a string";
                        return false;
                    }

                    firmware = reader.GetString();
                    if (firmware!.Length > MaxFirmwareLength)
                    {
                        error = $"'fw' is longer than {MaxFirmwareLength} characters";
                        return false;
                    }
                }
                else
                {
                    reader.Read();
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject || reader.CurrentDepth != 0 || reader.Read())
            {
                error = "status payload is not valid JSON";
                return false;
            }
        }
        catch (JsonException)
        {
            error = "status payload is not valid JSON";
            return false;
        }

        if (state is null)
        {
            error = "'state' is missing";
            return false;
        }

        report = new GatewayStatusReport(state, ts, firmware);
        error = null;
        return true;
    }
}

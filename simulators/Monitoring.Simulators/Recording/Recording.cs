using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Monitoring.Simulators.Recording;

/// <summary>
/// The recording file: JSON lines. The first line is a header
/// <c>{"format":"monitoring-sim-recording","version":1,"topicRoot":"mon/v1","startedAt":ms}</c>; each further line is
/// one message <c>{"t":ms since start,"topic":"ENT/GW/telemetry","retain":false,"payload":"..."}</c>, the topic
/// relative to the root so a replay can target another root, the payload as the UTF-8 text received.
/// </summary>
public static class RecordingFormat
{
    public const string Format = "monitoring-sim-recording";

    public static string Header(string topicRoot, long startedAtMs) => JsonSerializer.Serialize(new JsonObject
    {
        ["format"] = Format,
        ["version"] = 1,
        ["topicRoot"] = topicRoot,
        ["startedAt"] = startedAtMs,
    });

    public static string Line(long offsetMs, string relativeTopic, bool retain, ReadOnlySpan<byte> payload)
    {
        var buffer = new ArrayBufferWriter<byte>(payload.Length + 96);
        // Relaxed escaping keeps the recorded JSON payloads readable in the file (no \u0022 for every quote).
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("t", offsetMs);
            json.WriteString("topic", relativeTopic);
            json.WriteBoolean("retain", retain);
            json.WriteString("payload", Encoding.UTF8.GetString(payload));
            json.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    public static RecordedFile Read(string path)
    {
        if (!File.Exists(path))
            throw new InvalidDataException($"{path}: recording not found");
        var lines = File.ReadAllLines(path);
        if (lines.Length == 0)
            throw new InvalidDataException($"{path}(1): empty file, expected a recording header");
        JsonNode? header;
        try
        {
            header = JsonNode.Parse(lines[0]);
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{path}(1): not a recording header: {ex.Message}", ex);
        }

        if (header?["format"]?.GetValue<string>() != Format)
            throw new InvalidDataException($"{path}(1): not a recording (expected \"format\":\"{Format}\")");
        var messages = new List<RecordedMessage>();
        for (var i = 1; i < lines.Length; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i]))
                continue;
            try
            {
                var node = JsonNode.Parse(lines[i])!;
                messages.Add(new RecordedMessage(
                    node["t"]!.GetValue<long>(),
                    node["topic"]!.GetValue<string>(),
                    node["retain"]?.GetValue<bool>() ?? false,
                    node["payload"]!.GetValue<string>()));
            }
            catch (Exception ex) when (ex is JsonException or InvalidOperationException or NullReferenceException or FormatException)
            {
                throw new InvalidDataException($"{path}({(i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)}): not a recorded message: {ex.Message}", ex);
            }
        }

        return new RecordedFile(header["topicRoot"]?.GetValue<string>() ?? "mon/v1", header["startedAt"]?.GetValue<long>() ?? 0, messages);
    }

    /// <summary>Every <c>ts</c> in a telemetry batch or status payload shifted by <paramref name="deltaMs"/>; other text unchanged in meaning.</summary>
    public static string ShiftTimestamps(string payload, long deltaMs)
    {
        if (deltaMs == 0)
            return payload;
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(payload);
        }
        catch (JsonException)
        {
            return payload;
        }

        if (node is not JsonObject obj)
            return payload;
        Shift(obj, deltaMs);
        if (obj["points"] is JsonArray points)
        {
            foreach (var point in points)
            {
                if (point is JsonObject p)
                    Shift(p, deltaMs);
            }
        }

        return obj.ToJsonString();
    }

    private static void Shift(JsonObject obj, long deltaMs)
    {
        if (obj["ts"] is JsonValue value && value.TryGetValue<long>(out var ts))
            obj["ts"] = ts + deltaMs;
    }

    /// <summary>The smallest and largest <c>ts</c> of the telemetry in a recording (null when it has none).</summary>
    public static (long Min, long Max)? TimestampRange(IEnumerable<RecordedMessage> messages)
    {
        long min = long.MaxValue, max = long.MinValue;
        foreach (var message in messages)
        {
            if (!message.Topic.EndsWith("/telemetry", StringComparison.Ordinal))
                continue;
            try
            {
                using var doc = JsonDocument.Parse(message.Payload);
                var root = doc.RootElement;
                if (root.ValueKind != JsonValueKind.Object)
                    continue;
                if (root.TryGetProperty("ts", out var ts) && ts.TryGetInt64(out var batchTs))
                    (min, max) = (Math.Min(min, batchTs), Math.Max(max, batchTs));
                if (root.TryGetProperty("points", out var points) && points.ValueKind == JsonValueKind.Array)
                {
                    foreach (var point in points.EnumerateArray())
                    {
                        if (point.ValueKind == JsonValueKind.Object && point.TryGetProperty("ts", out var pts) && pts.TryGetInt64(out var pointTs))
                            (min, max) = (Math.Min(min, pointTs), Math.Max(max, pointTs));
                    }
                }
            }
            catch (JsonException)
            {
                // A recorded bad message is replayed as it was; it has no timestamps to consider.
            }
        }

        return min == long.MaxValue ? null : (min, max);
    }
}

public sealed record RecordedMessage(long OffsetMs, string Topic, bool Retain, string Payload);

public sealed record RecordedFile(string TopicRoot, long StartedAtMs, IReadOnlyList<RecordedMessage> Messages);

using System.Text.Json;
using Monitoring.Simulators.Recording;

namespace Monitoring.Simulators.Tests;

public sealed class RecordingTests
{
    [Fact]
    public void ShiftTimestamps_Batch_ShiftsBatchAndPointTimestampsOnly()
    {
        var shifted = RecordingFormat.ShiftTimestamps("""{"seq":4,"ts":1000,"sim":true,"points":[{"tag":"A","v":1},{"tag":"B","v":2,"ts":900}]}""", 5_000);

        var root = JsonDocument.Parse(shifted).RootElement;
        Assert.Equal(6_000, root.GetProperty("ts").GetInt64());
        Assert.Equal(4, root.GetProperty("seq").GetInt64());
        Assert.False(root.GetProperty("points")[0].TryGetProperty("ts", out _));
        Assert.Equal(5_900, root.GetProperty("points")[1].GetProperty("ts").GetInt64());
    }

    [Fact]
    public void ShiftTimestamps_NotJson_Unchanged()
    {
        Assert.Equal("not json", RecordingFormat.ShiftTimestamps("not json", 5));
    }

    [Fact]
    public void Read_WrittenLines_RoundTripsTopicsPayloadsAndTiming()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sim-rec-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllLines(path,
            [
                RecordingFormat.Header("mon/v1", 42),
                RecordingFormat.Line(0, "E/g/status", true, """{"state":"online"}"""u8),
                RecordingFormat.Line(250, "E/g/telemetry", false, """{"ts":1000,"points":[{"tag":"A","v":1,"ts":1500}]}"""u8),
            ]);

            var file = RecordingFormat.Read(path);

            Assert.Equal("mon/v1", file.TopicRoot);
            Assert.Equal(2, file.Messages.Count);
            Assert.True(file.Messages[0].Retain);
            Assert.Equal(250, file.Messages[1].OffsetMs);
            Assert.Equal("E/g/telemetry", file.Messages[1].Topic);
            Assert.Equal((1000L, 1500L), RecordingFormat.TimestampRange(file.Messages));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Read_NotARecording_ErrorNamesFileAndLine()
    {
        var path = Path.Combine(Path.GetTempPath(), $"sim-rec-{Guid.NewGuid():N}.jsonl");
        try
        {
            File.WriteAllLines(path, [RecordingFormat.Header("mon/v1", 1), "{broken"]);

            var ex = Assert.Throws<InvalidDataException>(() => RecordingFormat.Read(path));

            Assert.StartsWith($"{path}(2): not a recorded message", ex.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}

using Monitoring.Ingestion.Mqtt;
using MQTTnet;
using MQTTnet.Formatter;

namespace Monitoring.Ingestion.Tests.Mqtt;

public sealed class MqttClientOptionsTests
{
    [Fact]
    public void ClientOptions_Defaults_SocketBuffersFarAboveMqttNetsEightKiB()
    {
        // With MQTTnet's 8 KiB (the kernel makes it 16 KiB, autotuning off) a burst from Mosquitto on loopback
        // overflowed the receive buffer and delivery fell to about 18 messages/s for good (the soak stall).
        var options = MqttIngress.ClientOptions(new MqttOptions(), "svc");

        var tcp = Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions);
        Assert.Equal(4 * 1024 * 1024, tcp.BufferSize);
    }

    [Fact]
    public void ClientOptions_Configured_TakesBufferReceiveMaximumAndPersistentSession()
    {
        var options = MqttIngress.ClientOptions(new MqttOptions { SocketBufferBytes = 1 << 20, ReceiveMaximum = 5000 }, "svc-1");

        Assert.Equal(1 << 20, Assert.IsType<MqttClientTcpOptions>(options.ChannelOptions).BufferSize);
        Assert.Equal(5000, options.ReceiveMaximum);
        Assert.Equal(MqttProtocolVersion.V500, options.ProtocolVersion);
        Assert.False(options.CleanSession);
        Assert.Equal("svc-1", options.ClientId);
    }
}

using Monitoring.Testing;

namespace Monitoring.IntegrationTests.Infrastructure;

/// <summary>
/// One set of real servers for the whole assembly: a RabbitMQ start costs seconds. Tests in this
/// collection run one after another, so a fault test may stop a server without hurting others.
/// </summary>
[CollectionDefinition(Name)]
public sealed class RealServersCollection : ICollectionFixture<RealServers>
{
    public const string Name = "RealServers";
}

using WalReceiver.IntegrationTests.Fixtures;

// One cluster for the whole assembly: initdb and start cost about a second, so tests share it unless they
// need a cluster of their own (stop/kill/promote), which they make with PostgresCluster.StartAsync.
[assembly: AssemblyFixture(typeof(SharedCluster))]
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]

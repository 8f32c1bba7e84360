namespace WalReceiver.IntegrationTests.Compatibility;

/// <summary>
/// Runs its tests alone, after the parallel ones: PostgreSQL's TAP test starts clusters of its own and waits on them
/// with its own timeouts, and on two cores it should neither slow the other tests down nor be slowed by them.
/// </summary>
[CollectionDefinition(nameof(PgReceivewalTapCollection), DisableParallelization = true)]
public sealed class PgReceivewalTapCollection;

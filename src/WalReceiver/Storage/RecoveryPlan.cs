using WalReceiver.Wal;

namespace WalReceiver.Storage;

/// <summary>What <see cref="RecoveryPlanner"/> worked out for one target.</summary>
/// <param name="Reachable">Whether a recovery from the archive stops at the target: the stop is found, and every file up to it is present and verified.</param>
/// <param name="Timeline">The timeline the recovery follows (<c>recovery_target_timeline</c>).</param>
/// <param name="Start">Where replay begins: the base backup's start, or the first WAL the archive has.</param>
/// <param name="Stop">The record recovery stops at (before it, for a time target), or null when it is not in the archive.</param>
/// <param name="LastReplayed">For a time target: the last commit or abort replayed before the stop.</param>
/// <param name="NeededUpTo">The end of the WAL recovery reads to stop there (the end of the stop record), or null when not found.</param>
/// <param name="Explanation">Sentences saying where recovery stops and why, or why it cannot reach the target.</param>
/// <param name="Settings">The lines for the restored base backup's postgresql.conf (with a <c>recovery.signal</c> file).</param>
/// <param name="Files">Every file recovery will ask for, in order, with what the archive has of it.</param>
internal sealed record RecoveryPlan(bool Reachable, uint Timeline, Lsn Start, RecoveryTargetEvent? Stop, RecoveryTargetEvent? LastReplayed,
    Lsn? NeededUpTo, IReadOnlyList<string> Explanation, IReadOnlyList<string> Settings, IReadOnlyList<PlannedFile> Files);

using System.Runtime.CompilerServices;
using WalReceiver.Replication;
using WalReceiver.Tests.Wal;
using WalReceiver.Wal;

namespace WalReceiver.Tests.Hosting;

/// <summary>A server in memory: serves given WAL bytes from a start LSN in fixed-size messages, then idles.</summary>
internal sealed class FakeWalSource(byte[] wal, Lsn walStart, int messageSize, ServerIdentity identity, bool endStream = false,
    TimeSpan? pacing = null, ulong serverAhead = 0, Exception? failAfterServing = null) : IWalSource
{
    private readonly List<Lsn> _statusUpdates = [];

    public ServerIdentity Identity { get; } = identity;

    public Lsn ReportedFlush { get; set; }

    /// <summary>If valid, serving stops before the message that would start here until <see cref="Release"/> completes.</summary>
    public Lsn HoldAt { get; init; } = Lsn.Invalid;

    /// <summary>Completes when serving reached <see cref="HoldAt"/>: every message before it was taken by the receiver.</summary>
    public TaskCompletionSource Holding { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Complete it to serve the messages from <see cref="HoldAt"/> on.</summary>
    public TaskCompletionSource Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Lsn ServerWalEnd => walStart + (ulong)wal.Length + serverAhead;

    public IReadOnlyList<Lsn> StatusUpdates
    {
        get
        {
            lock (_statusUpdates)
                return [.. _statusUpdates];
        }
    }

    public static ServerIdentity MakeIdentity(string syncCommit = "on", string syncNames = "") =>
        new(WalBuilder.SystemId, 1, Lsn.Parse("0/100000"), new Version(15, 0), new WalSegmentSize(1 << 20), "0700", TimeSpan.FromSeconds(60),
            syncCommit, syncNames, "walreceiver");

    public Task<ReplicationSlotInfo?> ReadSlotAsync(string slot, CancellationToken cancellationToken) =>
        Task.FromResult<ReplicationSlotInfo?>(new ReplicationSlotInfo(slot, walStart, 1));

    public Task CreateSlotAsync(string slot, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<byte[]> TimelineHistoryAsync(uint timeline, CancellationToken cancellationToken) =>
        throw new InvalidOperationException("the fake server is on timeline 1, which has no history");

    public async IAsyncEnumerable<WalChunk> StreamAsync(string? slot, Lsn start, uint timeline, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var offset = (int)(start.Value - walStart.Value); offset < wal.Length; offset += messageSize)
        {
            if (pacing is { } delay)
                await Task.Delay(delay, cancellationToken);
            if (walStart + (ulong)offset == HoldAt)
            {
                Holding.TrySetResult();
                await Release.Task.WaitAsync(cancellationToken);
            }

            yield return new WalChunk(walStart + (ulong)offset, wal.AsMemory(offset, Math.Min(messageSize, wal.Length - offset)));
        }

        if (failAfterServing is not null)
            throw failAfterServing;
        if (endStream)
            yield break;
        await Task.Delay(Timeout.Infinite, cancellationToken);
    }

    public Task SendStatusUpdateAsync(CancellationToken cancellationToken)
    {
        lock (_statusUpdates)
            _statusUpdates.Add(ReportedFlush);
        return Task.CompletedTask;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}

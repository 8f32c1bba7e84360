using WalReceiver.IntegrationTests.Cli;
using WalReceiver.IntegrationTests.Fixtures;
using WalReceiver.IntegrationTests.Streaming;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>
/// An archive written by the real receiver (1 MB segments, several complete ones and the newest as .partial), kept
/// pristine for copies that tests damage; and a complete segment of a second cluster, to plant as a foreign file.
/// </summary>
public sealed class ReceivedArchive : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);
    private readonly string _pristine = Path.Combine(Path.GetTempPath(), "walreceiver-verify-" + Guid.NewGuid().ToString("N")[..8]);
    private string? _missingPrerequisite;
    private Exception? _failure;
    private byte[]? _foreign;

    /// <summary>The segment size of both clusters.</summary>
    public static WalSegmentSize SegmentSize { get; } = new(1 << 20);

    /// <summary>A complete segment of another cluster.</summary>
    public byte[] ForeignSegment => Ready(_foreign!);

    /// <summary>A fresh copy of the archive, deleted when the returned object is disposed.</summary>
    public ArchiveCopy Copy()
    {
        Ready(_pristine);
        var copy = new ArchiveCopy(CliTestSupport.CreateDirectory(Path.GetTempPath(), "walreceiver-verify-copy"));
        foreach (var file in Directory.GetFiles(_pristine))
            File.Copy(file, Path.Combine(copy.Directory, Path.GetFileName(file)));
        return copy;
    }

    /// <inheritdoc/>
    public async ValueTask InitializeAsync()
    {
        var options = new PostgresClusterOptions(WalSegmentSizeMb: 1);
        _missingPrerequisite = PostgresCluster.FindMissingPrerequisite(options);
        if (_missingPrerequisite is not null)
            return;
        try
        {
            await using (var cluster = await TestClusters.StartAsync(options))
            {
                await using var run = await ArchiveRun.StartAsync(cluster, "verify");
                await using (var receiver = run.StartReceiver())
                {
                    await receiver.WaitForStderrAsync("starting log streaming", Timeout);
                    await cluster.GenerateWalAsync(20_000);
                    await cluster.ExecuteAsync("select pg_logical_emit_message(false, 'verify', repeat('y', 200000))");
                    await cluster.GenerateWalAsync(20_000);
                    var end = await cluster.GenerateWalAsync(1_000, switchWal: false);
                    await run.WaitForFlushAsync(end, Timeout);
                    receiver.Signal(PosixSignal.Terminate);
                    if (await receiver.WaitForExitAsync(Timeout) != 0)
                        throw new InvalidOperationException($"the receiver failed: {receiver.Stderr}");
                }

                Directory.CreateDirectory(_pristine);
                foreach (var file in Directory.GetFiles(run.Directory))
                    File.Copy(file, Path.Combine(_pristine, Path.GetFileName(file)));
            }

            await using var other = await TestClusters.StartAsync(options);
            var next = await other.GenerateWalAsync(1_000);
            _foreign = await other.ReadWalFileAsync(WalFileName.Format(1, SegmentSize.SegmentOf(next) - 1, SegmentSize));
        }
#pragma warning disable CA1031 // Thrown here it would fail every test at once without saying which; each test rethrows it.
        catch (Exception e)
#pragma warning restore CA1031
        {
            _failure = e;
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        CliTestSupport.DeleteDirectory(_pristine);
        return ValueTask.CompletedTask;
    }

    private T Ready<T>(T value)
    {
        Prerequisites.Require(_missingPrerequisite is null, _missingPrerequisite ?? string.Empty);
        return _failure is null ? value : throw new InvalidOperationException("The archive for the verify tests could not be made.", _failure);
    }
}

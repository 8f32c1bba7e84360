using System.Buffers.Binary;

namespace WalReceiver.IntegrationTests.Cli;

/// <summary>
/// A signal during <c>walreceiver restore</c> (PostgreSQL's shutdown sends SIGTERM to restore_command too) leaves no
/// temporary file and ends with the signal's code, even while a read of the archive hangs.
/// </summary>
public sealed class RestoreSignalTests
{
    private const string Name = "000000010000000000000003";

    [Fact]
    public async Task Sigterm_while_a_read_hangs_removes_the_temporary_file_and_exits_143()
    {
        var ct = TestContext.Current.CancellationToken;
        var root = Directory.CreateTempSubdirectory("walreceiver-restore-signal-").FullName;
        try
        {
            var archive = Directory.CreateDirectory(Path.Combine(root, "archive")).FullName;
            var data = Directory.CreateDirectory(Path.Combine(root, "pg_wal")).FullName;
            // A FIFO stands in for a file on a file system that stopped answering: reads block once the header is read.
            var fifo = Path.Combine(archive, Name);
            await ProcessRunner.RunAsync("mkfifo", [fifo], asServerAccount: false, ct);
            await using var restore = ReceiverProcess.Start(["restore", "-D", archive, Name, Path.Combine(data, "RECOVERYXLOG")]);
            await using var writer = new FileStream(fifo, FileMode.Open, FileAccess.Write); // returns once the restore opened it
            await writer.WriteAsync(SegmentStart(), ct);
            await writer.FlushAsync(ct);

            await WaitUntilAsync(() => Directory.GetFiles(data).Length == 1, "the temporary file");
            Assert.EndsWith(".tmp", Assert.Single(Directory.GetFiles(data)), StringComparison.Ordinal);
            restore.Signal(PosixSignal.Terminate);

            Assert.Equal(143, await restore.WaitForExitAsync(TimeSpan.FromSeconds(20)));
            Assert.Empty(Directory.GetFiles(data));
        }
        finally
        {
            CliTestSupport.DeleteDirectory(root);
        }
    }

    // The first 64 KB of segment 3 of a 1 MB-segment cluster: a long page header, then zeros.
    private static byte[] SegmentStart()
    {
        var bytes = new byte[64 * 1024];
        BinaryPrimitives.WriteUInt16LittleEndian(bytes, 0xD110);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(2), 0x0002);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(4), 1);
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(8), 3UL << 20);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(32), 1 << 20);
        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(36), 8192);
        return bytes;
    }

    private static Task WaitUntilAsync(Func<bool> condition, string what) =>
        CliTestSupport.WaitUntilAsync(() => Task.FromResult(condition()), TimeSpan.FromSeconds(20), () => what);
}

using System.Buffers.Binary;
using WalReceiver.IntegrationTests.Cli;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Verification;

/// <summary>One test's copy of <see cref="ReceivedArchive"/>: its files, and running <c>walreceiver verify</c> on it.</summary>
public sealed class ArchiveCopy(string directory) : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);

    public string Directory { get; } = directory;

    /// <summary>The complete segments, in order.</summary>
    public List<string> CompleteSegments() => [.. System.IO.Directory.GetFiles(Directory).Select(Path.GetFileName).OfType<string>()
        .Where(n => n.Length == WalFileName.Length && WalFileName.IsUpperHex(n)).Order(StringComparer.Ordinal)];

    public string PathOf(string name) => Path.Combine(Directory, name);

    /// <summary>The first LSN of the segment file <paramref name="name"/>.</summary>
    public static Lsn StartOf(string name)
    {
        WalFileName.TryParse(name.AsSpan(0, WalFileName.Length), ReceivedArchive.SegmentSize, out _, out var segment);
        return ReceivedArchive.SegmentSize.StartOfSegment(segment);
    }

    /// <summary>The system identifier in the long header of <paramref name="name"/>.</summary>
    public ulong SystemIdOf(string name) => BinaryPrimitives.ReadUInt64LittleEndian(File.ReadAllBytes(PathOf(name)).AsSpan(24));

    /// <summary>Runs <c>walreceiver verify -D</c> on the copy.</summary>
    public async Task<(int ExitCode, string Stdout, string Stderr)> VerifyAsync(params string[] extra)
    {
        await using var p = ReceiverProcess.Start(["verify", "-D", Directory, .. extra]);
        var code = await p.WaitForExitAsync(Timeout);
        return (code, p.Stdout, p.Stderr);
    }

    public void Dispose() => CliTestSupport.DeleteDirectory(Directory);
}

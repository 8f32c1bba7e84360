using System.Security.Cryptography;
using WalReceiver.Storage;
using WalReceiver.Wal;

namespace WalReceiver.IntegrationTests.Streaming;

/// <summary>The strongest assertion we have: the archive holds the server's own bytes, with no gap.</summary>
public static class ArchiveAssert
{
    /// <summary>
    /// Every complete segment equals the server's <c>pg_wal</c> file byte for byte (after decompression, for a
    /// compressed one), every <c>.partial</c> equals the server's file up to where its data ends (a clean stop pads a
    /// plain one with zeros to the segment size, as pg_receivewal leaves it), segment numbers are consecutive (per
    /// timeline), and, where the archive has a checksum manifest, every complete file matches its line. Returns the
    /// complete count.
    /// The caller must keep the server from recycling the segments (a second slot that reserves WAL does that).
    /// </summary>
    public static async Task<int> MatchesServerAsync(PostgresCluster cluster, string directory, int minimumComplete = 1)
    {
        var size = new WalSegmentSize(cluster.WalSegmentSize);
        var files = Directory.GetFiles(directory).Select(Path.GetFileName).OfType<string>()
            .Where(n => n.Length >= WalFileName.Length && WalFileName.TryParse(n.AsSpan(0, WalFileName.Length), size, out _, out _))
            .Order(StringComparer.Ordinal).ToList();
        var complete = 0;
        ulong? previous = null;
        var manifest = ArchiveManifest.Read(directory);
        foreach (var name in files)
        {
            var stem = name[..WalFileName.Length];
            WalFileName.TryParse(stem, size, out _, out var segment);
            if (previous is { } p)
                Assert.True(segment == p + 1 || segment == p, $"gap in the archive before {name}");
            previous = segment;
            var ours = await ReadDecompressedAsync(Path.Combine(directory, name));
            var server = await ReadServerCopyAsync(cluster, stem);
            if (name.EndsWith(".partial", StringComparison.Ordinal))
            {
                Assert.True(ours.Length <= server.Length, $"{name} is longer than the server's segment");
                var data = ours.AsSpan().LastIndexOfAnyExcept((byte)0) + 1; // the zeros after it are padding
                Assert.True(server.AsSpan(0, data).SequenceEqual(ours.AsSpan(0, data)), $"{name} differs from the server's bytes");
            }
            else
            {
                Assert.Equal(size.Bytes, ours.Length);
                Assert.True(server.AsSpan().SequenceEqual(ours), $"{name} differs from the server's pg_wal/{stem}");
                if (manifest is not null)
                {
                    Assert.True(manifest.TryGetValue(name, out var recorded), $"{name} is not in {ArchiveManifest.FileName}");
                    var actual = Convert.ToHexStringLower(SHA256.HashData(await File.ReadAllBytesAsync(Path.Combine(directory, name))));
                    Assert.Equal(recorded, actual);
                }

                complete++;
            }
        }

        Assert.True(complete >= minimumComplete, $"expected at least {minimumComplete} complete segments, found {complete}: {string.Join(", ", files)}");
        // What pg_waldump reads in those segments, inspect lists too: so every segment the suite archives checks inspect.
        await Verification.WaldumpAgreement.AssertAsync(directory, CancellationToken.None);
        return complete;
    }

    /// <summary>The WAL bytes of an archive file, decompressed according to its name (with the library's reader).</summary>
    public static async Task<byte[]> ReadDecompressedAsync(string path)
    {
        await using var stream = CompressedWal.OpenRead(path);
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    // A promoted server keeps the old timeline's last segment as NAME.partial in pg_wal.
    private static async Task<byte[]> ReadServerCopyAsync(PostgresCluster cluster, string stem)
    {
        var names = await cluster.ListWalFilesAsync();
        return await cluster.ReadWalFileAsync(names.Contains(stem) ? stem : stem + ".partial");
    }
}

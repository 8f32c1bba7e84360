using System.Security.Cryptography;
using WalReceiver.Storage;

namespace WalReceiver.Tests.Storage;

public sealed class SegmentHasherTests
{
    [Fact]
    public void Hash_of_a_file_written_in_pieces_equals_the_hash_of_its_bytes()
    {
        using var dir = new TempDirectory();
        var bytes = new byte[3_000_000];
        new Random(5).NextBytes(bytes);
        using var hasher = new SegmentHasher();
        using var file = File.OpenHandle(dir.File("a"), FileMode.CreateNew, FileAccess.ReadWrite);
        hasher.Begin(file);
        for (var offset = 0; offset < bytes.Length; offset += 70_001)
        {
            var n = Math.Min(70_001, bytes.Length - offset);
            RandomAccess.Write(file, bytes.AsSpan(offset, n), offset);
            hasher.Advance(offset + n);
        }

        Assert.Equal(SHA256.HashData(bytes), hasher.Complete(bytes.Length));
    }

    [Fact]
    public void An_abandoned_file_does_not_leak_into_the_next_hash()
    {
        using var dir = new TempDirectory();
        var first = new byte[2_500_000];
        var second = new byte[1_000_000];
        new Random(6).NextBytes(first);
        new Random(7).NextBytes(second);
        using var hasher = new SegmentHasher();
        using (var a = File.OpenHandle(dir.File("a"), FileMode.CreateNew, FileAccess.ReadWrite))
        {
            hasher.Begin(a);
            RandomAccess.Write(a, first, 0);
            hasher.Advance(first.Length);
            hasher.Abandon();
        }

        using var b = File.OpenHandle(dir.File("b"), FileMode.CreateNew, FileAccess.ReadWrite);
        hasher.Begin(b);
        RandomAccess.Write(b, second, 0);
        hasher.Advance(second.Length);
        Assert.Equal(SHA256.HashData(second), hasher.Complete(second.Length));
    }

    [Fact]
    public void A_file_shorter_than_what_was_written_fails_the_hash()
    {
        using var dir = new TempDirectory();
        using var hasher = new SegmentHasher();
        using var file = File.OpenHandle(dir.File("a"), FileMode.CreateNew, FileAccess.ReadWrite);
        hasher.Begin(file);
        RandomAccess.Write(file, new byte[1000], 0);
        var e = Assert.Throws<IOException>(() => hasher.Complete(5000));
        Assert.Contains("shorter", e.Message, StringComparison.Ordinal);
    }
}

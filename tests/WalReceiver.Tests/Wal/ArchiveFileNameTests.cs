using WalReceiver.Wal;

namespace WalReceiver.Tests.Wal;

public sealed class ArchiveFileNameTests
{
    [Theory]
    [InlineData("000000010000000000000001", nameof(ArchiveFileKind.Segment))]
    [InlineData("0000000A00000003000000FF", nameof(ArchiveFileKind.Segment))]
    [InlineData("00000002.history", nameof(ArchiveFileKind.TimelineHistory))]
    [InlineData("0000001F.history", nameof(ArchiveFileKind.TimelineHistory))]
    [InlineData("000000010000000000000002.00000028.backup", nameof(ArchiveFileKind.BackupHistory))]
    public void Names_recovery_asks_for_are_recognized(string name, string kind)
    {
        // The kind travels by name: the enum is internal, and a public test method cannot take it.
        Assert.True(ArchiveFileName.TryClassify(name, out var actual));
        Assert.Equal(Enum.Parse<ArchiveFileKind>(kind), actual);
    }

    [Theory]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("../x")]
    [InlineData("/etc/passwd")]
    [InlineData("000000010000000000000001/..")]
    [InlineData("../000000010000000000000001")]
    [InlineData("./000000010000000000000001")]
    [InlineData("00000001000000000000000a")]
    [InlineData("0000000100000000000000010")]
    [InlineData("00000001000000000000001")]
    [InlineData("000000000000000000000001")]
    [InlineData("000000010000000000000001.partial")]
    [InlineData("000000010000000000000001.zst")]
    [InlineData("00000001.history.tmp")]
    [InlineData("00000000.history")]
    [InlineData("0000000a.history")]
    [InlineData("00000002.HISTORY")]
    [InlineData("000000010000000000000002.0000002g.backup")]
    [InlineData("000000010000000000000002.00000028.backup.tmp")]
    [InlineData("000000010000000000000002.backup")]
    [InlineData("RECOVERYXLOG")]
    [InlineData("00000001000000000000000\u0661")]
    [InlineData(" 000000010000000000000001")]
    public void Anything_else_is_refused(string? name) => Assert.False(ArchiveFileName.TryClassify(name, out _));
}

using WalReceiver.Cli;
using WalReceiver.Cli.Commands.Restore;
using WalReceiver.Storage;
using WalReceiver.Tests.Storage;

namespace WalReceiver.Tests.Cli;

/// <summary>
/// The restore verb's exit codes, as PostgreSQL reads them: 0 restored, 1 "not in the archive" (the end of recovery), and
/// 255 for anything else, which stops recovery instead of letting it end early.
/// </summary>
public sealed class RestoreCommandTests : IDisposable
{
    private const string Name = "000000010000000000000003";

    private readonly TempDirectory _archive = new();
    private readonly TempDirectory _data = new();
    private readonly StringWriter _error = new();

    private string Destination => _data.File("RECOVERYXLOG");

    public void Dispose()
    {
        _archive.Dispose();
        _data.Dispose();
        _error.Dispose();
    }

    [Fact]
    public void A_restored_file_exits_0_silently()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name));

        Assert.Equal(0, Run(Name));
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public void A_restored_file_is_named_with_verbose()
    {
        File.WriteAllBytes(_archive.File(Name + ".gz"), TestSegments.Compress(TestSegments.Segment(Name), CompressionAlgorithm.Gzip));

        Assert.Equal(0, Run(Name, verbose: true));
        Assert.Contains($"restored \"{Name}\" from \"{Name}.gz\"", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_not_in_the_archive_exits_1_without_a_word()
    {
        Assert.Equal(1, Run("00000002.history"));
        Assert.Equal("", _error.ToString());
    }

    [Fact]
    public void A_partial_left_unserved_is_mentioned_in_one_line()
    {
        File.WriteAllBytes(_archive.File(Name + ".partial"), TestSegments.Segment(Name, 8192));

        Assert.Equal(1, Run(Name));
        Assert.Equal($"walreceiver: \"{Name}\" is not in the archive; \"{Name}.partial\" is, but only --partial serves it\n",
            _error.ToString().ReplaceLineEndings("\n"));
        Assert.Equal(0, Run(Name, partial: true));
    }

    [Fact]
    public void A_damaged_file_exits_255_with_an_error()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name, 4096));

        Assert.Equal(255, Run(Name));
        Assert.StartsWith("walreceiver: error: archive file", _error.ToString(), StringComparison.Ordinal);
        Assert.False(File.Exists(Destination));
    }

    [Theory]
    [InlineData("../000000010000000000000003")]
    [InlineData("/etc/passwd")]
    [InlineData("00000001.history.tmp")]
    public void A_bad_file_name_exits_255(string name)
    {
        Assert.Equal(255, Run(name));
        Assert.Contains("is not a WAL segment, timeline history or backup history file name", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_archive_directory_exits_255()
    {
        Assert.Equal(255, RestoreCommand.Run(Path.Combine(_archive.Path, "gone"), Name, Destination, false, false, FileSync.Disk, _error,
            CancellationToken.None));
        Assert.Contains("does not exist", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_failed_write_exits_255()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name));

        Assert.Equal(255, RestoreCommand.Run(_archive.Path, Name, Destination, false, false, new FailingFileSync(fileSyncsBeforeFailing: 0),
            _error, CancellationToken.None));
        Assert.Empty(Directory.GetFiles(_data.Path));
    }

    [Theory]
    [InlineData("restore")]
    [InlineData("restore", "-D")]
    [InlineData("restore", "-D", "/tmp", Name)]
    [InlineData("restore", "-D", "/tmp", "--no-such-option", Name, "pg_wal/RECOVERYXLOG")]
    [InlineData("restore", Name, "pg_wal/RECOVERYXLOG")]
    public async Task A_wrong_restore_command_line_exits_255_not_2(params string[] args)
    {
        // 2 would read as "not in the archive": recovery would end and the server promote on a typo in restore_command.
        using var output = new StringWriter();
        Assert.Equal(255, await CliRoot.InvokeAsync(args, output, _error));
        Assert.Contains("walreceiver restore --help", _error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Other_verbs_keep_exit_2_for_usage_errors()
    {
        using var output = new StringWriter();
        Assert.Equal(2, await CliRoot.InvokeAsync(["receive", "--no-such-option"], output, _error));
    }

    [Fact]
    public async Task The_full_command_line_restores_the_file()
    {
        File.WriteAllBytes(_archive.File(Name), TestSegments.Segment(Name));
        using var output = new StringWriter();

        Assert.Equal(0, await CliRoot.InvokeAsync(["restore", "-D", _archive.Path, "--partial", Name, Destination], output, _error));
        Assert.True(File.Exists(Destination));
    }

    private int Run(string name, bool partial = false, bool verbose = false) =>
        RestoreCommand.Run(_archive.Path, name, Destination, partial, verbose, FileSync.Disk, _error, CancellationToken.None);
}

using WalReceiver.IntegrationTests.Cli;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// A copy of the built CLI that the server's OS account can execute, for <c>restore_command</c>. The build output lives
/// under the checkout, which may sit in a directory only its owner can enter (a CI runner's temporary clone is 0700), so
/// the tests copy it once per run to a world-readable temporary directory.
/// </summary>
public static class ServerReachableCli
{
    private static readonly Lazy<string> Copy = new(CopyBuild, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path of the executable; another build named by WALRECEIVER_TEST_EXECUTABLE is used as it is.</summary>
    public static string Executable =>
        Environment.GetEnvironmentVariable("WALRECEIVER_TEST_EXECUTABLE") is { Length: > 0 } other ? other : Copy.Value;

    private static string CopyBuild()
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Traversable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var source = Path.GetDirectoryName(ReceiverProcess.Executable)!;
        var target = Path.Combine(Path.GetTempPath(), $"walreceiver-cli-{Environment.ProcessId}");
        foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories).Prepend(source))
            Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)), Traversable);
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0 ? Traversable : Readable);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => CliTestSupport.DeleteDirectory(target);
        return Path.Combine(target, Path.GetFileName(ReceiverProcess.Executable));
    }
}

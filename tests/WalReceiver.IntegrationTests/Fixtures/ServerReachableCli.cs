using WalReceiver.IntegrationTests.Cli;

namespace WalReceiver.IntegrationTests.Fixtures;

/// <summary>
/// A copy of the CLI under test that the server's OS account can execute, for <c>restore_command</c>. The build output
/// (or the Native AOT file scripts/publish.sh writes) lives under the checkout, which may sit in a directory only its
/// owner can enter (a CI runner's temporary clone is 0700), so the tests copy it once per run to a world-readable
/// temporary directory: a framework-dependent build with the files beside it, a single file alone.
/// </summary>
public static class ServerReachableCli
{
    private static readonly Lazy<string> Copy = new(CopyBuild, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>The path of the copy of <see cref="ReceiverProcess.Executable"/> (which WALRECEIVER_TEST_EXECUTABLE may name).</summary>
    public static string Executable => Copy.Value;

    private static string CopyBuild()
    {
        const UnixFileMode Readable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        const UnixFileMode Traversable = Readable | UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute;
        var executable = Path.GetFullPath(ReceiverProcess.Executable);
        var source = Path.GetDirectoryName(executable)!;
        var target = Path.Combine(Path.GetTempPath(), $"walreceiver-cli-{Environment.ProcessId}");
        Directory.CreateDirectory(target, Traversable);
        void CopyFile(string file)
        {
            var copy = Path.Combine(target, Path.GetRelativePath(source, file));
            File.Copy(file, copy, overwrite: true);
            File.SetUnixFileMode(copy, (File.GetUnixFileMode(file) & UnixFileMode.UserExecute) != 0 ? Traversable : Readable);
        }

        // An apphost needs its walreceiver.dll and the rest of the build beside it; a single file (Native AOT, another
        // release's binary in /usr/local/bin) is copied alone, not with whatever shares its directory.
        if (!File.Exists(Path.ChangeExtension(executable, ".dll")))
        {
            CopyFile(executable);
        }
        else
        {
            foreach (var directory in Directory.EnumerateDirectories(source, "*", SearchOption.AllDirectories))
                Directory.CreateDirectory(Path.Combine(target, Path.GetRelativePath(source, directory)), Traversable);
            foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
                CopyFile(file);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => CliTestSupport.DeleteDirectory(target);
        return Path.Combine(target, Path.GetFileName(executable));
    }
}

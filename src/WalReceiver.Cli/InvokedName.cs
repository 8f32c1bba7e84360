using System.Text;

namespace WalReceiver.Cli;

/// <summary>The file name the program was started under (argv[0]), which picks the pg_receivewal persona.</summary>
internal static class InvokedName
{
    private const string KernelCommandLine = "/proc/self/cmdline";

    /// <summary>The name of the current process's argv[0], without its directory.</summary>
    public static string Current() => FromArgv0(ReadArgv0());

    /// <summary>The file-name part of <paramref name="argv0"/> (<c>/usr/local/bin/pg_receivewal</c> gives <c>pg_receivewal</c>).</summary>
    public static string FromArgv0(string? argv0) => string.IsNullOrEmpty(argv0) ? "" : Path.GetFileName(argv0);

    private static string? ReadArgv0()
    {
        // Neither .NET view keeps the name a symlink gave: for an apphost Environment.GetCommandLineArgs()[0] is the
        // managed entry assembly (walreceiver.dll), and Environment.ProcessPath resolves symlinks (checked with .NET 10).
        // The kernel's copy of argv is the truth on Linux; elsewhere (native AOT, other systems) .NET's argv[0] is all there is.
        try
        {
            var bytes = File.ReadAllBytes(KernelCommandLine);
            var end = Array.IndexOf(bytes, (byte)0);
            return Encoding.UTF8.GetString(bytes, 0, end < 0 ? bytes.Length : end);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Environment.GetCommandLineArgs()[0];
        }
    }
}

namespace WalReceiver.Cli;

/// <summary>Where socket completions run for a verb that streams one connection and serves nothing else.</summary>
/// <remarks>
/// <para>By default .NET hands every socket completion from its epoll thread to the thread pool: a second thread wakes for
/// each batch of WAL, and idle pool threads spin before they sleep. As a synchronous standby that is the receiver's
/// largest cost. Run inline, the streaming loop continues on the epoll thread itself. On this project's 2-core benchmark
/// machine (pgbench, 8 clients, the JIT build as the synchronous standby) the receiver's CPU per 1000 commits went from
/// 9.7 clock ticks to 5.7 with the thread pool's spinning off, and to 3.9 with inline completions; pg_receivewal's is
/// 2.3.</para>
/// <para>Only for <c>receive</c> (and pg_receivewal): it has one socket, so the loop holding the epoll thread during an
/// fsync delays nothing but its own next read. The daemon (<c>run</c>) serves HTTP and several sources and keeps the
/// default. The runtime reads the setting once, when the first socket is made, so it is set before anything connects;
/// a value the user set is left alone.</para>
/// </remarks>
internal static class SocketCompletions
{
    private const string Variable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";

    /// <summary>Runs completions inline when the command line is <c>receive</c> or the program is pg_receivewal.</summary>
    public static void InlineForSingleStream(string[] args, bool pgReceivewal)
    {
        if (!pgReceivewal && (args.Length == 0 || args[0] != "receive"))
            return;
        if (Environment.GetEnvironmentVariable(Variable) is null)
            Environment.SetEnvironmentVariable(Variable, "1");
    }
}

using WalReceiver.Cli;
using WalReceiver.Cli.Commands.PgReceivewal;

// Started through a symlink named pg_receivewal, the program is the receive verb speaking as pg_receivewal.
var pgReceivewal = InvokedName.Current() == PgReceivewalCommand.Name;
SocketCompletions.InlineForSingleStream(args, pgReceivewal);
return pgReceivewal
    ? await PgReceivewalCommand.InvokeAsync(args, Console.Out, Console.Error)
    : await CliRoot.InvokeAsync(args, Console.Out, Console.Error);

using WalReceiver.Cli;
using WalReceiver.Cli.Commands.PgReceivewal;

// Started through a symlink named pg_receivewal, the program is the receive verb speaking as pg_receivewal.
return InvokedName.Current() == PgReceivewalCommand.Name
    ? await PgReceivewalCommand.InvokeAsync(args, Console.Out, Console.Error)
    : await CliRoot.InvokeAsync(args, Console.Out, Console.Error);

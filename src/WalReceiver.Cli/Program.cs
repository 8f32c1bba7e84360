using WalReceiver.Cli;

return await CliRoot.InvokeAsync(args, Console.Out, Console.Error);

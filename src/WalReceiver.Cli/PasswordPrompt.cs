using System.Text;

namespace WalReceiver.Cli;

/// <summary><c>-W</c>: asks for the password on the terminal without echoing it.</summary>
internal static class PasswordPrompt
{
    /// <summary>Prompts on <paramref name="error"/> and reads a line from the console with echo off.</summary>
    public static string Read(TextWriter error)
    {
        error.Write("Password: ");
        error.Flush();
        if (Console.IsInputRedirected)
            return Console.ReadLine() ?? "";
        var password = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
                break;
            if (key.Key == ConsoleKey.Backspace)
            {
                if (password.Length > 0)
                    password.Length--;
            }
            else if (key.KeyChar != '\0')
            {
                password.Append(key.KeyChar);
            }
        }

        error.WriteLine();
        return password.ToString();
    }
}

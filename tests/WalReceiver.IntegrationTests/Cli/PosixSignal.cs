namespace WalReceiver.IntegrationTests.Cli;

/// <summary>Signal numbers on Linux.</summary>
public static class PosixSignal
{
    public const int Interrupt = 2;
    public const int Kill = 9;
    public const int Terminate = 15;
}

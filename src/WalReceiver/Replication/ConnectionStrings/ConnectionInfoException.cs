namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// A connection string, connection option or libpq environment variable that cannot be used. The message names the
/// offending option and how to fix it, and never contains a password.
/// </summary>
internal sealed class ConnectionInfoException : FormatException
{
    /// <summary>Creates the exception with a generic message.</summary>
    public ConnectionInfoException()
        : base("invalid connection string")
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do; must not contain a password.</param>
    public ConnectionInfoException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong and what to do; must not contain a password.</param>
    /// <param name="innerException">The failure that caused this one.</param>
    public ConnectionInfoException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

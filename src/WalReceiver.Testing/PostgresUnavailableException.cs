namespace WalReceiver.Testing;

/// <summary>
/// Thrown by <see cref="PostgresCluster.StartAsync"/> when this machine has neither PostgreSQL's server binaries nor a
/// Docker engine, so no cluster can be had. The message says what to install.
/// </summary>
/// <remarks>
/// A distinct type so a test framework can turn it into a skip where that is wanted, for example xunit v3's
/// <c>[Fact(SkipExceptions = [typeof(PostgresUnavailableException)])]</c>, while every other start failure stays a
/// failure. In CI a skip hides a broken set-up, so a suite may prefer to let it fail there.
/// </remarks>
public sealed class PostgresUnavailableException : Exception
{
    /// <summary>Creates the exception with a message naming what is missing.</summary>
    public PostgresUnavailableException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a message and the failure that revealed it.</summary>
    public PostgresUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception with a generic message.</summary>
    public PostgresUnavailableException()
        : base("No PostgreSQL cluster can be started here: install PostgreSQL's server binaries or start a Docker engine.")
    {
    }
}

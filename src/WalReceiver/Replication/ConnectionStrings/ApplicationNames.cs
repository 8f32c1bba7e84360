namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// The application name the archiver announces when neither the connection string nor <c>PGAPPNAME</c> gives one: what
/// <c>pg_stat_replication</c> shows and what <c>synchronous_standby_names</c> must list.
/// </summary>
internal static class ApplicationNames
{
    /// <summary>The name of <c>walreceiver receive</c> (and <c>status</c>).</summary>
    public const string Default = "walreceiver";

    /// <summary>The name of a daemon source: one per source, so each can be named in <c>synchronous_standby_names</c>.</summary>
    public static string ForSource(string source) => Default + "_" + source;
}

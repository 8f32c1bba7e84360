using System.Globalization;
using System.Text;

namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>
/// The connection inputs as the command line gave them, before libpq's precedence rules are applied
/// (see <see cref="ReplicationConnectionString.Build(ConnectionSettings, Func{string, string?})"/>).
/// </summary>
/// <param name="ConnInfo">The <c>-d/--dbname</c> value: a libpq keyword/value string, a URI, or a bare database name.</param>
/// <param name="Host">The <c>-h/--host</c> value (a host name, socket directory, or comma-separated list).</param>
/// <param name="Port">The <c>-p/--port</c> value (a port number or comma-separated list).</param>
/// <param name="User">The <c>-U/--username</c> value.</param>
/// <param name="Password">A password the caller already has (for example typed at a <c>-W</c> prompt); it wins over all others.</param>
/// <param name="NoPassword"><c>-w/--no-password</c>: the caller must never prompt; it does not change the connection string.</param>
/// <param name="DefaultApplicationName">The application name used when neither the connection string nor PGAPPNAME gives one.</param>
internal sealed record ConnectionSettings(
    string? ConnInfo,
    string? Host,
    string? Port,
    string? User,
    string? Password,
    bool NoPassword,
    string DefaultApplicationName = ApplicationNames.Default)
{
    // The generated ToString would print the password into any log line that formats these settings.
    private bool PrintMembers(StringBuilder builder)
    {
        builder.Append(CultureInfo.InvariantCulture,
            $"ConnInfo = {(ConnInfo is null ? "null" : "(hidden)")}, Host = {Host}, Port = {Port}, User = {User}, ");
        builder.Append(CultureInfo.InvariantCulture,
            $"Password = {(Password is null ? "null" : "(hidden)")}, NoPassword = {NoPassword}, DefaultApplicationName = {DefaultApplicationName}");
        return true;
    }
}

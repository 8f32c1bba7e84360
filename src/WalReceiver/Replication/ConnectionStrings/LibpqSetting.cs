namespace WalReceiver.Replication.ConnectionStrings;

/// <summary>A connection setting's value and where it came from, so an error can point at the right place.</summary>
/// <param name="Value">The value as given.</param>
/// <param name="Source">Where it was given, for messages: an option such as <c>-p/--port</c>, the connection string, or an environment variable.</param>
internal readonly record struct LibpqSetting(string Value, string Source);

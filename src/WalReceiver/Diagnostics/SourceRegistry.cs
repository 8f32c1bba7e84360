using System.Collections.Concurrent;

namespace WalReceiver.Diagnostics;

/// <summary>Every source of this process, by name: what metrics' gauges and the health endpoint read.</summary>
internal sealed class SourceRegistry(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SourceState> _sources = new(StringComparer.Ordinal);

    /// <summary>The sources, in name order.</summary>
    public IReadOnlyList<SourceState> All => [.. _sources.Values.OrderBy(s => s.Name, StringComparer.Ordinal)];

    /// <summary>The state of <paramref name="name"/>, created on first use.</summary>
    public SourceState Get(string name) => _sources.GetOrAdd(name, n => new SourceState(n, time));
}

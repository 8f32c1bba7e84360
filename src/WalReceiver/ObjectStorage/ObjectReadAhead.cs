namespace WalReceiver.ObjectStorage;

/// <summary>
/// Fetches the next few objects of a planned order while the verifier checks the current one: a GET is mostly waiting
/// for the server, and the checks must still run one file after the other (a record can cross into the next segment).
/// </summary>
/// <remarks>
/// At most <see cref="Depth"/> objects, and at most <see cref="Budget"/> bytes, are held in memory at once; an object
/// that does not fit is not fetched ahead but streamed when its turn comes, so memory stays bounded whatever the
/// segment size.
/// </remarks>
/// <param name="fetch">Reads a whole object (true) or its start (false) into memory.</param>
/// <param name="sizeOf">The size of an object read as asked.</param>
internal sealed class ObjectReadAhead(Func<string, bool, Task<FetchedObject>> fetch, Func<string, bool, long> sizeOf)
{
    /// <summary>How many objects are in flight or held: the one being checked and those after it.</summary>
    public const int Depth = 4;

    /// <summary>The most bytes held at once.</summary>
    public const long Budget = 64L << 20;

    private readonly Dictionary<string, Task<FetchedObject>> _started = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _positions = new(StringComparer.Ordinal);
    private IReadOnlyList<string> _order = [];
    private bool _whole;

    /// <summary>Plans the order in which objects will be asked for; what was fetched for an earlier plan is dropped.</summary>
    public void Plan(IReadOnlyList<string> names, bool whole)
    {
        _started.Clear();
        _positions.Clear();
        for (var i = 0; i < names.Count; i++)
            _positions[names[i]] = i;
        (_order, _whole) = (names, whole);
    }

    /// <summary>
    /// The object <paramref name="name"/>, fetched ahead (waiting for it if it is still on its way), after starting the
    /// fetch of those after it; null when it is not in the plan or too big to hold: the caller streams it.
    /// </summary>
    /// <exception cref="IOException">The object could not be read.</exception>
    public FetchedObject? Take(string name, bool whole)
    {
        if (whole != _whole || !_positions.TryGetValue(name, out var at))
            return null;
        long held = 0;
        for (var i = at; i < _order.Count && i < at + Depth; i++)
        {
            var next = _order[i];
            held += sizeOf(next, whole);
            if (held > Budget)
                break;
            if (!_started.ContainsKey(next))
                _started[next] = Task.Run(() => fetch(next, whole));
        }

        // The verifier is synchronous: it waits here, on its thread-pool thread, for a fetch that is usually done.
        return _started.Remove(name, out var task) ? task.GetAwaiter().GetResult() : null;
    }
}

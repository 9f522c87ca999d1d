using System.Collections.Immutable;

namespace PointsMall.Grains.Analytics;

/// <summary>
/// The outbox positions a grain counted lately, so that a page delivered again counts once. A last-position mark would
/// not do: the outbox order is not sequence order everywhere (PostgreSQL orders by transaction, then sequence). A crash
/// redelivers at most the page in progress, so a few thousand positions are plenty. The stored queue (oldest first) is
/// the record; the lookup set is derived from it once per activation.
/// </summary>
internal sealed class RecentPositions(int capacity)
{
    private HashSet<long>? _lookup;

    /// <summary>The stored queue with <paramref name="position"/> remembered; null when it was counted already.</summary>
    public ImmutableQueue<long>? Remember(ImmutableQueue<long> stored, long position)
    {
        _lookup ??= [.. stored];
        if (!_lookup.Add(position))
        {
            return null;
        }

        var queue = stored.Enqueue(position);
        if (_lookup.Count > capacity)
        {
            queue = queue.Dequeue(out var oldest);
            _lookup.Remove(oldest);
        }

        return queue;
    }
}

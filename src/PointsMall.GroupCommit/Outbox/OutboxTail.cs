using PointsMall.Storage;

namespace PointsMall.GroupCommit.Outbox;

// Design note — one read of the outbox for all of a silo's subscriptions.
// Each subscription reads the outbox from its own position, and most of them keep up, so without sharing every page is
// read once per subscription (mostly to be skipped). The tail keeps the events read last as one run in outbox order:
// a read from the run's end extends it, and since the store never returns an event before one committed earlier
// (IGrainStore.ReadEventsAsync), the run is exactly the outbox after its start. A reader whose position is in the run
// is served from memory; one at its end reads the store, and readers arriving while that read runs share it, but only
// if no commit of this silo has woken the readers since it began (else the shared read could miss what woke them, and
// they would sleep on it): those wait for it to end and read again. A reader behind the run reads the store alone.
// Positions are event sequences, which are not in outbox order on every store (PostgreSQL), so they are looked up in
// the run, never compared.
/// <summary>The outbox as this silo's subscriptions read it: the recent part once, from memory.</summary>
internal sealed class OutboxTail(IGrainStore store, int capacity)
{
    private readonly Lock _gate = new();
    private readonly List<StoredEvent> _run = [];

    // Sequence → absolute index (the index in _run plus _trimmed).
    private readonly Dictionary<long, long> _index = [];
    private long _trimmed;
    private long? _start;
    private Read? _reading;

    /// <summary>Store reads made (for tests).</summary>
    public long StoreReads => Interlocked.Read(ref _storeReads);

    private long _storeReads;

    /// <summary>
    /// Up to <paramref name="maxCount"/> events after <paramref name="after"/> in outbox order, as
    /// <see cref="IGrainStore.ReadEventsAsync"/> gives them. <paramref name="wakeUp"/> is the reader's wake-up signal,
    /// taken before this call: an empty answer is never older than it.
    /// </summary>
    public async Task<IReadOnlyList<StoredEvent>> ReadAsync(long after, int maxCount, Task wakeUp)
    {
        while (true)
        {
            Read? shared = null;
            Read? mine = null;
            lock (_gate)
            {
                var next = Next(after);
                if (next is { } i && i < _run.Count)
                {
                    return _run.GetRange(i, Math.Min(maxCount, _run.Count - i));
                }

                if (_start is null || next is not null)
                {
                    // At the run's end (or there is no run yet): one read for all who arrive meanwhile.
                    _start ??= after;
                    if (_reading is { } reading)
                    {
                        shared = reading;
                    }
                    else
                    {
                        mine = _reading = new Read(after, wakeUp);
                    }
                }
            }

            if (mine is not null)
            {
                return await ReadForAllAsync(mine, maxCount).ConfigureAwait(false);
            }

            if (shared is null)
            {
                // Behind the run: alone, and what reaches the run's end carries it on.
                var events = await ReadStoreAsync(after, maxCount).ConfigureAwait(false);
                lock (_gate)
                {
                    Extend(after, events);
                }

                return events;
            }

            if (shared.After == after && shared.WakeUp == wakeUp)
            {
                return await shared.Done.Task.ConfigureAwait(false);
            }

            // A read begun before this reader's last wake-up (or from a run end it has since left): wait, then look again.
            await shared.Done.Task.ContinueWith(static _ => { }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default)
                .ConfigureAwait(false);
        }
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadForAllAsync(Read read, int maxCount)
    {
        try
        {
            var events = await ReadStoreAsync(read.After, maxCount).ConfigureAwait(false);
            lock (_gate)
            {
                Extend(read.After, events);
                _reading = null;
            }

            read.Done.SetResult(events);
            return events;
        }
        catch (Exception ex)
        {
            lock (_gate)
            {
                _reading = null;
            }

            read.Done.SetException(ex);
            throw;
        }
    }

    private async Task<IReadOnlyList<StoredEvent>> ReadStoreAsync(long after, int maxCount)
    {
        Interlocked.Increment(ref _storeReads);
        return await store.ReadEventsAsync(after, maxCount, CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>Carries the run on with the events read after <paramref name="after"/>, from where they pass its end.</summary>
    private void Extend(long after, IReadOnlyList<StoredEvent> events)
    {
        var end = End;
        if (end == after)
        {
            Append(events, from: 0);
            return;
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (events[i].Sequence == end)
            {
                Append(events, from: i + 1);
                return;
            }
        }
    }

    /// <summary>The run's last position: its last event's, or its start while it is empty.</summary>
    private long? End => _run.Count > 0 ? _run[^1].Sequence : _start;

    /// <summary>The index in the run of the first event after <paramref name="after"/>; null when <paramref name="after"/> is not in the run.</summary>
    private int? Next(long after)
        => _start == after ? 0
            : _index.TryGetValue(after, out var absolute) ? (int)(absolute - _trimmed) + 1
            : null;

    private void Append(IReadOnlyList<StoredEvent> events, int from)
    {
        for (var i = from; i < events.Count; i++)
        {
            _index[events[i].Sequence] = _trimmed + _run.Count;
            _run.Add(events[i]);
        }

        var excess = _run.Count - capacity;
        if (excess > 0)
        {
            for (var i = 0; i < excess; i++)
            {
                _index.Remove(_run[i].Sequence);
            }

            _start = _run[excess - 1].Sequence;
            _run.RemoveRange(0, excess);
            _trimmed += excess;
        }
    }

    private sealed record Read(long After, Task WakeUp)
    {
        public TaskCompletionSource<IReadOnlyList<StoredEvent>> Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}

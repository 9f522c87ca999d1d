namespace PointsMall.Storage;

/// <summary>
/// A process-local <see cref="IGrainStore"/> with the same semantics as the durable stores (fencing,
/// all-or-nothing batches, event sequences, forward-only checkpoints, reminder write kinds, leases and fenced checkpoints) and none of
/// their durability. For the in-memory mode, tests and benchmarks.
/// </summary>
/// <remarks>
/// One lock guards everything: a commit is a few dictionary operations, so it completes synchronously.
/// Payload arrays are kept and handed back by reference, not copied; callers must not mutate them.
/// </remarks>
public sealed class InMemoryGrainStore : IGrainStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<StateKey, StoredState> _states = [];
    private readonly List<StoredEvent> _events = [];
    private readonly Dictionary<string, long> _checkpoints = new(StringComparer.Ordinal);
    private readonly Dictionary<(StateKey Grain, string Name), ReminderRecord> _reminders = [];
    private readonly Dictionary<(string Index, string Key), IndexEntry> _indexes = [];
    private readonly Dictionary<string, LeaseState> _leases = new(StringComparer.Ordinal);

    public string Name => "memory";

    public Task InitializeAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<StoredState?> ReadStateAsync(StateKey grain, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            return Task.FromResult(_states.GetValueOrDefault(grain));
        }
    }

    public Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        if (batch.IsEmpty)
        {
            return Task.FromResult(CommitResult.Committed);
        }

        batch.EnsureOneWritePerKey();
        lock (_lock)
        {
            // Check every fence before touching anything, so a refused batch leaves no trace.
            List<StateKey>? conflicts = null;
            foreach (var write in batch.States)
            {
                var current = _states.TryGetValue(write.Grain, out var stored) ? stored.Version : 0;
                if (current != write.ExpectedVersion)
                {
                    (conflicts ??= []).Add(write.Grain);
                }
            }

            if (conflicts is not null)
            {
                return Task.FromResult(new CommitResult(conflicts));
            }

            foreach (var write in batch.States)
            {
                _states[write.Grain] = new StoredState(write.NewVersion, write.Payload);
            }

            foreach (var appended in batch.Events)
            {
                // Sequences are dense here (nothing is ever rolled back), which ReadEventsAsync relies on.
                _events.Add(new StoredEvent(_events.Count + 1, appended.Stream, appended.EventType, appended.Payload, appended.Timestamp));
            }

            foreach (var write in batch.Reminders)
            {
                ApplyReminder(write);
            }

            foreach (var write in batch.Indexes)
            {
                if (write.Entry is { } entry)
                {
                    _indexes[(write.Index, write.Key)] = entry;
                }
                else
                {
                    _indexes.Remove((write.Index, write.Key));
                }
            }
        }

        return Task.FromResult(CommitResult.Committed);
    }

    public Task<IndexPage> QueryIndexAsync(IndexQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        var text = query.Text?.ToLowerInvariant();
        lock (_lock)
        {
            var matches = _indexes
                .Where(e => e.Key.Index == query.Index
                    && (query.Partition is null || e.Value.Partition == query.Partition)
                    && (query.Tag is null || e.Value.Tag == query.Tag)
                    && (text is null || (e.Value.Text?.Contains(text, StringComparison.Ordinal) ?? false)))
                .OrderByDescending(e => e.Value.SortKey)
                .ThenBy(e => e.Key.Key, StringComparer.Ordinal)
                .ToList();
            IReadOnlyList<IndexRow> rows = [.. matches.Skip(Math.Max(0, query.Offset)).Take(Math.Max(0, query.Limit))
                .Select(e => new IndexRow(e.Key.Key, e.Value.Partition, e.Value.Tag, e.Value.SortKey, e.Value.Payload))];
            return Task.FromResult(new IndexPage(rows, matches.Count));
        }
    }

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxCount);
        lock (_lock)
        {
            // Sequence n sits at index n - 1.
            var start = (int)Math.Clamp(afterSequence, 0, _events.Count);
            var count = Math.Min(maxCount, _events.Count - start);
            IReadOnlyList<StoredEvent> page = _events.GetRange(start, count);
            return Task.FromResult(page);
        }
    }

    public Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_lock)
        {
            return Task.FromResult(_checkpoints.GetValueOrDefault(subscriber));
        }
    }

    public Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_lock)
        {
            if (sequence > _checkpoints.GetValueOrDefault(subscriber))
            {
                _checkpoints[subscriber] = sequence;
            }
        }

        return Task.CompletedTask;
    }

    public Task<bool> TryWriteCheckpointAsync(string subscriber, long sequence, LeaseFence fence, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(subscriber);
        lock (_lock)
        {
            if (!_leases.TryGetValue(fence.Lease, out var lease) || !lease.IsHeldBy(fence.Holder) || lease.Token != fence.Token)
            {
                return Task.FromResult(false);
            }

            if (sequence > _checkpoints.GetValueOrDefault(subscriber))
            {
                _checkpoints[subscriber] = sequence;
            }
        }

        return Task.FromResult(true);
    }

    public Task<LeaseState> AcquireLeaseAsync(LeaseRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        lock (_lock)
        {
            if (!_leases.TryGetValue(request.Lease, out var current))
            {
                return Task.FromResult(_leases[request.Lease] = new LeaseState(request.Holder, 1, request.ExpiresAt));
            }

            if (current.IsHeldBy(request.Holder))
            {
                return Task.FromResult(_leases[request.Lease] = current with { ExpiresAt = request.ExpiresAt });
            }

            if (current.ExpiresAt <= request.Now || (request.Supersede is not null && current.IsHeldBy(request.Supersede)))
            {
                return Task.FromResult(_leases[request.Lease] = new LeaseState(request.Holder, current.Token + 1, request.ExpiresAt));
            }

            return Task.FromResult(current);
        }
    }

    public Task ReleaseLeaseAsync(string lease, string holder, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            if (_leases.TryGetValue(lease, out var current) && current.IsHeldBy(holder))
            {
                _leases[lease] = current with { ExpiresAt = DateTimeOffset.MinValue };
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<ReminderRecord> due = [.. _reminders.Values
                .Where(r => r.DueAt < dueBefore)
                .OrderBy(r => r.DueAt)
                .ThenBy(r => r.Grain.Type, StringComparer.Ordinal)
                .ThenBy(r => r.Grain.Key, StringComparer.Ordinal)
                .ThenBy(r => r.Name, StringComparer.Ordinal)];
            return Task.FromResult(due);
        }
    }

    public Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(StateKey grain, CancellationToken cancellationToken)
    {
        lock (_lock)
        {
            IReadOnlyList<ReminderRecord> reminders = [.. _reminders.Values
                .Where(r => r.Grain == grain)
                .OrderBy(r => r.Name, StringComparer.Ordinal)];
            return Task.FromResult(reminders);
        }
    }

    public Task PingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private void ApplyReminder(ReminderWrite write)
    {
        var key = (write.Grain, write.Name);
        switch (write.Kind)
        {
            case ReminderWriteKind.Upsert:
                _reminders[key] = new ReminderRecord(write.Grain, write.Name, write.DueAt, write.Period);
                break;
            case ReminderWriteKind.Delete:
                _reminders.Remove(key);
                break;
            case ReminderWriteKind.DeleteIfDue:
                if (_reminders.TryGetValue(key, out var fired) && fired.DueAt == write.ExpectedDueAt)
                {
                    _reminders.Remove(key);
                }

                break;
            case ReminderWriteKind.AdvanceIfDue:
                if (_reminders.TryGetValue(key, out var periodic) && periodic.DueAt == write.ExpectedDueAt)
                {
                    _reminders[key] = periodic with { DueAt = write.DueAt };
                }

                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(write), write.Kind, "Unknown reminder write kind.");
        }
    }
}

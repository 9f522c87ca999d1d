using PointsMall.Storage;

namespace PointsMall.Testing;

/// <summary>
/// A real store behind a decorator that tests override where they need to interfere (fail a commit, hold one at
/// a gate, hide due reminders); everything else goes straight to the inner store.
/// </summary>
public abstract class DelegatingGrainStore(IGrainStore inner) : IGrainStore
{
    public IGrainStore Inner => inner;

    public virtual string Name => inner.Name;

    public virtual Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public virtual Task<StoredState?> ReadStateAsync(StateKey grain, CancellationToken cancellationToken) => inner.ReadStateAsync(grain, cancellationToken);

    public virtual Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken) => inner.CommitAsync(batch, cancellationToken);

    public virtual Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken)
        => inner.ReadEventsAsync(afterSequence, maxCount, cancellationToken);

    public virtual Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken) => inner.ReadCheckpointAsync(subscriber, cancellationToken);

    public virtual Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken)
        => inner.WriteCheckpointAsync(subscriber, sequence, cancellationToken);

    public virtual Task<bool> TryWriteCheckpointAsync(string subscriber, long sequence, LeaseFence fence, CancellationToken cancellationToken)
        => inner.TryWriteCheckpointAsync(subscriber, sequence, fence, cancellationToken);

    public virtual Task<LeaseState> AcquireLeaseAsync(LeaseRequest request, CancellationToken cancellationToken) => inner.AcquireLeaseAsync(request, cancellationToken);

    public virtual Task ReleaseLeaseAsync(string lease, string holder, CancellationToken cancellationToken) => inner.ReleaseLeaseAsync(lease, holder, cancellationToken);

    public virtual Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
        => inner.ReadDueRemindersAsync(dueBefore, cancellationToken);

    public virtual Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(StateKey grain, CancellationToken cancellationToken)
        => inner.ReadRemindersAsync(grain, cancellationToken);

    public virtual Task<IndexPage> QueryIndexAsync(IndexQuery query, CancellationToken cancellationToken) => inner.QueryIndexAsync(query, cancellationToken);

    public virtual Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public virtual ValueTask DisposeAsync()
    {
        GC.SuppressFinalize(this);
        return inner.DisposeAsync();
    }
}

using PointsMall.Actors.Storage;

namespace PointsMall.Actors.Tests.Diagnostics;

/// <summary>A real store whose next commit throws, as a lost database connection would.</summary>
public sealed class FailingStore(IGrainStore inner) : IGrainStore
{
    private int _failNext;

    public string Name => inner.Name;

    public void FailNextCommit() => Volatile.Write(ref _failNext, 1);

    public Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
        => Interlocked.Exchange(ref _failNext, 0) == 1
            ? throw new IOException("connection to storage lost")
            : inner.CommitAsync(batch, cancellationToken);

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState?> ReadStateAsync(GrainId grain, CancellationToken cancellationToken) => inner.ReadStateAsync(grain, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken) => inner.ReadEventsAsync(afterSequence, maxCount, cancellationToken);

    public Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken) => inner.ReadCheckpointAsync(subscriber, cancellationToken);

    public Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken) => inner.WriteCheckpointAsync(subscriber, sequence, cancellationToken);

    public Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken) => inner.ReadDueRemindersAsync(dueBefore, cancellationToken);

    public Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(GrainId grain, CancellationToken cancellationToken) => inner.ReadRemindersAsync(grain, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();
}

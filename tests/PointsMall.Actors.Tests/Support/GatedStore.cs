using PointsMall.Actors.Storage;

namespace PointsMall.Actors.Tests.Support;

/// <summary>
/// Wraps a real store and lets a test hold a commit in flight: the way to make "a write is being made
/// durable right now" a state the test controls instead of a race it hopes to win.
/// </summary>
public sealed class GatedStore(IGrainStore inner) : IGrainStore
{
    private readonly Lock _lock = new();
    private Gate? _next;

    public IGrainStore Inner => inner;

    public string Name => inner.Name;

    /// <summary>The next commit will wait at the gate until it is opened.</summary>
    public Gate HoldNextCommit()
    {
        var gate = new Gate();
        lock (_lock)
        {
            _next = gate;
        }

        return gate;
    }

    public async Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        Gate? gate;
        lock (_lock)
        {
            gate = _next;
            _next = null;
        }

        if (gate is not null)
        {
            gate.Arrive(batch);
            await gate.Opened;
        }

        return await inner.CommitAsync(batch, cancellationToken);
    }

    public Task InitializeAsync(CancellationToken cancellationToken) => inner.InitializeAsync(cancellationToken);

    public Task<StoredState?> ReadStateAsync(GrainId grain, CancellationToken cancellationToken) => inner.ReadStateAsync(grain, cancellationToken);

    public Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken) => inner.ReadEventsAsync(afterSequence, maxCount, cancellationToken);

    public Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken) => inner.ReadCheckpointAsync(subscriber, cancellationToken);

    public Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken) => inner.WriteCheckpointAsync(subscriber, sequence, cancellationToken);

    public Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken) => inner.ReadDueRemindersAsync(dueBefore, cancellationToken);

    public Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(GrainId grain, CancellationToken cancellationToken) => inner.ReadRemindersAsync(grain, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    public sealed class Gate
    {
        private readonly TaskCompletionSource<CommitBatch> _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _opened = new(TaskCreationOptions.RunContinuationsAsynchronously);

        /// <summary>Completes with the batch once a commit is waiting at the gate.</summary>
        public Task<CommitBatch> Arrived => _arrived.Task;

        internal Task Opened => _opened.Task;

        public void Open() => _opened.TrySetResult();

        internal void Arrive(CommitBatch batch) => _arrived.TrySetResult(batch);
    }
}

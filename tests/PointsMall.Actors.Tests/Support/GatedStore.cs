using PointsMall.Storage;
using PointsMall.Testing;

namespace PointsMall.Actors.Tests.Support;

/// <summary>
/// Wraps a real store and lets a test hold a commit in flight: the way to make "a write is being made
/// durable right now" a state the test controls instead of a race it hopes to win.
/// </summary>
public sealed class GatedStore(IGrainStore inner) : DelegatingGrainStore(inner)
{
    private readonly Lock _lock = new();
    private Gate? _next;

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

    public override async Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
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

        return await base.CommitAsync(batch, cancellationToken);
    }

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

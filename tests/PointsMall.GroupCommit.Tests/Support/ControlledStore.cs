using PointsMall.Storage;
using PointsMall.Testing;

namespace PointsMall.GroupCommit.Tests.Support;

/// <summary>
/// A real store with two levers: hold the next commit at a gate (the test sees it arrive and lets it go), and fail
/// the next commit. Records the size of every commit that reached the inner store.
/// </summary>
public sealed class ControlledStore(IGrainStore inner) : DelegatingGrainStore(inner)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    private readonly Lock _lock = new();
    private readonly Queue<CommitHold> _holds = new();
    private readonly List<int> _committed = [];
    private int _failures;

    /// <summary>State writes per commit that reached the inner store, in order.</summary>
    public IReadOnlyList<int> CommittedBatchSizes
    {
        get
        {
            lock (_lock)
            {
                return [.. _committed];
            }
        }
    }

    /// <summary>The next commit waits at a gate until the hold is released.</summary>
    public CommitHold HoldNextCommit()
    {
        var hold = new CommitHold();
        lock (_lock)
        {
            _holds.Enqueue(hold);
        }

        return hold;
    }

    /// <summary>The next commit to reach the store throws, writing nothing.</summary>
    public void FailNextCommit()
    {
        lock (_lock)
        {
            _failures++;
        }
    }

    public void Reset()
    {
        lock (_lock)
        {
            _holds.Clear();
            _committed.Clear();
            _failures = 0;
        }
    }

    public override async Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        CommitHold? hold;
        bool fail;
        lock (_lock)
        {
            _holds.TryDequeue(out hold);

            // Decided when the commit arrives: a failure armed while a commit is held applies to the one after it.
            fail = _failures > 0;
            _failures -= fail ? 1 : 0;
        }

        if (hold is not null)
        {
            hold.Arrive(batch.States.Count);
            await Waits.For(hold.Released, Timeout, "the test to release a held commit");
        }

        if (fail)
        {
            throw new IOException("Injected commit failure.");
        }

        var result = await base.CommitAsync(batch, cancellationToken);
        if (result.IsCommitted)
        {
            lock (_lock)
            {
                _committed.Add(batch.States.Count);
            }
        }

        return result;
    }
}

/// <summary>One held commit: <see cref="Entered"/> when it reaches the store (with its size), going on when released.</summary>
public sealed class CommitHold
{
    private readonly TaskCompletionSource<int> _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The number of state writes in the held commit, once it has reached the store.</summary>
    public Task<int> Entered => Waits.For(_entered.Task, TimeSpan.FromSeconds(30), "a commit to reach the store");

    internal Task Released => _released.Task;

    public void Release() => _released.TrySetResult();

    internal void Arrive(int writes) => _entered.TrySetResult(writes);
}

using PointsMall.Storage;
using PointsMall.Testing;

namespace PointsMall.Actors.Tests.Diagnostics;

/// <summary>A real store whose next commit throws, as a lost database connection would.</summary>
public sealed class FailingStore(IGrainStore inner) : DelegatingGrainStore(inner)
{
    private int _failNext;

    public void FailNextCommit() => Volatile.Write(ref _failNext, 1);

    public override Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken)
        => Interlocked.Exchange(ref _failNext, 0) == 1
            ? throw new IOException("connection to storage lost")
            : base.CommitAsync(batch, cancellationToken);
}

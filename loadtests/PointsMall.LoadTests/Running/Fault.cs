namespace PointsMall.LoadTests.Running;

/// <summary>
/// A fault injected once into the measured phase, <paramref name="At"/> after it starts: the CLI kills a process
/// (a silo or an API node of the cluster under load); tests pass their own.
/// </summary>
/// <param name="Description">Shown in the report, e.g. "SIGKILL of process 4242".</param>
public sealed record FaultPlan(string Description, TimeSpan At, Func<CancellationToken, Task> InjectAsync);

/// <summary>
/// What the run saw around its fault, as offsets from the start of the measured phase: how many requests failed
/// once it was injected, the send time of the last of them (every request sent later succeeded) and of the first
/// success sent after the fault. Fed by <see cref="StatsCollector"/> with every step and iteration.
/// </summary>
public sealed class FaultLog
{
    private const long NotYet = long.MinValue;

    private long _injectedAt = NotYet;
    private long _failedRequests;
    private long _failedIterations;
    private long _lastFailureSent = NotYet;
    private long _firstSuccessSent = long.MaxValue;

    public string? Description { get; private set; }

    /// <summary>When the fault was injected; null when the phase ended first (or had none).</summary>
    public TimeSpan? InjectedAt => Interlocked.Read(ref _injectedAt) is var at && at == NotYet ? null : TimeSpan.FromTicks(at);

    /// <summary>Requests (every attempt, retries included) that failed and ended after the fault.</summary>
    public long FailedRequests => Interlocked.Read(ref _failedRequests);

    /// <summary>Iterations with at least one failed request (a retry may have succeeded), ended after the fault.</summary>
    public long FailedIterations => Interlocked.Read(ref _failedIterations);

    /// <summary>
    /// How long after the fault the last failed request was sent (zero when only requests already in flight
    /// failed); every request sent later succeeded. Null when nothing failed.
    /// </summary>
    public TimeSpan? LastFailureSentAfter => Since(Interlocked.Read(ref _lastFailureSent), NotYet);

    /// <summary>How long after the fault the first request that then succeeded was sent; null when none did.</summary>
    public TimeSpan? FirstSuccessSentAfter => Since(Interlocked.Read(ref _firstSuccessSent), long.MaxValue);

    internal void Injected(string description, TimeSpan at)
    {
        Description = description;
        Interlocked.Exchange(ref _injectedAt, at.Ticks);
    }

    /// <summary>One finished request (or iteration), sent at <paramref name="sent"/> and ended at <paramref name="ended"/>.</summary>
    internal void Observe(TimeSpan sent, TimeSpan ended, bool ok, bool iteration)
    {
        var at = Interlocked.Read(ref _injectedAt);
        if (at == NotYet || ended.Ticks < at)
        {
            return;
        }

        if (iteration)
        {
            if (!ok)
            {
                Interlocked.Increment(ref _failedIterations);
            }

            return;
        }

        if (!ok)
        {
            Interlocked.Increment(ref _failedRequests);
            Raise(ref _lastFailureSent, sent.Ticks);
        }
        else if (sent.Ticks >= at)
        {
            Lower(ref _firstSuccessSent, sent.Ticks);
        }
    }

    private TimeSpan? Since(long sent, long unset)
        => sent == unset ? null : TimeSpan.FromTicks(Math.Max(0, sent - Interlocked.Read(ref _injectedAt)));

    private static void Raise(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value > seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }

    private static void Lower(ref long target, long value)
    {
        for (var seen = Interlocked.Read(ref target); value < seen; seen = Interlocked.Read(ref target))
        {
            if (Interlocked.CompareExchange(ref target, value, seen) == seen)
            {
                return;
            }
        }
    }
}

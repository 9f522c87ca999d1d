namespace PointsMall.GroupCommit;

/// <summary>
/// A durable subscription to every stream of a namespace in the outbox. <paramref name="Name"/> keys its checkpoint,
/// so it must stay the same across restarts. The handler must be idempotent: delivery is at least once.
/// </summary>
public sealed record OutboxSubscription(
    string Name,
    string Namespace,
    Func<IServiceProvider, StreamEvent, CancellationToken, Task> Handler);

/// <summary>How the outbox is read and delivered.</summary>
public sealed class OutboxOptions
{
    /// <summary>Events read per page (a crash redelivers at most the page in progress).</summary>
    public int PageSize { get; set; } = 256;

    /// <summary>Attempts per event before it is logged as poison and skipped.</summary>
    public int MaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Pause after a failed delivery or a failed read.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long stopping waits for the pages being delivered.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

namespace PointsMall.GroupCommit.Outbox;

/// <summary>
/// A durable subscription to every stream of a namespace in the outbox. <paramref name="Name"/> keys its checkpoint,
/// so it must stay the same across restarts. The handler must be idempotent: delivery is at least once.
/// </summary>
public sealed record OutboxSubscription(
    string Name,
    string Namespace,
    Func<IServiceProvider, StreamEvent, CancellationToken, Task> Handler)
{
    /// <summary>
    /// When set, each page's events of the namespace are handed over in one call, in outbox order (and <see cref="Handler"/>
    /// is not used): for a consumer that counts many small events, one call per page instead of one per event.
    /// </summary>
    public Func<IServiceProvider, IReadOnlyList<StreamEvent>, CancellationToken, Task>? BatchHandler { get; init; }
}

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

    /// <summary>
    /// How long a subscription's lease lasts from each renewal. A silo that dies holding it is replaced within this plus
    /// <see cref="RenewInterval"/> (at once when the cluster already knows it is dead). Must exceed the silos' clock skew.
    /// </summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How often the holder renews its leases and the other silos try to take expired ones. Less than <see cref="LeaseDuration"/>.</summary>
    public TimeSpan RenewInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// How often the holder reads the outbox when its own silo committed nothing: the longest an event committed on
    /// another silo waits. The silo's own commits are delivered at once.
    /// </summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    internal void Validate()
    {
        if (PageSize <= 0 || MaxDeliveryAttempts <= 0)
        {
            throw new ArgumentException($"OutboxOptions: PageSize ({PageSize}) and MaxDeliveryAttempts ({MaxDeliveryAttempts}) must be positive.");
        }

        if (PollInterval <= TimeSpan.Zero || RenewInterval <= TimeSpan.Zero || LeaseDuration <= RenewInterval)
        {
            throw new ArgumentException(
                $"OutboxOptions: PollInterval ({PollInterval}) and RenewInterval ({RenewInterval}) must be positive, and LeaseDuration ({LeaseDuration}) longer than RenewInterval.");
        }
    }
}

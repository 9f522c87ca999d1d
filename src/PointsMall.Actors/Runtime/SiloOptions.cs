namespace PointsMall.Actors;

/// <summary>Settings of a silo. Bound from configuration section <c>Silo</c> by the hosts.</summary>
public sealed class SiloOptions
{
    /// <summary>How long a caller waits for a reply (queueing, the turn and durability included).</summary>
    public TimeSpan CallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>An activation unused for this long is deactivated.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often the collector looks for idle activations.</summary>
    public TimeSpan CollectionInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Resident activations above this count are deactivated, least recently used first.</summary>
    public int MaxActivations { get; set; } = 1_000_000;

    /// <summary>Turns one activation runs before it yields its thread to other work.</summary>
    public int TurnsPerQuantum { get; set; } = 128;

    /// <summary>Reminders due within this window are kept in memory; later ones are loaded as the window moves.</summary>
    public TimeSpan ReminderWindow { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Delay before a reminder whose delivery failed is tried again.</summary>
    public TimeSpan ReminderRetryDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Events read from the outbox per page by each stream subscription.</summary>
    public int StreamPageSize { get; set; } = 512;

    /// <summary>Attempts to deliver one event before it is logged as poison and skipped.</summary>
    public int StreamMaxDeliveryAttempts { get; set; } = 5;

    /// <summary>Delay between delivery attempts of one event.</summary>
    public TimeSpan StreamRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How long stopping waits for activations to deactivate and writes to drain.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (CallTimeout <= TimeSpan.Zero && CallTimeout != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(CallTimeout), CallTimeout, "CallTimeout must be positive or infinite.");
        }

        if (IdleTimeout <= TimeSpan.Zero || CollectionInterval <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(IdleTimeout), "IdleTimeout and CollectionInterval must be positive.");
        }

        if (MaxActivations < 1 || TurnsPerQuantum < 1 || StreamPageSize < 1 || StreamMaxDeliveryAttempts < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxActivations), "MaxActivations, TurnsPerQuantum, StreamPageSize and StreamMaxDeliveryAttempts must be at least 1.");
        }
    }
}

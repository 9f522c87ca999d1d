namespace PointsMall.Actors;

/// <summary>Implemented by grains that set durable reminders.</summary>
public interface IRemindable
{
    /// <summary>
    /// A reminder is due. Runs as a turn like any call. The reminder is acknowledged in the same storage
    /// transaction as the turn's changes: if the turn throws or its write fails, the reminder fires again.
    /// </summary>
    Task ReceiveReminderAsync(string reminderName, ReminderTick tick);
}

/// <summary>A reminder firing: when it was due and when it is being delivered.</summary>
public readonly record struct ReminderTick(DateTimeOffset DueAt, DateTimeOffset FiredAt, TimeSpan? Period);

/// <summary>Implemented by grains that subscribe to a stream namespace implicitly (see the silo builder).</summary>
public interface IStreamSubscriber
{
    /// <summary>An event on the stream whose key is this grain's key. Delivered in order per stream, at least once.</summary>
    Task OnStreamEventAsync(Streams.StreamEvent streamEvent);
}

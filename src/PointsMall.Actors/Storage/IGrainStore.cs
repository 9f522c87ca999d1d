namespace PointsMall.Actors.Storage;

/// <summary>
/// Durable storage under the runtime: grain state rows, the event outbox, stream checkpoints and reminders.
/// </summary>
/// <remarks>
/// The runtime talks to a store through one writer, the group committer, which hands it one
/// <see cref="CommitBatch"/> at a time; reads may run concurrently with that writer.
/// <para>
/// <see cref="CommitAsync"/> is all or nothing. Every state write is fenced: it applies only when the stored
/// version equals <see cref="StateWrite.ExpectedVersion"/> (0 means "no row yet"). When any fence fails the
/// store writes nothing and returns the grains whose fences failed; any other failure throws. A batch holds at
/// most one write per key (<see cref="CommitBatch.EnsureOneWritePerKey"/>). A store must
/// not acknowledge a batch before it is durable (fsync'd or replicated per the store's durability contract).
/// </para>
/// </remarks>
public interface IGrainStore : IAsyncDisposable
{
    /// <summary>A short name for logs and reports: <c>sqlite</c>, <c>postgresql</c>, <c>memory</c>.</summary>
    string Name { get; }

    /// <summary>Creates the schema when it is missing. Safe to call on every start.</summary>
    Task InitializeAsync(CancellationToken cancellationToken);

    /// <summary>Reads a grain's stored state, or <c>null</c> when it has none.</summary>
    Task<StoredState?> ReadStateAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>Applies a whole batch in one transaction (see the type's remarks).</summary>
    Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken);

    /// <summary>Events with a sequence number above <paramref name="afterSequence"/>, in sequence order.</summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken);

    /// <summary>The last sequence number a subscriber has durably processed (0 when it never checkpointed).</summary>
    Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken);

    /// <summary>Records a subscriber's position. Positions only move forward; a lower one is ignored.</summary>
    Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken);

    /// <summary>All reminders due strictly before <paramref name="dueBefore"/>, earliest first.</summary>
    Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken);

    /// <summary>The reminders registered by one grain.</summary>
    Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(GrainId grain, CancellationToken cancellationToken);

    /// <summary>A cheap round trip to storage, for readiness checks.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>A grain's state as stored: its version and its serialized payload (UTF-8 JSON).</summary>
public sealed record StoredState(long Version, byte[] Payload);

/// <summary>One storage transaction: state writes, outbox events and reminder changes, applied together.</summary>
public sealed record CommitBatch(
    IReadOnlyList<StateWrite> States,
    IReadOnlyList<EventAppend> Events,
    IReadOnlyList<ReminderWrite> Reminders)
{
    public bool IsEmpty => States.Count == 0 && Events.Count == 0 && Reminders.Count == 0;

    /// <summary>
    /// The group committer collapses writes, so a batch holds one state write per grain and one reminder write
    /// per (grain, name). Stores refuse anything else: a set-based statement cannot order duplicates (nor update
    /// a row twice in one statement), so they would otherwise be applied in no defined order.
    /// </summary>
    /// <exception cref="ArgumentException">The batch has two writes for one key.</exception>
    public void EnsureOneWritePerKey()
    {
        if (States.Count > 1)
        {
            var grains = new HashSet<GrainId>(States.Count);
            foreach (var write in States)
            {
                if (!grains.Add(write.Grain))
                {
                    throw new ArgumentException($"The batch holds more than one state write for {write.Grain}.");
                }
            }
        }

        if (Reminders.Count > 1)
        {
            var reminders = new HashSet<(GrainId, string)>(Reminders.Count);
            foreach (var write in Reminders)
            {
                if (!reminders.Add((write.Grain, write.Name)))
                {
                    throw new ArgumentException($"The batch holds more than one write for reminder '{write.Name}' of {write.Grain}.");
                }
            }
        }
    }
}

/// <summary>
/// A fenced state write: applies only when the stored version is <paramref name="ExpectedVersion"/>
/// (0: the row must not exist) and leaves the row at <paramref name="NewVersion"/>.
/// </summary>
public readonly record struct StateWrite(GrainId Grain, long ExpectedVersion, long NewVersion, byte[] Payload);

/// <summary>An event for the outbox. The store gives it the next sequence number, in batch order.</summary>
public readonly record struct EventAppend(string Stream, string EventType, byte[] Payload, DateTimeOffset Timestamp);

/// <summary>An event read back from the outbox.</summary>
public sealed record StoredEvent(long Sequence, string Stream, string EventType, byte[] Payload, DateTimeOffset Timestamp);

/// <summary>A durable reminder as stored.</summary>
public sealed record ReminderRecord(GrainId Grain, string Name, DateTimeOffset DueAt, TimeSpan? Period);

public enum ReminderWriteKind
{
    /// <summary>Insert or replace the reminder (grain, name) with <see cref="ReminderWrite.DueAt"/> and period.</summary>
    Upsert,

    /// <summary>Delete the reminder (grain, name) if it exists.</summary>
    Delete,

    /// <summary>
    /// Acknowledge a fired one-shot reminder: delete it only if its stored due time is still
    /// <see cref="ReminderWrite.ExpectedDueAt"/> (it was not re-registered meanwhile).
    /// </summary>
    DeleteIfDue,

    /// <summary>
    /// Acknowledge a fired periodic reminder: move its due time to <see cref="ReminderWrite.DueAt"/> only if
    /// its stored due time is still <see cref="ReminderWrite.ExpectedDueAt"/>.
    /// </summary>
    AdvanceIfDue,
}

/// <summary>A change to the reminder table, committed in the same transaction as the state it goes with.</summary>
public readonly record struct ReminderWrite(
    GrainId Grain,
    string Name,
    ReminderWriteKind Kind,
    DateTimeOffset DueAt,
    TimeSpan? Period,
    DateTimeOffset? ExpectedDueAt);

/// <summary>The outcome of <see cref="IGrainStore.CommitAsync"/>: empty conflicts means everything was written.</summary>
public sealed record CommitResult(IReadOnlyList<GrainId> Conflicts)
{
    public static CommitResult Committed { get; } = new([]);

    public bool IsCommitted => Conflicts.Count == 0;
}

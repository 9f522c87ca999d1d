namespace PointsMall.Storage;

/// <summary>
/// Durable storage under the runtime: grain state rows, the event outbox, stream checkpoints, reminders,
/// grain indexes and the leases that decide which silo delivers a subscription.
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
    Task<StoredState?> ReadStateAsync(StateKey grain, CancellationToken cancellationToken);

    /// <summary>Applies a whole batch in one transaction (see the type's remarks).</summary>
    Task<CommitResult> CommitAsync(CommitBatch batch, CancellationToken cancellationToken);

    /// <summary>
    /// The events after <paramref name="afterSequence"/> (0, or the <see cref="StoredEvent.Sequence"/> of an event this
    /// store returned) in outbox order: a stable order in which no event committed later ever comes before one already
    /// returned, so a reader that checkpoints the last event it got skips nothing. Sequence order where commits are
    /// serialised (SQLite, memory); PostgreSQL, whose sequences are taken before commit, orders by transaction, then
    /// sequence, and holds back events of transactions newer than one still running.
    /// </summary>
    Task<IReadOnlyList<StoredEvent>> ReadEventsAsync(long afterSequence, int maxCount, CancellationToken cancellationToken);

    /// <summary>The last sequence number a subscriber has durably processed (0 when it never checkpointed).</summary>
    Task<long> ReadCheckpointAsync(string subscriber, CancellationToken cancellationToken);

    /// <summary>Records a subscriber's position. Positions only move forward in outbox order; an earlier one is ignored.</summary>
    Task WriteCheckpointAsync(string subscriber, long sequence, CancellationToken cancellationToken);

    /// <summary>
    /// Records a subscriber's position only while <paramref name="fence"/> still holds its lease (same holder, same
    /// token), in one atomic step with that check: an ex-holder that was paused while another took over cannot move
    /// the position. Returns whether the fence held. Positions only move forward, as with <see cref="WriteCheckpointAsync"/>.
    /// </summary>
    Task<bool> TryWriteCheckpointAsync(string subscriber, long sequence, LeaseFence fence, CancellationToken cancellationToken);

    /// <summary>
    /// Takes or renews a named lease (see <see cref="LeaseRequest"/>) and returns the lease as it stands afterwards: it was
    /// granted when its <see cref="LeaseState.Holder"/> is the requester. The token changes exactly when the holder does.
    /// </summary>
    Task<LeaseState> AcquireLeaseAsync(LeaseRequest request, CancellationToken cancellationToken);

    /// <summary>Ends <paramref name="holder"/>'s lease at once (it stays expired for the next taker); a no-op for anyone else.</summary>
    Task ReleaseLeaseAsync(string lease, string holder, CancellationToken cancellationToken);

    /// <summary>All reminders due strictly before <paramref name="dueBefore"/>, earliest first.</summary>
    Task<IReadOnlyList<ReminderRecord>> ReadDueRemindersAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken);

    /// <summary>The reminders registered by one grain.</summary>
    Task<IReadOnlyList<ReminderRecord>> ReadRemindersAsync(StateKey grain, CancellationToken cancellationToken);

    /// <summary>
    /// One page of a grain index: entries matching every given filter (partition and tag exactly, text as a
    /// case-insensitive substring of the entry's text), newest first (sort key descending, then key ascending),
    /// with the total number of matches.
    /// </summary>
    Task<IndexPage> QueryIndexAsync(IndexQuery query, CancellationToken cancellationToken);

    /// <summary>A cheap round trip to storage, for readiness checks.</summary>
    Task PingAsync(CancellationToken cancellationToken);
}

/// <summary>A grain's state as stored: its version and its serialized payload (UTF-8 JSON).</summary>
public sealed record StoredState(long Version, byte[] Payload);

/// <summary>One storage transaction: state writes, outbox events, reminder changes and index entries, applied together.</summary>
public sealed record CommitBatch(
    IReadOnlyList<StateWrite> States,
    IReadOnlyList<EventAppend> Events,
    IReadOnlyList<ReminderWrite> Reminders,
    IReadOnlyList<IndexWrite>? IndexWrites = null)
{
    /// <summary>Index entries to put or remove (never null).</summary>
    public IReadOnlyList<IndexWrite> Indexes => IndexWrites ?? [];

    public bool IsEmpty => States.Count == 0 && Events.Count == 0 && Reminders.Count == 0 && Indexes.Count == 0;

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
            var grains = new HashSet<StateKey>(States.Count);
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
            var reminders = new HashSet<(StateKey, string)>(Reminders.Count);
            foreach (var write in Reminders)
            {
                if (!reminders.Add((write.Grain, write.Name)))
                {
                    throw new ArgumentException($"The batch holds more than one write for reminder '{write.Name}' of {write.Grain}.");
                }
            }
        }

        if (Indexes.Count > 1)
        {
            var entries = new HashSet<(string, string)>(Indexes.Count);
            foreach (var write in Indexes)
            {
                if (!entries.Add((write.Index, write.Key)))
                {
                    throw new ArgumentException($"The batch holds more than one write for entry '{write.Key}' of index '{write.Index}'.");
                }
            }
        }
    }
}

/// <summary>
/// A fenced state write: applies only when the stored version is <paramref name="ExpectedVersion"/>
/// (0: the row must not exist) and leaves the row at <paramref name="NewVersion"/>.
/// </summary>
public readonly record struct StateWrite(StateKey Grain, long ExpectedVersion, long NewVersion, byte[] Payload);

/// <summary>An event for the outbox. The store gives it the next sequence number, in batch order.</summary>
public readonly record struct EventAppend(string Stream, string EventType, byte[] Payload, DateTimeOffset Timestamp);

/// <summary>An event read back from the outbox.</summary>
public sealed record StoredEvent(long Sequence, string Stream, string EventType, byte[] Payload, DateTimeOffset Timestamp);

/// <summary>A durable reminder as stored.</summary>
public sealed record ReminderRecord(StateKey Grain, string Name, DateTimeOffset DueAt, TimeSpan? Period);

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
    StateKey Grain,
    string Name,
    ReminderWriteKind Kind,
    DateTimeOffset DueAt,
    TimeSpan? Period,
    DateTimeOffset? ExpectedDueAt);

/// <summary>
/// A grain's entry in a named index (a queryable read model kept in the same transaction as the grain's state, so
/// it is never behind it): <paramref name="Entry"/> replaces the entry for (<paramref name="Index"/>,
/// <paramref name="Key"/>), or removes it when null.
/// </summary>
public readonly record struct IndexWrite(string Index, string Key, IndexEntry? Entry);

/// <summary>
/// What an index holds for one key: an optional <paramref name="Partition"/> and <paramref name="Tag"/> to filter on
/// exactly (e.g. a member id and a status), a <paramref name="SortKey"/> (newest first), an optional lower-case
/// <paramref name="Text"/> to search in, and the payload (UTF-8 JSON) handed back to readers.
/// </summary>
public sealed record IndexEntry(string? Partition, string? Tag, long SortKey, string? Text, byte[] Payload);

/// <summary>A query of one index; null filters match everything. <paramref name="Text"/> is matched case-insensitively.</summary>
public sealed record IndexQuery(string Index, string? Partition = null, string? Tag = null, string? Text = null, int Offset = 0, int Limit = 20);

/// <summary>One entry read back from an index.</summary>
public sealed record IndexRow(string Key, string? Partition, string? Tag, long SortKey, byte[] Payload);

/// <summary>A page of an index query and the total number of matching entries.</summary>
public sealed record IndexPage(IReadOnlyList<IndexRow> Rows, int Total);

/// <summary>The outcome of <see cref="IGrainStore.CommitAsync"/>: empty conflicts means everything was written.</summary>
public sealed record CommitResult(IReadOnlyList<StateKey> Conflicts)
{
    public static CommitResult Committed { get; } = new([]);

    public bool IsCommitted => Conflicts.Count == 0;
}

/// <summary>
/// An attempt on the lease <paramref name="Lease"/> by <paramref name="Holder"/> (an id unique to one process
/// incarnation). It is granted, until <paramref name="ExpiresAt"/>, when nobody holds it yet, when the requester holds it
/// (a renewal: the token stays), when it expired at or before <paramref name="Now"/>, or when its holder is
/// <paramref name="Supersede"/> (a holder the requester knows to be gone); the last two give it a new token.
/// Expiry is compared with the requesters' clocks: the lease duration must exceed their skew.
/// </summary>
public sealed record LeaseRequest(string Lease, string Holder, DateTimeOffset Now, DateTimeOffset ExpiresAt, string? Supersede = null);

/// <summary>A lease as stored: its holder, its fencing token (1 for the first holder, one more per change of holder) and expiry.</summary>
public sealed record LeaseState(string Holder, long Token, DateTimeOffset ExpiresAt)
{
    /// <summary>Whether <paramref name="holder"/> holds the lease.</summary>
    public bool IsHeldBy(string holder) => string.Equals(Holder, holder, StringComparison.Ordinal);
}

/// <summary>What a fenced write presents: the lease, its holder and the token the holder was granted.</summary>
public readonly record struct LeaseFence(string Lease, string Holder, long Token);

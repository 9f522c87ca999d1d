using System.Text.Json;
using PointsMall.Contracts.Messages;
using PointsMall.GroupCommit;
using PointsMall.GroupCommit.Outbox;
using PointsMall.Storage;

namespace PointsMall.Grains;

/// <summary>
/// Base of the product's grains: the staging helpers their turns use. Each call is a turn (see
/// <c>PointsMall.GroupCommit</c>'s turn filter): the state a call leaves, the events it publishes, the index entries it
/// writes and the reminders it sets are committed together before its reply, and a call that throws leaves none of them.
/// </summary>
public abstract class MallGrain : Grain
{
    /// <summary>This grain's key.</summary>
    protected string GrainKey => this.GetPrimaryKeyString();

    /// <summary>Publishes an event on a stream, committed with this turn's state (an outbox).</summary>
    protected void Publish<TEvent>(StreamId stream, TEvent @event)
        where TEvent : class
        => GrainContext.StagedWrites().Publish(stream.ToString(), StreamEventTypes.NameOf(typeof(TEvent)), @event);

    /// <summary>Tells a member something (inbox and push), committed with this turn: the notice id makes it once-only.</summary>
    protected void Notify(MemberNotice notice)
    {
        ArgumentNullException.ThrowIfNull(notice);
        Publish(new StreamId(MemberNotice.Stream, notice.MemberId), notice);
    }

    /// <summary>
    /// Puts this grain's entry (keyed by its key) in <paramref name="index"/>, a queryable read model written in the same
    /// transaction as this turn's state; read it with <see cref="IGrainIndex"/>.
    /// </summary>
    /// <param name="sortKey">Entries come back highest first (e.g. creation time in ticks).</param>
    /// <param name="partition">An exact-match filter, such as the owning member's id.</param>
    /// <param name="tag">An exact-match filter, such as a status.</param>
    /// <param name="text">Searched as a case-insensitive substring.</param>
    protected void UpdateIndex<TEntry>(string index, TEntry entry, long sortKey, string? partition = null, string? tag = null, string? text = null)
        where TEntry : class
        => AddToIndex(index, GrainKey, entry, sortKey, partition, tag, text);

    /// <summary>
    /// Like <see cref="UpdateIndex"/> for an entry under its own <paramref name="key"/>: a grain that writes many entries
    /// (a lottery, one per draw) keys each by what it records.
    /// </summary>
    protected void AddToIndex<TEntry>(string index, string key, TEntry entry, long sortKey, string? partition = null, string? tag = null, string? text = null)
        where TEntry : class
        => GrainContext.StagedWrites().PutIndexEntry(index, key, new IndexEntry(partition, tag, sortKey, text?.ToLowerInvariant(),
            JsonSerializer.SerializeToUtf8Bytes(entry, GroupCommitJson.Options)));

    /// <summary>Removes this grain's entry from <paramref name="index"/>, with this turn.</summary>
    protected void RemoveFromIndex(string index) => GrainContext.StagedWrites().RemoveIndexEntry(index, GrainKey);

    /// <summary>
    /// Sets the durable reminder <paramref name="name"/> to fire at <paramref name="dueAt"/> (then every
    /// <paramref name="period"/>; without one it repeats only as a retry until removed). Registered before this
    /// turn's write, so the state that needs it is never durable without it.
    /// </summary>
    protected void SetReminder(string name, DateTimeOffset dueAt, TimeSpan? period = null) => GrainContext.StagedWrites().SetReminder(name, dueAt, period);

    /// <summary>Removes the reminder <paramref name="name"/> once this turn's write is durable.</summary>
    protected void RemoveReminder(string name) => GrainContext.StagedWrites().RemoveReminder(name);
}

/// <summary>The grain storage every PointsMall grain's state lives in.</summary>
public static class GrainStorage
{
    public const string Name = "pointsmall";
}

using System.Text.Json;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>
/// What an activation's next state write carries besides its state: outbox events and grain-index entries, committed
/// in the same transaction as that state (so a read model or a subscriber is never ahead of, or behind, the state
/// that produced it), and reminder rows (Orleans' reminder table lives in the same store), so a saga step is never
/// durable without the reminder that resumes it, nor a reminder gone while the state that needs it could be lost.
/// </summary>
/// <remarks>
/// Only the activation's own turns touch it (staging in grain code, draining in the storage's write, which Orleans
/// calls on the activation's scheduler), so it needs no lock. Get it with
/// <see cref="GrainContextStagingExtensions.StagedWrites(IGrainContext)"/>.
/// </remarks>
public sealed class StagedWrites
{
    private readonly TimeProvider _time;
    private List<EventAppend>? _events;
    private Dictionary<(string Index, string Key), IndexWrite>? _indexes;
    private Dictionary<string, ReminderChange>? _reminders;
    private long _drains;

    internal StagedWrites(TimeProvider time) => _time = time;


    /// <summary>Whether anything waits for the next state write.</summary>
    public bool IsEmpty => _events is not { Count: > 0 } && _indexes is not { Count: > 0 } && _reminders is not { Count: > 0 };

    /// <summary>Appends an event to <paramref name="stream"/>, serialized now (System.Text.Json, web defaults).</summary>
    public void Publish<TEvent>(string stream, string eventType, TEvent payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
        TurnCall.Changed();
        (_events ??= []).Add(new EventAppend(stream, eventType, JsonSerializer.SerializeToUtf8Bytes(payload, GroupCommitJson.Options), _time.GetUtcNow()));
    }

    /// <summary>Puts this grain's entry in a named index (a later put of the same key before the write replaces it).</summary>
    public void PutIndexEntry(string index, string key, IndexEntry entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        Stage(index, key, entry);
    }

    /// <summary>Removes an entry from a named index.</summary>
    public void RemoveIndexEntry(string index, string key) => Stage(index, key, null);

    /// <summary>
    /// Sets (or moves) the Orleans reminder <paramref name="name"/> of this grain to fire at <paramref name="dueAt"/>,
    /// then every <paramref name="period"/>; without a period it fires again only as a retry (every
    /// <c>ReminderOptions.MinimumReminderPeriod</c>), until the grain removes it. Written with the next state write;
    /// a later change of the same name before then replaces it.
    /// </summary>
    public void SetReminder(string name, DateTimeOffset dueAt, TimeSpan? period = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        TurnCall.Changed();
        (_reminders ??= [])[name] = new ReminderChange(name, dueAt, period, Remove: false);
    }

    /// <summary>Removes the reminder <paramref name="name"/> with the next state write.</summary>
    public void RemoveReminder(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        TurnCall.Changed();
        (_reminders ??= [])[name] = new ReminderChange(name, default, null, Remove: true);
    }

    /// <summary>Where the staged writes stand now, to go back to if the turn that follows throws.</summary>
    internal StagedMark Mark() => new(
        _drains,
        _events?.Count ?? 0,
        _indexes is { Count: > 0 } ? new(_indexes) : null,
        _reminders is { Count: > 0 } ? new(_reminders) : null);

    /// <summary>Drops what was staged after <paramref name="mark"/> (what a write took meanwhile is gone already).</summary>
    internal void RollbackTo(StagedMark mark)
    {
        var drained = mark.Drains != _drains;
        if (_events is not null)
        {
            var keep = drained ? 0 : mark.Events;
            _events.RemoveRange(keep, _events.Count - keep);
        }

        _indexes = drained ? null : mark.Indexes;
        _reminders = drained ? null : mark.Reminders;
    }

    /// <summary>Hands the events, index entries and reminder changes to the write that is starting, and starts afresh.</summary>
    internal (IReadOnlyList<EventAppend> Events, IReadOnlyList<IndexWrite> Indexes, IReadOnlyList<ReminderChange> Reminders) Drain()
    {
        IReadOnlyList<EventAppend> events = _events is { Count: > 0 } ? _events : [];
        IReadOnlyList<IndexWrite> indexes = _indexes is { Count: > 0 } ? [.. _indexes.Values] : [];
        IReadOnlyList<ReminderChange> reminders = _reminders is { Count: > 0 } ? [.. _reminders.Values] : [];
        _events = null;
        _indexes = null;
        _reminders = null;
        _drains++;
        return (events, indexes, reminders);
    }

    private void Stage(string index, string key, IndexEntry? entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentException.ThrowIfNullOrEmpty(key);
        TurnCall.Changed();
        (_indexes ??= [])[(index, key)] = new IndexWrite(index, key, entry);
    }
}

/// <summary>A reminder to set (at <paramref name="DueAt"/>, every <paramref name="Period"/>) or to remove.</summary>
internal readonly record struct ReminderChange(string Name, DateTimeOffset DueAt, TimeSpan? Period, bool Remove);

internal sealed record StagedMark(
    long Drains,
    int Events,
    Dictionary<(string Index, string Key), IndexWrite>? Indexes,
    Dictionary<string, ReminderChange>? Reminders);

public static class GrainContextStagingExtensions
{
    /// <summary>The activation's <see cref="StagedWrites"/>, created on first use and kept as a component of the activation.</summary>
    public static StagedWrites StagedWrites(this IGrainContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var staged = context.GetComponent<StagedWrites>();
        if (staged is null)
        {
            staged = new StagedWrites(GrainClock.Of(context.ActivationServices));
            context.SetComponent(staged);
        }

        return staged;
    }

    /// <summary>The activation's staged writes if it has staged anything, without creating them.</summary>
    internal static StagedWrites? StagedWritesIfAny(this IGrainContext context) => context.GetComponent<StagedWrites>();
}

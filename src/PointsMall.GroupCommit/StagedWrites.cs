using System.Text.Json;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

/// <summary>
/// What an activation's next state write carries besides its state: outbox events and grain-index entries. They are
/// committed in the same transaction as that state, so a read model or a subscriber is never ahead of (or behind)
/// the state that produced it; if the write fails, they are dropped with the activation.
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

    internal StagedWrites(TimeProvider time) => _time = time;

    /// <summary>Whether anything waits for the next state write.</summary>
    public bool IsEmpty => _events is not { Count: > 0 } && _indexes is not { Count: > 0 };

    /// <summary>Appends an event to <paramref name="stream"/>, serialized now (System.Text.Json, web defaults).</summary>
    public void Publish<TEvent>(string stream, string eventType, TEvent payload)
    {
        ArgumentException.ThrowIfNullOrEmpty(stream);
        ArgumentException.ThrowIfNullOrEmpty(eventType);
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

    /// <summary>Hands everything staged to the write that is starting, and starts afresh.</summary>
    internal (IReadOnlyList<EventAppend> Events, IReadOnlyList<IndexWrite> Indexes) Drain()
    {
        IReadOnlyList<EventAppend> events = _events is { Count: > 0 } ? _events : [];
        IReadOnlyList<IndexWrite> indexes = _indexes is { Count: > 0 } ? [.. _indexes.Values] : [];
        _events = null;
        _indexes = null;
        return (events, indexes);
    }

    private void Stage(string index, string key, IndexEntry? entry)
    {
        ArgumentException.ThrowIfNullOrEmpty(index);
        ArgumentException.ThrowIfNullOrEmpty(key);
        (_indexes ??= [])[(index, key)] = new IndexWrite(index, key, entry);
    }
}

public static class GrainContextStagingExtensions
{
    /// <summary>The activation's <see cref="StagedWrites"/>, created on first use and kept as a component of the activation.</summary>
    public static StagedWrites StagedWrites(this IGrainContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var staged = context.GetComponent<StagedWrites>();
        if (staged is null)
        {
            var time = context.ActivationServices.GetService(typeof(TimeProvider)) as TimeProvider ?? TimeProvider.System;
            staged = new StagedWrites(time);
            context.SetComponent(staged);
        }

        return staged;
    }

    /// <summary>The activation's staged writes if it has staged anything, without creating them.</summary>
    internal static StagedWrites? StagedWritesIfAny(this IGrainContext context) => context.GetComponent<StagedWrites>();
}

using System.Text.Json;
using PointsMall.Actors.Runtime;
using PointsMall.Storage;
using PointsMall.Actors.Streams;

namespace PointsMall.Actors;

/// <summary>
/// Base class of every grain. A grain class is sealed, implements one grain interface, and takes its
/// dependencies (its <see cref="IPersistentState{TState}"/>, <see cref="TimeProvider"/>, loggers, …) through
/// its primary constructor.
/// </summary>
/// <remarks>
/// Calls to one activation run one at a time, in arrival order, so grain code never needs a lock.
/// Everything a turn changes (its state, the events it publishes, the reminders it sets) is written to
/// storage together at the end of the turn, and the caller's reply waits until that write is durable.
/// When the turn throws, all of it is discarded: a refusal never leaves a half-applied change behind.
/// </remarks>
public abstract class Grain
{
    private ActivationData? _activation;

    /// <summary>This grain's identity.</summary>
    protected GrainId GrainId => Activation.Id;

    /// <summary>This grain's key (the string part of <see cref="GrainId"/>).</summary>
    protected string GrainKey => Activation.Id.Key;

    /// <summary>References to other grains, for grain-to-grain calls.</summary>
    protected IGrainFactory GrainFactory => Activation.Runtime;

    private ActivationData Activation =>
        _activation ?? throw new InvalidOperationException("The grain is not attached to an activation yet: use it from OnActivateAsync or a grain method, not its constructor.");

    /// <summary>Runs after the state is loaded and before the first call is served.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs before the activation is dropped (idle, memory pressure, shutdown). Changes it makes are written.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Starts an in-memory timer whose ticks run as turns of this activation (never concurrently with a call).
    /// Timers die with the activation; use a reminder for anything that must survive it.
    /// </summary>
    protected IDisposable RegisterTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period)
        => Activation.RegisterTimer(callback, dueTime, period);

    /// <summary>
    /// Sets a durable reminder, written together with the rest of this turn. When it is due the grain is
    /// activated if needed and receives <see cref="IRemindable.ReceiveReminderAsync"/>. A reminder without a
    /// period fires once and is removed when the turn that handled it is durable.
    /// </summary>
    protected void RegisterOrUpdateReminder(string name, DateTimeOffset dueAt, TimeSpan? period = null)
        => Activation.SetReminder(name, dueAt, period);

    /// <summary>Removes a durable reminder, together with the rest of this turn.</summary>
    protected void UnregisterReminder(string name) => Activation.RemoveReminder(name);

    /// <summary>
    /// Publishes an event on a stream. It is committed in the same storage transaction as this turn's state
    /// (an outbox), so subscribers see it if and only if the state change that produced it is durable.
    /// </summary>
    protected void Publish<TEvent>(StreamId stream, TEvent @event)
        where TEvent : class
        => Activation.Publish(stream, @event);

    /// <summary>
    /// Puts this grain's entry (keyed by its key) in <paramref name="index"/>, a queryable read model written in the
    /// same storage transaction as this turn's state, so a query never sees the index behind the grain. Read it with
    /// <see cref="IGrainIndex"/>. For lists that outgrow one grain's state: orders by status, a member's orders.
    /// </summary>
    /// <param name="sortKey">Entries come back highest first (e.g. creation time in ticks).</param>
    /// <param name="partition">An exact-match filter, such as the owning member's id.</param>
    /// <param name="tag">An exact-match filter, such as a status.</param>
    /// <param name="text">Searched as a case-insensitive substring.</param>
    protected void UpdateIndex<TEntry>(string index, TEntry entry, long sortKey, string? partition = null, string? tag = null, string? text = null)
        where TEntry : class
        => Activation.SetIndexEntry(index, new IndexEntry(partition, tag, sortKey, text?.ToLowerInvariant(),
            JsonSerializer.SerializeToUtf8Bytes(entry, GrainJson.Options)));

    /// <summary>Removes this grain's entry from <paramref name="index"/>, together with the rest of this turn.</summary>
    protected void RemoveFromIndex(string index) => Activation.SetIndexEntry(index, null);

    /// <summary>Asks the runtime to deactivate this grain once the current turn ends.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation(DeactivationReason.Requested);

    internal void Attach(ActivationData activation) => _activation = activation;
}

/// <summary>Why an activation is being deactivated.</summary>
public enum DeactivationReason
{
    Idle,
    MemoryPressure,
    Shutdown,
    Requested,

    /// <summary>A storage write of this activation failed or was fenced out; its in-memory state is discarded.</summary>
    StateDiscarded,
}

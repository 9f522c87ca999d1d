namespace PointsMall.Actors;

/// <summary>
/// A grain's durable state. Take it as a constructor parameter; the runtime loads it before the first call.
/// </summary>
/// <remarks>
/// <typeparamref name="TState"/> must be immutable (a sealed record with init-only properties and
/// immutable collections): change it by assigning a new value, <c>state.State = state.State with { … }</c>.
/// The runtime checks this when the grain type is first activated, because it relies on it: the state a turn
/// leaves is serialized later, on the commit path, and is the value restored when a later turn throws.
/// <para>
/// There is nothing to call to persist a change: when a turn ends with a new <see cref="State"/>, it is written
/// in the next group commit and the caller's reply is held until that commit is durable.
/// <see cref="WriteStateAsync"/> exists for sagas that must make a step durable before they go on.
/// </para>
/// </remarks>
public interface IPersistentState<TState>
    where TState : class, new()
{
    /// <summary>The current state. Assign a new value to change it.</summary>
    TState State { get; set; }

    /// <summary>The stored version this state will have once the writes issued so far are durable (0: never written).</summary>
    long Version { get; }

    /// <summary>Whether storage held a row for this grain when it was activated, or one has been written since.</summary>
    bool RecordExists { get; }

    /// <summary>
    /// Writes the state (and this turn's events and reminders so far) now and waits until it is durable.
    /// Use it inside a turn before an action that must not happen unless this step is recorded, such as
    /// calling another grain in a saga.
    /// </summary>
    Task WriteStateAsync(CancellationToken cancellationToken = default);
}

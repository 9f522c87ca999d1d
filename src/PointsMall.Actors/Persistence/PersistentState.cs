using System.Collections;
using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using PointsMall.Actors.Runtime;
using PointsMall.Storage;

namespace PointsMall.Actors.Persistence;

/// <summary>The runtime's untyped view of an activation's persistent state.</summary>
internal interface IStateHolder
{
    bool IsDirty { get; }

    bool RecordExists { get; set; }

    /// <summary>The state to write (an immutable object, safe to serialize later on the commit path).</summary>
    object Current { get; }

    void Load(StoredState? stored);

    /// <summary>Remembers the state at the start of a turn, to restore it if the turn throws.</summary>
    void BeginTurn();

    void Rollback();

    /// <summary>The current state has been handed to the committer.</summary>
    void MarkWritten();

    byte[] Serialize(object state);
}

internal sealed class PersistentState<TState>(ActivationData activation) : IPersistentState<TState>, IStateHolder
    where TState : class, new()
{
    private TState _state = new();
    private TState _turnStart = null!;
    private TState? _lastWritten;

    public TState State
    {
        get => _state;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _state = value;
        }
    }

    public long Version => activation.EnqueuedVersion;

    public bool RecordExists { get; set; }

    public bool IsDirty => !ReferenceEquals(_state, _lastWritten);

    object IStateHolder.Current => _state;

    public Task WriteStateAsync(CancellationToken cancellationToken = default) => activation.WriteNowAsync(cancellationToken);

    public void Load(StoredState? stored)
    {
        _state = stored is null
            ? new TState()
            : JsonSerializer.Deserialize<TState>(stored.Payload, GrainJson.Options)
              ?? throw new InvalidOperationException($"Stored state of {activation.Id} is empty.");
        _lastWritten = _state;
        RecordExists = stored is not null;
    }

    public void BeginTurn() => _turnStart = _state;

    public void Rollback() => _state = _turnStart;

    public void MarkWritten()
    {
        _lastWritten = _state;
        _turnStart = _state;
        RecordExists = true;
    }

    public byte[] Serialize(object state) => JsonSerializer.SerializeToUtf8Bytes((TState)state, GrainJson.Options);
}

/// <summary>
/// Refuses state types the runtime cannot handle safely. State is written after the turn that produced it
/// (on the commit path) and restored by reference when a turn throws, so it must not change in place.
/// </summary>
internal static class StateTypeGuard
{
    private static readonly ConcurrentDictionary<Type, string?> Verdicts = new();

    public static void EnsureImmutable(Type stateType)
    {
        var problem = Verdicts.GetOrAdd(stateType, FindMutation);
        if (problem is not null)
        {
            throw new InvalidOperationException(
                $"Grain state type {stateType.FullName} must be immutable ({problem}). Use a sealed record with " +
                "init-only properties and immutable collections, and change state by assigning a new value (`with`).");
        }
    }

    private static string? FindMutation(Type type)
    {
        foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            var setter = property.SetMethod;
            if (setter is { IsPublic: true } && !setter.ReturnParameter.GetRequiredCustomModifiers().Contains(typeof(System.Runtime.CompilerServices.IsExternalInit)))
            {
                return $"property {property.Name} has a public setter";
            }

            if (IsMutableCollection(property.PropertyType))
            {
                return $"property {property.Name} is a mutable collection ({property.PropertyType.Name})";
            }
        }

        foreach (var field in type.GetFields(BindingFlags.Public | BindingFlags.Instance))
        {
            if (!field.IsInitOnly)
            {
                return $"field {field.Name} is writable";
            }
        }

        return null;
    }

    private static bool IsMutableCollection(Type type)
    {
        if (type.IsArray)
        {
            return true;
        }

        if (!type.IsGenericType)
        {
            return type == typeof(ArrayList) || type == typeof(Hashtable);
        }

        var definition = type.GetGenericTypeDefinition();
        return definition == typeof(List<>) || definition == typeof(Dictionary<,>) || definition == typeof(HashSet<>)
            || definition == typeof(Queue<>) || definition == typeof(Stack<>) || definition == typeof(SortedDictionary<,>)
            || definition == typeof(SortedList<,>) || definition == typeof(SortedSet<>) || definition == typeof(LinkedList<>);
    }
}

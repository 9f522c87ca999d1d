using PointsMall.Storage;

namespace PointsMall.Actors;

/// <summary>The identity of a grain: its type name (stable, used as the storage key) and its string key.</summary>
public readonly record struct GrainId
{
    public GrainId(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        Type = type;
        Key = key;
    }

    public string Type { get; }

    public string Key { get; }

    public override string ToString() => $"{Type}/{Key}";

    /// <summary>A grain's state row is keyed by its identity.</summary>
    public static implicit operator StateKey(GrainId grain) => new(grain.Type, grain.Key);

    public static implicit operator GrainId(StateKey key) => new(key.Type, key.Key);

    public StateKey ToStateKey() => this;

    public static GrainId FromStateKey(StateKey key) => key;
}

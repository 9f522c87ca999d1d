namespace PointsMall.Storage;

/// <summary>
/// The key of a stored grain state row: the grain's type name (stable across releases, so existing databases keep
/// working) and its string key.
/// </summary>
public readonly record struct StateKey
{
    public StateKey(string type, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(type);
        ArgumentNullException.ThrowIfNull(key);
        Type = type;
        Key = key;
    }

    public string Type { get; }

    public string Key { get; }

    public override string ToString() => $"{Type}/{Key}";
}

using System.Text.Json;

namespace PointsMall.GroupCommit.Outbox;

/// <summary>A stream: a namespace (a kind of event source, such as <c>stock</c>) and a key within it.</summary>
public readonly record struct StreamId
{
    public StreamId(string @namespace, string key)
    {
        ArgumentException.ThrowIfNullOrEmpty(@namespace);
        ArgumentNullException.ThrowIfNull(key);
        if (@namespace.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("A stream namespace cannot contain '/'.", nameof(@namespace));
        }

        Namespace = @namespace;
        Key = key;
    }

    public string Namespace { get; }

    public string Key { get; }

    public override string ToString() => $"{Namespace}/{Key}";

    public static StreamId Parse(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        return slash <= 0
            ? throw new FormatException($"'{value}' is not a stream id (namespace/key).")
            : new StreamId(value[..slash], value[(slash + 1)..]);
    }
}

/// <summary>An event delivered to a subscriber, with its position in the outbox.</summary>
public sealed record StreamEvent(long Sequence, StreamId Stream, string EventType, ReadOnlyMemory<byte> Payload, DateTimeOffset Timestamp)
{
    /// <summary>Whether the event was published as a <typeparamref name="TEvent"/>.</summary>
    public bool Is<TEvent>() => string.Equals(EventType, StreamEventTypes.NameOf(typeof(TEvent)), StringComparison.Ordinal);

    /// <summary>Reads the payload as <typeparamref name="TEvent"/>.</summary>
    public TEvent Deserialize<TEvent>(JsonSerializerOptions? options = null)
        => JsonSerializer.Deserialize<TEvent>(Payload.Span, options ?? GroupCommitJson.Options)
           ?? throw new InvalidOperationException($"Event {Sequence} on {Stream} has an empty payload.");
}

/// <summary>How event types are named in the outbox: the CLR full name, stable as long as the type is not moved.</summary>
public static class StreamEventTypes
{
    public static string NameOf(Type eventType)
    {
        ArgumentNullException.ThrowIfNull(eventType);
        return eventType.FullName ?? eventType.Name;
    }
}

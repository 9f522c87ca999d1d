namespace PointsMall.Actors.Streams;

/// <summary>
/// A durable subscription to every stream of a namespace. <paramref name="Name"/> keys its checkpoint, so it
/// must stay the same across restarts. The handler must be idempotent: delivery is at least once.
/// </summary>
public sealed record StreamSubscriptionDefinition(
    string Name,
    string Namespace,
    Func<IServiceProvider, StreamEvent, CancellationToken, Task> Handler);

using Microsoft.Extensions.DependencyInjection;
using PointsMall.Actors.Invocation;
using PointsMall.Actors.Runtime;
using PointsMall.Actors.Streams;

namespace PointsMall.Actors.Hosting;

/// <summary>The grain classes and stream subscriptions a silo hosts, as configured on its <see cref="SiloBuilder"/>.</summary>
public sealed class GrainTypeRegistry
{
    private readonly Dictionary<string, Type> _classes = new(StringComparer.Ordinal);
    private readonly List<StreamSubscriptionDefinition> _subscriptions = [];

    internal IReadOnlyList<StreamSubscriptionDefinition> Subscriptions => _subscriptions;

    internal void AddGrain(Type grainInterface, Type grainClass)
    {
        var grainType = GrainProxies.GrainTypeOf(grainInterface);
        if (_classes.TryGetValue(grainType, out var existing) && existing != grainClass)
        {
            throw new InvalidOperationException($"Grain type '{grainType}' is already served by {existing.FullName}.");
        }

        _classes[grainType] = grainClass;
    }

    internal void AddSubscription(StreamSubscriptionDefinition subscription)
    {
        if (_subscriptions.Any(s => s.Name == subscription.Name))
        {
            throw new InvalidOperationException($"A stream subscription named '{subscription.Name}' already exists.");
        }

        _subscriptions.Add(subscription);
    }

    internal void AddImplicitSubscription(Type grainInterface, string streamNamespace)
    {
        var grainType = GrainProxies.GrainTypeOf(grainInterface);
        AddSubscription(new StreamSubscriptionDefinition(
            $"implicit:{grainType}:{streamNamespace}",
            streamNamespace,
            (services, streamEvent, _) =>
            {
                var call = new StreamCall(streamEvent);
                services.GetRequiredService<GrainRuntime>().Dispatch(new GrainId(grainType, streamEvent.Stream.Key), call);
                return call.Done;
            }));
    }

    internal Dictionary<string, GrainClass> Build()
        => _classes.ToDictionary(c => c.Key, c => new GrainClass(c.Key, c.Value), StringComparer.Ordinal);
}

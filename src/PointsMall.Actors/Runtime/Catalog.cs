using System.Collections.Concurrent;
using PointsMall.Actors.Invocation;

namespace PointsMall.Actors.Runtime;

/// <summary>The silo's directory of resident activations, keyed by grain id.</summary>
internal sealed class Catalog(GrainRuntime runtime, IReadOnlyDictionary<string, GrainClass> classes)
{
    private readonly ConcurrentDictionary<GrainId, ActivationData> _activations = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    public ICollection<ActivationData> Activations => _activations.Values;

    /// <summary>Whether this silo has a grain class for <paramref name="grainType"/> (the gateway refuses the others).</summary>
    public bool Hosts(string grainType) => classes.ContainsKey(grainType);

    public ActivationData GetOrCreate(GrainId id)
    {
        if (_activations.TryGetValue(id, out var activation))
        {
            return activation;
        }

        if (!classes.TryGetValue(id.Type, out var grainClass))
        {
            throw new InvalidOperationException($"No grain class is registered for grain type '{id.Type}'. Register it with AddGrain<TInterface, TGrain>().");
        }

        var created = new ActivationData(runtime, grainClass, id);
        while (true)
        {
            if (_activations.TryAdd(id, created))
            {
                if (Interlocked.Increment(ref _count) > runtime.Options.MaxActivations)
                {
                    runtime.Collector.Nudge();
                }

                return created;
            }

            if (_activations.TryGetValue(id, out activation))
            {
                return activation;
            }
        }
    }

    public void Remove(ActivationData activation)
    {
        if (_activations.TryRemove(new KeyValuePair<GrainId, ActivationData>(activation.Id, activation)))
        {
            Interlocked.Decrement(ref _count);
        }
    }

    /// <summary>Puts a fresh activation, already holding <paramref name="queue"/>, in the place of <paramref name="old"/>.</summary>
    public void Replace(ActivationData old, GrainCall queue)
    {
        var replacement = new ActivationData(runtime, classes[old.Id.Type], old.Id, queue);
        if (_activations.TryUpdate(old.Id, replacement, old))
        {
            replacement.Start();
            return;
        }

        // Not reachable while callers only add through GetOrCreate (which never replaces a present entry),
        // but if it were, the calls must still be delivered rather than dropped.
        for (var call = queue; call is not null;)
        {
            var next = call.Next;
            call.Next = null;
            runtime.Dispatch(old.Id, call);
            call = next;
        }
    }
}

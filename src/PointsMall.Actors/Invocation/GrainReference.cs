using System.Collections.Concurrent;
using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace PointsMall.Actors.Invocation;

/// <summary>Routes a grain call to wherever the grain's activation lives.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public interface IGrainCallInvoker
{
    Task<TResult> InvokeAsync<TGrain, TResult>(GrainId grain, GrainRequest<TGrain, TResult> request)
        where TGrain : IGrain;

    Task InvokeAsync<TGrain>(GrainId grain, GrainRequest<TGrain> request)
        where TGrain : IGrain;
}

/// <summary>Base of the generated proxies: a typed handle on one grain.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public abstract class GrainReference(GrainId grainId, IGrainCallInvoker invoker)
{
    public GrainId GrainId { get; } = grainId;

    protected Task<TResult> InvokeAsync<TGrain, TResult>(GrainRequest<TGrain, TResult> request)
        where TGrain : IGrain
        => invoker.InvokeAsync(GrainId, request);

    protected Task InvokeAsync<TGrain>(GrainRequest<TGrain> request)
        where TGrain : IGrain
        => invoker.InvokeAsync(GrainId, request);

    public override string ToString() => GrainId.ToString();
}

/// <summary>
/// The proxy factories the source generator registers, one per grain interface, with the grain type name
/// that interface maps to. Generated module initializers call <see cref="Register{TGrain}"/>.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class GrainProxies
{
    private static readonly ConcurrentDictionary<Type, Registration> Registrations = new();

    public static void Register<TGrain>(string grainType, Func<GrainId, IGrainCallInvoker, TGrain> factory)
        where TGrain : IGrain
    {
        ArgumentException.ThrowIfNullOrEmpty(grainType);
        ArgumentNullException.ThrowIfNull(factory);
        Registrations[typeof(TGrain)] = new Registration(grainType, factory);
    }

    /// <summary>The grain type name of a grain interface.</summary>
    public static string GrainTypeOf(Type grainInterface) => Find(grainInterface).GrainType;

    internal static Registration Find(Type grainInterface)
    {
        if (Registrations.TryGetValue(grainInterface, out var registration))
        {
            return registration;
        }

        // A module initializer runs on first use of its module, which typeof() alone does not guarantee.
        RuntimeHelpers.RunModuleConstructor(grainInterface.Module.ModuleHandle);
        return Registrations.TryGetValue(grainInterface, out registration)
            ? registration
            : throw new InvalidOperationException(
                $"No proxy is registered for {grainInterface.FullName}. Grain interfaces must extend IGrain and live in a " +
                "project that references the PointsMall.Actors.Generators analyzer.");
    }

    internal sealed record Registration(string GrainType, Delegate Factory);
}

/// <summary>Per-interface cache so that <see cref="IGrainFactory.GetGrain{TGrain}"/> costs one dictionary-free lookup.</summary>
internal static class GrainProxies<TGrain>
    where TGrain : IGrain
{
    private static readonly GrainProxies.Registration Registration = GrainProxies.Find(typeof(TGrain));

    public static string GrainType => Registration.GrainType;

    public static TGrain Create(string key, IGrainCallInvoker invoker)
        => ((Func<GrainId, IGrainCallInvoker, TGrain>)Registration.Factory)(new GrainId(Registration.GrainType, key), invoker);
}

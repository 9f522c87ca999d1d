using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using PointsMall.Actors.Runtime;
using PointsMall.Storage;
using PointsMall.Actors.Streams;

namespace PointsMall.Actors.Hosting;

/// <summary>Configures the grains, storage and subscriptions of a silo.</summary>
public sealed class SiloBuilder
{
    internal SiloBuilder(IServiceCollection services, GrainTypeRegistry registry)
    {
        Services = services;
        Registry = registry;
    }

    public IServiceCollection Services { get; }

    internal GrainTypeRegistry Registry { get; }

    /// <summary>Serves grain interface <typeparamref name="TInterface"/> with class <typeparamref name="TGrain"/>.</summary>
    public SiloBuilder AddGrain<TInterface, TGrain>()
        where TInterface : IGrain
        where TGrain : Grain, TInterface
    {
        Registry.AddGrain(typeof(TInterface), typeof(TGrain));
        return this;
    }

    /// <summary>Uses <paramref name="factory"/>'s store for state, outbox and reminders (one store per silo).</summary>
    public SiloBuilder UseStore(Func<IServiceProvider, IGrainStore> factory)
    {
        Services.RemoveAll<IGrainStore>();
        Services.AddSingleton(factory);
        return this;
    }

    /// <summary>Keeps everything in memory: for tests and to measure the runtime without storage cost.</summary>
    public SiloBuilder UseInMemoryStore() => UseStore(_ => new InMemoryGrainStore());

    public SiloBuilder Configure(Action<SiloOptions> configure)
    {
        Services.Configure(configure);
        return this;
    }

    /// <summary>Calls <paramref name="handler"/> for every event on the streams of <paramref name="streamNamespace"/>.</summary>
    public SiloBuilder AddStreamSubscription(string name, string streamNamespace, Func<IServiceProvider, StreamEvent, CancellationToken, Task> handler)
    {
        Registry.AddSubscription(new StreamSubscriptionDefinition(name, streamNamespace, handler));
        return this;
    }

    /// <summary>
    /// Delivers the events of stream (<paramref name="streamNamespace"/>, key) to grain (<typeparamref name="TInterface"/>, key),
    /// whose class implements <see cref="IStreamSubscriber"/>. The grain's changes are durable before the event is checkpointed.
    /// </summary>
    public SiloBuilder AddImplicitStreamSubscription<TInterface>(string streamNamespace)
        where TInterface : IGrain
    {
        Registry.AddImplicitSubscription(typeof(TInterface), streamNamespace);
        return this;
    }
}

public static class SiloServiceCollectionExtensions
{
    /// <summary>Adds a silo (the grain runtime) to the services, started and stopped as a hosted service.</summary>
    public static SiloBuilder AddSilo(this IServiceCollection services, Action<SiloOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        var registry = new GrainTypeRegistry();
        services.AddSingleton(registry);
        services.AddLogging();
        services.AddOptions<SiloOptions>();
        if (configure is not null)
        {
            services.Configure(configure);
        }

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => new SiloStatistics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton<IGrainStore, InMemoryGrainStore>();
        services.AddSingleton(sp => new GrainRuntime(
            sp,
            sp.GetRequiredService<IGrainStore>(),
            sp.GetRequiredService<IOptions<SiloOptions>>().Value,
            sp.GetRequiredService<TimeProvider>(),
            sp.GetRequiredService<GrainTypeRegistry>(),
            sp.GetRequiredService<SiloStatistics>(),
            sp.GetRequiredService<ILoggerFactory>()));
        services.AddSingleton<IGrainFactory>(sp => sp.GetRequiredService<GrainRuntime>());
        services.TryAddSingleton<IGrainIndex>(sp => new GrainIndex(sp.GetRequiredService<IGrainStore>()));
        services.AddSingleton(sp => new Silo(sp.GetRequiredService<GrainRuntime>(), sp.GetRequiredService<ILogger<Silo>>()));
        services.AddHostedService(sp => sp.GetRequiredService<Silo>());
        return new SiloBuilder(services, registry);
    }
}

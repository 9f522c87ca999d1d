using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Orleans.Runtime.Hosting;
using PointsMall.Storage;

namespace PointsMall.GroupCommit;

public static class GroupCommitHostingExtensions
{
    /// <summary>
    /// Adds a group-commit grain storage named <paramref name="name"/> over the store <paramref name="store"/> creates
    /// (created once, initialized when the silo starts, disposed with it), and the <c>[PipelinedState]</c> facet.
    /// </summary>
    public static ISiloBuilder AddGroupCommitGrainStorage(this ISiloBuilder silo, string name, Func<IServiceProvider, IGrainStore> store, Action<GroupCommitOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrEmpty(name);
        ArgumentNullException.ThrowIfNull(store);
        var options = new GroupCommitOptions();
        configure?.Invoke(options);
        silo.Services.AddGrainStorage(name, (sp, key) => new GroupCommitGrainStorage(
            key, store(sp), options, sp.GetRequiredService<IGrainContextAccessor>(), sp.GetRequiredService<ILogger<GroupCommitGrainStorage>>()));
        silo.Services.TryAddSingleton<IAttributeToFactoryMapper<PipelinedStateAttribute>, PipelinedStateAttributeMapper>();
        return silo;
    }
}

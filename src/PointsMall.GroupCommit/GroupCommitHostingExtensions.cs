using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime.Hosting;
using PointsMall.GroupCommit.Outbox;
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
            key, store(sp), options, sp.GetRequiredService<IGrainContextAccessor>(), sp.GetRequiredService<ILogger<GroupCommitGrainStorage>>(), sp.GetRequiredService<GroupCommitMetrics>()));
        silo.Services.TryAddSingleton(sp => new GroupCommitMetrics(sp.GetService<IMeterFactory>()));
        if (!silo.Services.Any(s => s.ServiceType == typeof(IAttributeToFactoryMapper<PipelinedStateAttribute>)))
        {
            silo.Services.AddSingleton<IAttributeToFactoryMapper<PipelinedStateAttribute>, PipelinedStateAttributeMapper>();
            silo.AddIncomingGrainCallFilter<TurnCommitFilter>();
        }
        return silo;
    }

    /// <summary>
    /// Delivers the outbox of the group-commit storage named <paramref name="storageName"/> to the subscriptions added
    /// with <see cref="AddOutboxSubscription"/>, and registers <see cref="IGrainIndex"/> over its indexes.
    /// </summary>
    public static ISiloBuilder UseGroupCommitOutbox(this ISiloBuilder silo, string storageName, Action<OutboxOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrEmpty(storageName);
        var options = new OutboxOptions();
        configure?.Invoke(options);
        options.Validate();
        silo.Services.AddSingleton(sp =>
        {
            var membership = sp.GetRequiredService<IClusterMembershipService>();
            var self = sp.GetRequiredService<ILocalSiloDetails>().SiloAddress;
            return new OutboxDispatcher(
                StorageNamed(sp, storageName).Store,
                self.ToParsableString(),
                holder => OutboxSiloParticipant.IsGone(membership, self, holder),
                [.. sp.GetServices<OutboxSubscription>()],
                options,
                sp,
                sp.GetService<TimeProvider>() ?? TimeProvider.System,
                sp.GetRequiredService<ILogger<OutboxDispatcher>>());
        });
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp =>
            new OutboxSiloParticipant(StorageNamed(sp, storageName), sp.GetRequiredService<OutboxDispatcher>()));
        silo.Services.AddSingleton<IGrainIndex>(sp => new GrainIndex(StorageNamed(sp, storageName)));
        return silo;
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to every stream of <paramref name="streamNamespace"/> in the outbox.
    /// <paramref name="name"/> keys the durable checkpoint: never rename it.
    /// </summary>
    public static ISiloBuilder AddOutboxSubscription(this ISiloBuilder silo, string name, string streamNamespace, Func<IServiceProvider, StreamEvent, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new OutboxSubscription(name, streamNamespace, handler));
        return silo;
    }

    /// <summary>
    /// Subscribes <paramref name="handler"/> to every stream of <paramref name="streamNamespace"/>, a page at a time: each
    /// call gets the page's events of the namespace in outbox order (see <see cref="OutboxSubscription.BatchHandler"/>).
    /// A failed call is retried whole, so the handler must be idempotent per event, as for single delivery.
    /// </summary>
    public static ISiloBuilder AddOutboxBatchSubscription(
        this ISiloBuilder silo, string name, string streamNamespace, Func<IServiceProvider, IReadOnlyList<StreamEvent>, CancellationToken, Task> handler)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(handler);
        silo.Services.AddSingleton(new OutboxSubscription(name, streamNamespace, (services, e, ct) => handler(services, [e], ct)) { BatchHandler = handler });
        return silo;
    }

    /// <summary>
    /// Keeps Orleans' reminders in the store of the group-commit storage named <paramref name="storageName"/> (its
    /// reminder rows), so they survive restarts wherever the grain states do, and grains set and remove them in the
    /// same transaction as their state. The reminder service reads new rows every <paramref name="refreshPeriod"/>
    /// (one minute unless given): a reminder set that way is late by at most that much.
    /// </summary>
    public static ISiloBuilder UseGroupCommitReminders(this ISiloBuilder silo, string storageName, TimeSpan? refreshPeriod = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrEmpty(storageName);
        silo.AddReminders();
        silo.Configure<ReminderOptions>(o => o.RefreshReminderListPeriod = refreshPeriod ?? TimeSpan.FromMinutes(1));
        silo.Services.AddSingleton<IReminderTable>(sp => new StoreReminderTable(
            StorageNamed(sp, storageName),
            sp.GetRequiredService<IOptions<ReminderOptions>>().Value.MinimumReminderPeriod));
        return silo;
    }

    private static GroupCommitGrainStorage StorageNamed(IServiceProvider services, string name) =>
        services.GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(name) as GroupCommitGrainStorage
        ?? throw new InvalidOperationException($"The grain storage '{name}' is not a group-commit storage (AddGroupCommitGrainStorage).");
}

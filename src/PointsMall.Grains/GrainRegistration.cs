using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.Serialization;
using PointsMall.Contracts.Common;
using PointsMall.Grains.Analytics;
using PointsMall.Grains.Catalog;
using PointsMall.Grains.Lottery;
using PointsMall.Grains.Members;
using PointsMall.Grains.Messages;
using PointsMall.Grains.Orders;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains;

public static class GrainRegistration
{
    /// <summary>
    /// Everything a PointsMall silo runs besides its clustering: the wire codecs, the group-commit storage over the store
    /// <paramref name="store"/> creates, reminders and the outbox in that store, the grains' services and the outbox
    /// subscriptions that keep their projections current. The grains' clock is <see cref="GrainClock"/> (the system
    /// clock unless one was registered first).
    /// </summary>
    public static ISiloBuilder AddPointsMall(this ISiloBuilder silo, Func<IServiceProvider, IGrainStore> store)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSerializer(s => s.AddPointsMallWire());
        silo.Services.TryAddKeyedSingleton(GrainClock.Key, TimeProvider.System);
        return silo
            .AddGroupCommitGrainStorage(GrainStorage.Name, store)
            .UseGroupCommitReminders(GrainStorage.Name)
            .UseGroupCommitOutbox(GrainStorage.Name)
            .AddPointsMallGrains();
    }

    /// <summary>The grains' services and the outbox subscriptions that keep their projections current.</summary>
    public static ISiloBuilder AddPointsMallGrains(this ISiloBuilder silo)
        => silo.AddMemberGrains().AddCatalogGrains().AddOrderGrains().AddLotteryGrains().AddMessageGrains().AddAnalyticsGrains();
}

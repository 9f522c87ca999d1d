using PointsMall.Actors.Hosting;
using PointsMall.Grains.Catalog;
using PointsMall.Grains.Lottery;
using PointsMall.Grains.Members;
using PointsMall.Grains.Orders;

namespace PointsMall.Grains;

public static class GrainRegistration
{
    /// <summary>Hosts every PointsMall grain and the stream subscriptions that keep their projections current.</summary>
    public static SiloBuilder AddPointsMallGrains(this SiloBuilder silo)
        => silo.AddMemberGrains().AddCatalogGrains().AddOrderGrains().AddLotteryGrains();
}

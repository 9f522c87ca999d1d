using PointsMall.Actors.Hosting;

namespace PointsMall.Grains.Orders;

public static class OrdersRegistration
{
    // Filled in with the Orders grains and their subscriptions as they land.
    public static SiloBuilder AddOrderGrains(this SiloBuilder silo) => silo;
}

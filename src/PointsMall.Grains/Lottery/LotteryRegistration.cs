using PointsMall.Actors.Hosting;

namespace PointsMall.Grains.Lottery;

public static class LotteryRegistration
{
    // Filled in with the Lottery grains and their subscriptions as they land.
    public static SiloBuilder AddLotteryGrains(this SiloBuilder silo) => silo;
}

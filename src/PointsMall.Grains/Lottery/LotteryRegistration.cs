using Microsoft.Extensions.DependencyInjection.Extensions;

namespace PointsMall.Grains.Lottery;

public static class LotteryRegistration
{
    public static ISiloBuilder AddLotteryGrains(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);

        // TryAdd: a host (or a test) that registered its own source of randomness keeps it.
        silo.Services.TryAddSingleton<ILotteryRandom, ProvablyFairRandom>();
        return silo;
    }
}

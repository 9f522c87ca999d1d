using Microsoft.Extensions.DependencyInjection.Extensions;
using PointsMall.Actors.Hosting;
using PointsMall.Contracts.Lottery;

namespace PointsMall.Grains.Lottery;

public static class LotteryRegistration
{
    public static SiloBuilder AddLotteryGrains(this SiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);

        // TryAdd: a host (or a test) that registered its own source of randomness keeps it.
        silo.Services.TryAddSingleton<ILotteryRandom, CryptoLotteryRandom>();
        return silo
            .AddGrain<ILotteryGrain, LotteryGrain>()
            .AddGrain<IDrawGrain, DrawGrain>()
            .AddGrain<ILotteryDirectoryGrain, LotteryDirectoryGrain>()
            .AddGrain<IMemberDrawsGrain, MemberDrawsGrain>();
    }
}

using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Domain.Lottery;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Members;
using PointsMall.Grains.Lottery;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Catalog.CatalogTestData;

namespace PointsMall.Grains.Tests.Lottery;

/// <summary>
/// Random values from a list, in order, then the fallback forever, whatever the seed. The lottery grain takes one value
/// per new draw (never for a replay), one turn at a time, so a test knows which draw gets which value.
/// </summary>
internal sealed class ScriptedRandom(IEnumerable<double> values, double fallback = 0.999) : ILotteryRandom
{
    private readonly double[] _values = [.. values];
    private int _next = -1;

    public int Taken => Volatile.Read(ref _next) + 1;

    public double ValueOf(string seed, string lotteryId, string memberId, long drawNumber)
    {
        var index = Interlocked.Increment(ref _next);
        return index < _values.Length ? _values[index] : fallback;
    }

    /// <summary>Replaces the default source (registered with TryAdd, so the last registration wins).</summary>
    public void Install(ISiloBuilder silo) => silo.Services.AddSingleton<ILotteryRandom>(this);
}

internal static class LotteryTestData
{
    /// <summary>1st electronics, 2nd brand goods, 3rd coupons. Intervals [0, .1), [.1, .3), [.3, .6).</summary>
    public static PrizeTable Table(int version = 1, int firstStock = 1, int secondStock = 5, int thirdStock = 100, long cost = 50, long participation = 0)
        => new(version, cost, participation, ImmutableArray.Create(
            new PrizeTier("first", 1, "Tablet", "prize-tablet", 0.1, firstStock),
            new PrizeTier("second", 2, "Brand mug", "prize-mug", 0.2, secondStock),
            new PrizeTier("third", 3, "Coffee coupon", "prize-coupon", 0.3, thirdStock)));

    /// <summary>A silo with the prize products and one lottery configured, drawing the scripted values.</summary>
    public static async Task<GrainsSilo> StartDrawsAsync(ScriptedRandom random, string lotteryId, PrizeTable table, int? dailyLimit = null)
    {
        var silo = await GrainsSilo.StartAsync(configure: random.Install);
        foreach (var prize in new[] { "prize-tablet", "prize-mug", "prize-coupon" })
        {
            await CreateAsync(silo, Product(prize), 10);
        }

        var configured = await silo.Grain<ILotteryGrain>(lotteryId).ConfigureAsync(new ConfigureLottery("Spring", table, null, null, dailyLimit));
        Assert.True(configured.Succeeded, configured.Refusal?.ToString());
        return silo;
    }

    /// <summary>A registered member holding <paramref name="points"/>.</summary>
    public static async Task<IMemberGrain> MemberAsync(GrainsSilo silo, string memberId, long points)
    {
        var member = silo.Grain<IMemberGrain>(memberId);
        var registered = await member.RegisterAsync(new RegisterMember(null, $"{memberId}@example.com", "password-123", memberId));
        Assert.True(registered.Succeeded, registered.Refusal?.ToString());
        var granted = await member.AdjustAsync(new AdjustPoints("seed", points, "test seed"));
        Assert.True(granted.Succeeded, granted.Refusal?.ToString());
        return member;
    }
}

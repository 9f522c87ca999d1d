using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Domain.Lottery;
using PointsMall.Grains.Lottery;

namespace PointsMall.Grains.Tests.Lottery;

/// <summary>
/// Random values from a list, in order, then the fallback forever. The lottery grain takes one value per
/// new draw (never for a replay), one turn at a time, so a test knows which draw gets which value.
/// </summary>
internal sealed class ScriptedRandom(IEnumerable<double> values, double fallback = 0.999) : ILotteryRandom
{
    private readonly double[] _values = [.. values];
    private int _next = -1;

    public int Taken => Volatile.Read(ref _next) + 1;

    public double NextDouble()
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
}

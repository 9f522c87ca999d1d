using PointsMall.Domain.Lottery;

namespace PointsMall.Grains.Lottery;

/// <summary>
/// Where a draw's random value comes from. The product's is <see cref="ProvablyFairRandom"/>; the seam lets tests
/// script outcomes. Whatever it answers is recorded in the draw, so a substitute shows up at once on the verify page.
/// </summary>
public interface ILotteryRandom
{
    /// <summary>The value in [0, 1) of draw <paramref name="drawNumber"/> of the lottery by the member.</summary>
    double ValueOf(string seed, string lotteryId, string memberId, long drawNumber);
}

/// <summary>Values anyone can recompute once the seed is published (<see cref="LotteryFairness"/>).</summary>
public sealed class ProvablyFairRandom : ILotteryRandom
{
    public double ValueOf(string seed, string lotteryId, string memberId, long drawNumber)
        => LotteryFairness.Value(seed, lotteryId, memberId, drawNumber);
}

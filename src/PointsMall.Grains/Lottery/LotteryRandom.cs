using System.Security.Cryptography;

namespace PointsMall.Grains.Lottery;

/// <summary>
/// Where a draw's random value comes from. Injected so tests (and audits replaying a storm) can supply a
/// known sequence; the value is recorded in every <see cref="Domain.Lottery.DrawRecord"/>.
/// </summary>
public interface ILotteryRandom
{
    /// <summary>A value uniformly distributed in [0, 1).</summary>
    double NextDouble();
}

/// <summary>
/// Cryptographic randomness: a lottery's outcome must not be predictable from earlier draws, which a
/// seeded <see cref="Random"/> would allow.
/// </summary>
public sealed class CryptoLotteryRandom : ILotteryRandom
{
    public double NextDouble()
    {
        Span<byte> bytes = stackalloc byte[8];
        RandomNumberGenerator.Fill(bytes);

        // The top 53 bits fill a double's mantissa exactly, so every value is k / 2^53 with k < 2^53: in [0, 1).
        return (BitConverter.ToUInt64(bytes) >> 11) * (1.0 / (1UL << 53));
    }
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace PointsMall.Domain.Lottery;

/// <summary>
/// Provably fair draws. A lottery takes a secret seed when it is created and publishes only the seed's SHA-256 (the
/// commitment); when it closes it publishes the seed. Each draw's random value is
/// <c>HMAC-SHA256(seed, "{lottery}\n{member}\n{drawNumber}")</c>, its first 8 bytes read big-endian, the top 53 bits
/// divided by 2^53: a value in [0, 1) that the prize table maps to a tier (<see cref="PrizeTable.TierAt"/>). So anyone
/// holding the published seed can recompute every draw, and the commitment shows the seed was fixed before the first
/// draw: the operator could not pick outcomes afterwards, and nobody could predict them while the seed was secret.
/// </summary>
public static class LotteryFairness
{
    public const int SeedBytes = 32;

    /// <summary>How the value is derived, in words, for the verify page and the API.</summary>
    public const string Algorithm = "HMAC-SHA256(key = seed bytes, message = UTF-8 \"{lotteryId}\\n{memberId}\\n{drawNumber}\"); "
        + "first 8 bytes as a big-endian unsigned integer, shifted right by 11, divided by 2^53";

    /// <summary>A new secret seed, as lower-case hex.</summary>
    public static string NewSeed() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(SeedBytes));

    /// <summary>The published commitment to a seed: the lower-case hex SHA-256 of its bytes.</summary>
    public static string Commitment(string seed) => Convert.ToHexStringLower(SHA256.HashData(SeedOf(seed)));

    /// <summary>The random value of draw <paramref name="drawNumber"/> by <paramref name="memberId"/>, in [0, 1).</summary>
    public static double Value(string seed, string lotteryId, string memberId, long drawNumber)
    {
        ArgumentException.ThrowIfNullOrEmpty(lotteryId);
        ArgumentException.ThrowIfNullOrEmpty(memberId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(drawNumber);
        var mac = HMACSHA256.HashData(SeedOf(seed), Encoding.UTF8.GetBytes($"{lotteryId}\n{memberId}\n{drawNumber}"));

        // The top 53 bits fill a double's mantissa exactly, so every value is k / 2^53 with k < 2^53: in [0, 1).
        return (BinaryPrimitives.ReadUInt64BigEndian(mac) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Whether <paramref name="seed"/> is one this class made (64 hex digits).</summary>
    public static bool IsSeed(string? seed) => seed is { Length: SeedBytes * 2 } && seed.All(Uri.IsHexDigit);

    private static byte[] SeedOf(string seed)
        => IsSeed(seed) ? Convert.FromHexString(seed) : throw new ArgumentException($"A seed is {SeedBytes * 2} hex digits.", nameof(seed));
}

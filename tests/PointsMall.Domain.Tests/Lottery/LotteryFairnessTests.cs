using PointsMall.Domain.Lottery;

namespace PointsMall.Domain.Tests.Lottery;

public sealed class LotteryFairnessTests
{
    /// <summary>The bytes 0, 1, …, 31.</summary>
    private const string Seed = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    [Fact]
    public void The_commitment_is_the_sha256_of_the_seed_bytes()
        // Computed apart from this code: Python's hashlib.sha256(bytes(range(32))).hexdigest().
        => Assert.Equal("630dcd2966c4336691125448bbb25b4ff412a49c732db2c8abc1b8581bd710dd", LotteryFairness.Commitment(Seed));

    [Theory]
    // Computed apart from this code, with Python's hmac and struct: (unpack('>Q', mac[:8])[0] >> 11) / 2**53.
    [InlineData(1, 0.7150912566527865)]
    [InlineData(2, 0.7373235133733266)]
    public void A_draws_value_is_the_documented_hmac_of_lottery_member_and_number(long drawNumber, double expected)
        => Assert.Equal(expected, LotteryFairness.Value(Seed, "spring", "m-1", drawNumber));

    [Fact]
    public void Every_input_changes_the_value_and_values_stay_in_the_unit_interval()
    {
        var values = new[]
        {
            LotteryFairness.Value(Seed, "spring", "m-1", 1),
            LotteryFairness.Value(Seed, "autumn", "m-1", 1),
            LotteryFairness.Value(Seed, "spring", "m-2", 1),
            LotteryFairness.Value(Seed, "spring", "m-1", 3),
            LotteryFairness.Value(LotteryFairness.NewSeed(), "spring", "m-1", 1),
        };

        Assert.Equal(values.Length, values.Distinct().Count());
        Assert.All(Enumerable.Range(1, 1000).Select(n => LotteryFairness.Value(Seed, "spring", "m-1", n)), v => Assert.InRange(v, 0, 0.9999999999999999));
    }

    [Fact]
    public void New_seeds_are_64_hex_digits_and_differ()
    {
        var (a, b) = (LotteryFairness.NewSeed(), LotteryFairness.NewSeed());
        Assert.True(LotteryFairness.IsSeed(a) && LotteryFairness.IsSeed(b));
        Assert.NotEqual(a, b);
        Assert.Throws<ArgumentException>(() => LotteryFairness.Commitment("not-a-seed"));
    }
}

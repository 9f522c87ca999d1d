using PointsMall.Domain.Common;
using PointsMall.Domain.Lottery;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Lottery;

public sealed class LotteryTests
{
    private static readonly DateTimeOffset Now = Cn(2025, 6, 18, 20);

    /// <summary>1st electronics, 2nd brand goods, 3rd coupons.</summary>
    private static PrizeTable Table(int firstStock = 1) => new(1, 100, 5,
    [
        new PrizeTier("t1", 1, "Electronics", "phone", 0.01, firstStock),
        new PrizeTier("t2", 2, "Brand goods", "mug", 0.09, 10),
        new PrizeTier("t3", 3, "Coupon", "coupon-10", 0.30, 1000),
    ]);

    [Theory]
    [InlineData(0.0, "t1")]
    [InlineData(0.0099, "t1")]
    [InlineData(0.01, "t2")]
    [InlineData(0.0999, "t2")]
    [InlineData(0.10, "t3")]
    [InlineData(0.3999, "t3")]
    [InlineData(0.40, null)]
    [InlineData(0.9999, null)]
    public void Random_values_map_to_tiers_by_their_probabilities(double random, string? tier)
    {
        var outcome = LotteryState.Create("l1", Table()).Draw("d1", "m1", random, Now);

        Assert.Equal(tier, outcome.Record!.WonTierId);
    }

    [Fact]
    public void A_tier_whose_stock_is_gone_is_never_won()
    {
        var state = LotteryState.Create("l1", Table(firstStock: 1));
        var first = state.Draw("d1", "m1", 0.005, Now);
        var second = first.State.Draw("d2", "m2", 0.005, Now);

        Assert.True(first.Won);
        Assert.False(second.Won);
        Assert.Equal("t1", second.Record!.LandedTierId);
        Assert.Equal(0, second.State.Remaining["t1"]);
    }

    [Fact]
    public void Exhausted_stock_never_changes_the_odds_of_other_tiers()
    {
        var state = LotteryState.Create("l1", Table(firstStock: 0));

        Assert.Equal("t2", state.Draw("d1", "m1", 0.05, Now).Record!.WonTierId);
        Assert.Null(state.Draw("d2", "m1", 0.005, Now).Record!.WonTierId);
    }

    [Fact]
    public void Draw_record_holds_the_random_value_table_version_prize_points_and_draw_number()
    {
        var first = LotteryState.Create("l1", Table()).Draw("d1", "m1", 0.05, Now);
        var second = first.State.Draw("d2", "m2", 0.95, Now).Record!;

        Assert.Equal(new DrawRecord("d1", "m1", Now, 0.05, 1, "t2", "t2", "mug", 100, 5, DrawNumber: 1), first.Record);
        Assert.Equal((2L, null), (second.DrawNumber, second.WonTierId));
    }

    [Fact]
    public void Repeating_a_draw_id_returns_the_first_record_without_drawing_again()
    {
        var first = LotteryState.Create("l1", Table()).Draw("d1", "m1", 0.005, Now);

        var again = first.State.Draw("d1", "m1", 0.9, Now);

        Assert.True(again.Replayed);
        Assert.Same(first.State, again.State);
        Assert.Equal(first.Record, again.Record);
        Assert.Equal(RefusalCode.Conflict, first.State.Draw("d1", "m2", 0.9, Now).Refusal?.Code);
    }

    [Fact]
    public void A_new_table_version_keeps_remaining_stock_and_must_increase()
    {
        var state = LotteryState.Create("l1", Table()).Draw("d1", "m1", 0.005, Now).State;

        var (replaced, refusal) = state.Replace(Table(firstStock: 5) with { Version = 2 });

        Assert.Null(refusal);
        Assert.Equal(0, replaced.Remaining["t1"]);
        Assert.Equal(2, replaced.Draw("d2", "m1", 0.5, Now).Record!.TableVersion);
        Assert.Equal(RefusalCode.Conflict, replaced.Replace(Table() with { Version = 2 }).Refusal?.Code);
    }

    [Fact]
    public void Probabilities_above_one_are_invalid() =>
        Assert.NotEmpty((Table() with { Tiers = [new PrizeTier("a", 1, "a", null, 0.7, 1), new PrizeTier("b", 2, "b", null, 0.4, 1)] }).Validate());

    [Fact]
    public void Recent_draws_are_bounded()
    {
        var state = LotteryState.Create("l1", Table(), recentDrawCapacity: 3);
        for (var i = 0; i < 5; i++)
        {
            state = state.Draw($"d{i}", "m1", 0.9, Now).State;
        }

        Assert.Equal(["d2", "d3", "d4"], state.RecentDraws.Select(d => d.DrawId));
        Assert.Equal(5, state.DrawCount);
    }

    [Fact]
    public void Lottery_state_round_trips_through_json() =>
        Json.AssertRoundTrips(LotteryState.Create("l1", Table()).Draw("d1", "m1", 0.05, Now).State);
}

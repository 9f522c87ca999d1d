using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Members;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Catalog.CatalogTestData;
using static PointsMall.Grains.Tests.Lottery.LotteryTestData;

namespace PointsMall.Grains.Tests.Lottery;

/// <summary>The lottery list, remaining tier stock, member draw history, and the fixes for cost changes and interval boundaries.</summary>
public sealed class LotteryDirectoryAndHistoryTests
{
    private const string LotteryId = "autumn";

    [Fact]
    public async Task A_configured_lottery_is_listed_once_and_follows_its_name()
    {
        await using var silo = await StartAsync(new ScriptedRandom([]));
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);

        await lottery.ConfigureAsync(new ConfigureLottery("Autumn wheel", Table(), null, null));
        await silo.Grain<ILotteryGrain>("other").ConfigureAsync(new ConfigureLottery("Other", Table(), null, null));

        var listed = await silo.Grain<ILotteryDirectoryGrain>(LotteryKeys.Directory).ListAsync();
        Assert.Equal([(LotteryId, "Autumn wheel"), ("other", "Other")], listed.Select(e => (e.Id, e.Name)));
        Assert.Equal("Autumn wheel", (await lottery.GetAsync())!.Name);
    }

    [Fact]
    public async Task A_refused_configuration_is_not_listed()
    {
        await using var silo = await StartAsync(new ScriptedRandom([]));

        var refused = await silo.Grain<ILotteryGrain>("broken").ConfigureAsync(new ConfigureLottery("", Table(), null, null));

        Assert.Equal("validation_failed", refused.Refusal?.Code);
        Assert.Empty(await silo.Grain<ILotteryDirectoryGrain>(LotteryKeys.Directory).ListAsync());
    }

    [Fact]
    public async Task The_view_shows_remaining_stock_per_tier_and_a_sold_out_tier_is_never_won()
    {
        // Both draws land in the first tier, which has one unit: the second wins nothing.
        await using var silo = await StartAsync(new ScriptedRandom([0.05, 0.05]));
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);
        await lottery.ConfigureAsync(new ConfigureLottery("Autumn", Table(firstStock: 1), null, null));

        var first = await lottery.DrawAsync("d-1", "m-1");
        var second = await lottery.DrawAsync("d-2", "m-2");

        Assert.Equal("first", first.Record!.WonTierId);
        Assert.Equal(("first", null), (second.Record!.LandedTierId, second.Record.WonTierId));
        var view = (await lottery.GetAsync())!;
        Assert.Equal(0, view.Remaining!["first"]);
        Assert.Equal(5, view.Remaining["second"]);
        Assert.Equal((2L, 1L), (view.Draws, view.Wins));
    }

    [Theory]
    [InlineData(0.3, "third")]
    [InlineData(0.1, "second")]
    [InlineData(0.6, null)]
    [InlineData(0.5999999, "third")]
    public async Task A_value_on_an_interval_boundary_lands_in_the_tier_that_starts_there(double value, string? tier)
    {
        // In binary 0.1 + 0.2 is 0.30000000000000004, which used to hand 0.3 to the second tier.
        await using var silo = await StartAsync(new ScriptedRandom([value]));
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);
        await lottery.ConfigureAsync(new ConfigureLottery("Autumn", Table(), null, null));

        var result = await lottery.DrawAsync("d-1", "m-1");

        Assert.Equal(tier, result.Record!.LandedTierId);
    }

    [Fact]
    public async Task A_draw_paid_at_an_old_cost_is_refused_without_taking_a_random_value()
    {
        var random = new ScriptedRandom([0.05]);
        await using var silo = await StartAsync(random);
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);
        await lottery.ConfigureAsync(new ConfigureLottery("Autumn", Table(cost: 50), null, null));
        await lottery.ConfigureAsync(new ConfigureLottery("Autumn", Table(cost: 80), null, null));

        var stale = await lottery.DrawPaidAsync(new PaidDraw("d-1", "m-1", 50));
        var current = await lottery.DrawPaidAsync(new PaidDraw("d-2", "m-1", 80));

        Assert.Equal(("conflict", "cost_changed"), (stale.Refusal?.Code, stale.Refusal?.Detail));
        Assert.True(current.Succeeded);
        Assert.Equal(80, current.Record!.CostPoints);
        Assert.Equal(1, random.Taken);
    }

    [Fact]
    public async Task A_finished_draw_appears_once_in_the_members_history_with_tier_and_prize()
    {
        await using var silo = await StartAsync(new ScriptedRandom([0.05, 0.95]));
        await silo.Grain<ILotteryGrain>(LotteryId).ConfigureAsync(new ConfigureLottery("Autumn", Table(cost: 50), null, null));
        await MemberAsync(silo, "m-1", 500);

        var won = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");
        await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");
        var lost = await silo.Grain<IDrawGrain>("d-2").DrawAsync(LotteryId, "m-1");

        Assert.Equal((1, "Tablet", "Autumn"), (won.TierRank, won.TierName, won.LotteryName));
        Assert.Equal("prize-tablet", won.PrizeName);
        var history = await silo.Grain<IMemberDrawsGrain>("m-1").ListAsync(1, 10);
        Assert.Equal(2, history.Total);
        Assert.Equal(["d-2", "d-1"], history.Items.Select(d => d.DrawId));
        var win = history.Items[1];
        Assert.Equal((true, 1, "Tablet", won.PrizeOrderId, 50L), (win.Won, win.TierRank, win.TierName, win.PrizeOrderId, win.PointsSpent));
        Assert.False(history.Items[0].Won);
        Assert.Null(lost.PrizeOrderId);
        Assert.Empty((await silo.Grain<IMemberDrawsGrain>("m-2").ListAsync(1, 10)).Items);
    }

    private static async Task<GrainsSilo> StartAsync(ScriptedRandom random)
    {
        var silo = await GrainsSilo.StartAsync(configure: random.Install);
        foreach (var prize in new[] { "prize-tablet", "prize-mug", "prize-coupon" })
        {
            await CreateAsync(silo, Product(prize, name: prize), 10);
        }

        return silo;
    }

    private static async Task MemberAsync(GrainsSilo silo, string memberId, long points)
    {
        var member = silo.Grain<IMemberGrain>(memberId);
        Assert.True((await member.RegisterAsync(new RegisterMember(null, $"{memberId}@example.com", "password-123", memberId))).Succeeded);
        Assert.True((await member.AdjustAsync(new AdjustPoints("seed", points, "test seed"))).Succeeded);
    }
}

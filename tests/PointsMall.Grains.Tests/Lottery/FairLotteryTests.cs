using System.Collections.Immutable;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Lottery;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Lottery.LotteryTestData;

namespace PointsMall.Grains.Tests.Lottery;

/// <summary>Provably fair draws, the audit trail, per-member daily limits and winners' bonus points.</summary>
public sealed class FairLotteryTests
{
    private const string LotteryId = "fair";

    [Fact]
    public async Task A_closed_lottery_publishes_the_seed_its_hash_committed_to_and_every_draw_recomputes_from_it()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);
        var opened = (await lottery.ConfigureAsync(new ConfigureLottery("Fair", Table(firstStock: 1000, secondStock: 1000, thirdStock: 1000), null, null))).Lottery!;
        Assert.Null(opened.Seed);
        Assert.Matches("^[0-9a-f]{64}$", opened.SeedHash);

        for (var i = 1; i <= 30; i++)
        {
            Assert.True((await lottery.DrawAsync($"d-{i}", $"m-{i % 3}")).Succeeded);
        }

        Assert.Null((await lottery.GetAsync())!.Seed);
        var closed = (await lottery.CloseAsync()).Lottery!;

        Assert.Equal(opened.SeedHash, closed.SeedHash);
        Assert.Equal(closed.SeedHash, LotteryFairness.Commitment(closed.Seed!));
        var trail = await silo.Grain<ILotteryDrawsGrain>(LotteryId).ListAsync(new LotteryDrawQuery(null, null, 1, 100));
        Assert.Equal(30, trail.Total);
        Assert.Equal(Enumerable.Range(1, 30).Reverse().Select(n => (long)n), trail.Items.Select(d => d.DrawNumber));
        Assert.All(trail.Items, draw =>
        {
            Assert.Equal(LotteryFairness.Value(closed.Seed!, LotteryId, draw.MemberId, draw.DrawNumber), draw.RandomValue);
            Assert.Equal(closed.Tables.Single(t => t.Version == draw.TableVersion).TierAt(draw.RandomValue)?.Id, draw.LandedTierId);
        });
    }

    [Fact]
    public async Task A_closed_lottery_refuses_draws_and_cannot_be_reopened_but_may_be_renamed()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);
        await lottery.ConfigureAsync(new ConfigureLottery("Fair", Table(), null, null));
        var closed = (await lottery.CloseAsync()).Lottery!;
        silo.Time.Advance(TimeSpan.FromSeconds(1));

        Assert.Equal("lottery_ended", (await lottery.DrawAsync("d-1", "m-1")).Refusal?.Detail);
        var reopened = await lottery.ConfigureAsync(new ConfigureLottery("Fair", Table(), null, silo.Time.GetUtcNow().AddDays(1)));
        Assert.Equal(("conflict", "lottery_closed"), (reopened.Refusal?.Code, reopened.Refusal?.Detail));
        Assert.Equal("lottery_closed", (await lottery.ConfigureAsync(new ConfigureLottery("Fair", Table(cost: 1), null, closed.EndsAt))).Refusal?.Detail);
        Assert.True((await lottery.ConfigureAsync(new ConfigureLottery("Fair (ended)", Table(), null, closed.EndsAt))).Succeeded);
        Assert.Equal((closed.Seed, closed.EndsAt), ((await lottery.CloseAsync()).Lottery!.Seed, (await lottery.GetAsync())!.EndsAt));
        Assert.Equal("not_found", (await silo.Grain<ILotteryGrain>("none").CloseAsync()).Refusal?.Code);
    }

    [Fact]
    public async Task The_audit_trail_filters_by_member_outcome_and_tier()
    {
        // m-1 wins the first tier, m-2 loses, m-1 wins the second tier, m-1 loses.
        var random = new ScriptedRandom([0.05, 0.95, 0.15, 0.95]);
        await using var silo = await GrainsSilo.StartAsync(configure: random.Install);
        var lottery = silo.Grain<ILotteryGrain>(LotteryId);
        await lottery.ConfigureAsync(new ConfigureLottery("Fair", Table(), null, null));
        foreach (var (draw, member) in new[] { ("d-1", "m-1"), ("d-2", "m-2"), ("d-3", "m-1"), ("d-4", "m-1") })
        {
            Assert.True((await lottery.DrawAsync(draw, member)).Succeeded);
        }

        var trail = silo.Grain<ILotteryDrawsGrain>(LotteryId);
        async Task<string[]> DrawsAsync(string? member, string? outcome)
            => [.. (await trail.ListAsync(new LotteryDrawQuery(member, outcome, 1, 20))).Items.Select(d => d.DrawId)];

        Assert.Equal(["d-4", "d-3", "d-2", "d-1"], await DrawsAsync(null, null));
        Assert.Equal(["d-4", "d-3", "d-1"], await DrawsAsync("m-1", null));
        Assert.Equal(["d-3", "d-1"], await DrawsAsync(null, "won"));
        Assert.Equal(["d-4", "d-2"], await DrawsAsync(null, "lost"));
        Assert.Equal(["d-4"], await DrawsAsync("m-1", "lost"));
        Assert.Equal(["d-1"], await DrawsAsync(null, "first"));
        Assert.Empty(await DrawsAsync("m-", null));
        Assert.Equal(0, (await silo.Grain<ILotteryDrawsGrain>("other").ListAsync(new LotteryDrawQuery(null, null, 1, 20))).Total);
        var page = await trail.ListAsync(new LotteryDrawQuery(null, null, 2, 3));
        Assert.Equal((4, 1, "d-1"), (page.Total, page.Items.Count, page.Items[0].DrawId));
    }

    [Fact]
    public async Task A_member_draws_at_most_the_daily_limit_a_refused_draw_uses_none_and_the_next_day_opens_again()
    {
        await using var silo = await StartAsync(new ScriptedRandom([]), dailyLimit: 2);
        var member = await MemberAsync(silo, "m-1", 10);

        // Not enough points: refused, and the day's two draws are still there.
        Assert.Equal("insufficient_points", (await silo.Grain<IDrawGrain>("d-0").DrawAsync(LotteryId, "m-1")).Refusal?.Code);
        Assert.True((await member.AdjustAsync(new AdjustPoints("top-up", 500, "test"))).Succeeded);
        Assert.True((await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1")).Succeeded);
        Assert.True((await silo.Grain<IDrawGrain>("d-2").DrawAsync(LotteryId, "m-1")).Succeeded);
        var third = await silo.Grain<IDrawGrain>("d-3").DrawAsync(LotteryId, "m-1");

        Assert.Equal(("limit_exceeded", "daily_draw_limit"), (third.Refusal?.Code, third.Refusal?.Detail));
        Assert.True((await silo.Grain<IDrawGrain>("d-2").DrawAsync(LotteryId, "m-1")).Replayed);
        Assert.Equal(510 - 2 * 50 + 2 * 5, (await member.AuditAsync()).Balance);

        silo.Time.Advance(TimeSpan.FromDays(1));
        Assert.True((await silo.Grain<IDrawGrain>("d-4").DrawAsync(LotteryId, "m-1")).Succeeded);
    }

    [Fact]
    public async Task A_winner_of_a_points_prize_is_credited_its_bonus_once()
    {
        var random = new ScriptedRandom([0.05]);
        var table = new PrizeTable(1, 50, 5, ImmutableArray.Create(
            new PrizeTier("jackpot", 1, "1,000 points", null, 0.1, 1, BonusPoints: 1000),
            new PrizeTier("mug", 2, "Brand mug", "prize-mug", 0.2, 5, BonusPoints: 20)));
        await using var silo = await StartAsync(random, table: table);
        var member = await MemberAsync(silo, "m-1", 500);

        var won = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");
        var again = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");

        Assert.Equal(("jackpot", 1000L, (string?)null), (won.Record?.WonTierId, won.BonusPoints, won.PrizeOrderId));
        Assert.True(again.Replayed);
        Assert.Equal(500 - 50 + 5 + 1000, (await member.AuditAsync()).Balance);
        var history = await silo.Grain<IMemberDrawsGrain>("m-1").ListAsync(1, 10);
        Assert.Equal((1000L, 1L, 0.05), (history.Items[0].BonusPoints, history.Items[0].DrawNumber, history.Items[0].RandomValue));
    }

    private static Task<GrainsSilo> StartAsync(ScriptedRandom random, int? dailyLimit = null, PrizeTable? table = null)
        => StartDrawsAsync(random, LotteryId, table ?? Table(cost: 50, participation: 5), dailyLimit);
}

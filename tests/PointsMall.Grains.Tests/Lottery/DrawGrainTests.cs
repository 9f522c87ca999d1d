using Microsoft.Extensions.Time.Testing;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Grains.Lottery;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Lottery.LotteryTestData;

namespace PointsMall.Grains.Tests.Lottery;

/// <summary>The draw saga end to end, over the real member, order, product and lottery grains.</summary>
public sealed class DrawGrainTests
{
    private const string LotteryId = "spring";

    [Fact]
    public async Task A_winning_draw_spends_the_cost_places_a_zero_cost_prize_order_and_credits_participation_points()
    {
        var random = new ScriptedRandom([0.05]);
        await using var silo = await StartAsync(random);
        var member = await MemberAsync(silo, "m-1", 500);

        var result = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");

        Assert.True(result.Succeeded, result.Refusal?.ToString());
        Assert.True(result.Won);
        Assert.Equal(("first", 0.05, 1), (result.Record!.WonTierId, result.Record.RandomValue, result.Record.TableVersion));
        Assert.Equal((50L, 5L), (result.PointsSpent, result.ParticipationPoints));
        Assert.Equal(DrawGrain.PrizeOrderId("m-1", "d-1"), result.PrizeOrderId);
        var order = (await silo.Grain<IOrderGrain>(result.PrizeOrderId!).GetAsync())!;
        Assert.Equal(("m-1", "prize-tablet", 0L), (order.MemberId, order.ProductId, order.Points));
        var audit = await member.AuditAsync();
        Assert.True(audit.Reconciles, audit.ToString());
        Assert.Equal(500 - 50 + 5, audit.Balance);
    }

    [Fact]
    public async Task A_losing_draw_spends_the_cost_places_no_order_and_still_credits_participation_points()
    {
        await using var silo = await StartAsync(new ScriptedRandom([0.95]));
        var member = await MemberAsync(silo, "m-1", 100);

        var result = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");

        Assert.True(result.Succeeded);
        Assert.False(result.Won);
        Assert.Null(result.PrizeOrderId);
        Assert.Equal(100 - 50 + 5, (await member.AuditAsync()).Balance);
    }

    [Fact]
    public async Task A_member_without_enough_points_is_refused_and_nothing_else_happens()
    {
        var random = new ScriptedRandom([0.05]);
        await using var silo = await StartAsync(random);
        var member = await MemberAsync(silo, "m-1", 10);

        var result = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");
        var retried = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");

        Assert.Equal("insufficient_points", result.Refusal?.Code);
        Assert.Equal("insufficient_points", retried.Refusal?.Code);
        Assert.True(retried.Replayed);
        Assert.Equal(10, (await member.AuditAsync()).Balance);
        Assert.Equal(0, (await silo.Grain<ILotteryGrain>(LotteryId).GetAsync())!.Draws);
        Assert.Equal(0, random.Taken);
    }

    [Fact]
    public async Task A_draw_the_lottery_refuses_after_payment_refunds_the_cost()
    {
        await using var silo = await StartAsync(new ScriptedRandom([0.95]));
        var member = await MemberAsync(silo, "m-1", 200);

        // The lottery already holds draw id d-1 for another member, so it refuses this one after the spend.
        await silo.Grain<ILotteryGrain>(LotteryId).DrawAsync("d-1", "m-other");
        var result = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");

        Assert.Equal("conflict", result.Refusal?.Code);
        Assert.Equal(0, result.PointsSpent);
        var audit = await member.AuditAsync();
        Assert.Equal(200, audit.Balance);
        Assert.True(audit.Reconciles, audit.ToString());
    }

    [Fact]
    public async Task One_draw_id_sent_concurrently_and_repeatedly_draws_and_charges_once()
    {
        var random = new ScriptedRandom([0.05, 0.05]);
        await using var silo = await StartAsync(random);
        var member = await MemberAsync(silo, "m-1", 500);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1")));

        Assert.All(results, r => Assert.Equal(results[0].Record, r.Record));
        Assert.Single(results, r => !r.Replayed);
        Assert.Equal(1, random.Taken);
        Assert.Equal(1, (await silo.Grain<ILotteryGrain>(LotteryId).GetAsync())!.Draws);
        Assert.Equal(500 - 50 + 5, (await member.AuditAsync()).Balance);
        Assert.Equal("conflict", (await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-2")).Refusal?.Code);
        Assert.Equal(results[0].Record, (await silo.Grain<IDrawGrain>("d-1").GetAsync())!.Record);
    }

    [Fact]
    public async Task The_recorded_result_survives_a_restart()
    {
        var random = new ScriptedRandom([0.05]);
        DrawResult first;
        string databasePath;
        FakeTimeProvider time;
        await using (var silo = await StartAsync(random))
        {
            (databasePath, time) = (silo.DatabasePath, silo.Time);
            await MemberAsync(silo, "m-1", 500);
            first = await silo.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");
        }

        await using var restarted = await GrainsSilo.StartAsync(databasePath, time, random.Install);
        var again = await restarted.Grain<IDrawGrain>("d-1").DrawAsync(LotteryId, "m-1");

        Assert.True(again.Replayed);
        Assert.Equal((first.Record, first.PrizeOrderId), (again.Record, again.PrizeOrderId));
        Assert.Equal(455, (await restarted.Grain<IMemberGrain>("m-1").AuditAsync()).Balance);
    }

    private static Task<GrainsSilo> StartAsync(ScriptedRandom random) => StartDrawsAsync(random, LotteryId, Table(cost: 50, participation: 5));
}

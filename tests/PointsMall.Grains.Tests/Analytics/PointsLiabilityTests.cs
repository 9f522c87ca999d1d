using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Orders;
using PointsMall.Grains.Members;
using PointsMall.Grains.Tests.Orders;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Analytics;

/// <summary>The points the mall owes, kept by expiry day from the ledger entries the outbox carries.</summary>
public sealed class PointsLiabilityTests
{
    [Fact]
    public async Task Outstanding_points_follow_the_ledgers_and_move_toward_expiry_with_the_clock()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var spender = await OrderTestKit.MemberAsync(silo, "m-spender", 1000);
        await OrderTestKit.MemberAsync(silo, "m-saver", 1000);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-kettle", points: 300), 5);
        Assert.True((await silo.Grain<IOrderGrain>("o-1").PlaceAsync(OrderTestKit.Points("m-spender", "p-kettle"))).Succeeded);

        // The programme's default policy: a lot expires 12 months after it is earned (2027-11-21, 10:00 in Shanghai).
        var now = await EventuallyAsync(silo, l => l.Outstanding == 1700, "the seeds less the kettle");
        Assert.Equal((0L, 0L, 0L), (now.ExpiringWithin90Days, now.NeverExpiring, now.AwaitingExpiry));

        silo.Time.SetUtcNow(new DateTimeOffset(2027, 9, 1, 2, 0, 0, TimeSpan.Zero));
        var autumn = await Liability(silo).GetAsync();
        Assert.Equal((1700L, 0L, 1700L), (autumn.Outstanding, autumn.ExpiringWithin60Days, autumn.ExpiringWithin90Days));

        silo.Time.SetUtcNow(new DateTimeOffset(2027, 11, 22, 2, 0, 0, TimeSpan.Zero));
        var lapsed = await Liability(silo).GetAsync();
        Assert.Equal((0L, 1700L), (lapsed.Outstanding, lapsed.AwaitingExpiry));

        await silo.FireReminderAsync(spender, MemberGrain.ExpiryReminder);
        await EventuallyAsync(silo, l => l.AwaitingExpiry == 1000, "the spender's expiry recorded");
    }

    [Fact]
    public async Task Lots_are_kept_by_their_last_local_day_and_a_page_delivered_twice_counts_once()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var liability = Liability(silo);
        var now = silo.Time.GetUtcNow();
        var midnightInShanghai = new DateTimeOffset(2026, 12, 21, 16, 0, 0, TimeSpan.Zero); // the lot counts through 21 December
        PointsActivity Earned(long amount, params LotChange[] lots) => new("m-1", "Earn", "purchase", amount, now, now, lots);

        await liability.RecordAsync([
            new RecordedActivity(1, null, Earned(100, new LotChange(now.AddDays(10), 100))),
            new RecordedActivity(2, null, Earned(200, new LotChange(midnightInShanghai, 200))),
            new RecordedActivity(3, null, Earned(400, new LotChange(now.AddDays(75), 400))),
            new RecordedActivity(4, null, Earned(50, new LotChange(null, 50)))]);
        await liability.RecordAsync([
            new RecordedActivity(3, null, Earned(400, new LotChange(now.AddDays(75), 400))),
            new RecordedActivity(5, null, new PointsActivity("m-1", "Spend", "redemption", -130, now, now, [new LotChange(now.AddDays(10), -100), new LotChange(null, -30)]))]);

        Assert.Equal(new PointsLiability(620, 0, 200, 600, 20, 0, now), await liability.GetAsync());
    }

    private static IPointsLiabilityGrain Liability(GrainsSilo silo) => silo.Grain<IPointsLiabilityGrain>(IPointsLiabilityGrain.Key);

    private static Task<PointsLiability> EventuallyAsync(GrainsSilo silo, Func<PointsLiability, bool> condition, string what)
        => Eventually.ReadAsync(Liability(silo).GetAsync, condition, what);
}

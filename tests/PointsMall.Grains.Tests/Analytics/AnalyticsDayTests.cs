using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Grains.Analytics;
using PointsMall.Grains.Tests.Orders;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Analytics;

public sealed class AnalyticsDayTests
{
    /// <summary>2026-11-21 02:00 UTC, the test silo's clock: 10:00 that day in Asia/Shanghai.</summary>
    private const string Day = "2026-11-21";

    [Fact]
    public async Task Redemptions_refusals_and_points_reach_the_day_through_the_outbox()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var first = await OrderTestKit.MemberAsync(silo, "m-first", 1000);
        await OrderTestKit.MemberAsync(silo, "m-late", 1000);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-kettle", points: 300), 1);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-card", points: 50, category: ProductCategory.Virtual), 5);

        Assert.True((await silo.Grain<IOrderGrain>("o-1").PlaceAsync(OrderTestKit.Points("m-first", "p-kettle"))).Succeeded);
        Assert.Equal("sold_out", (await silo.Grain<IOrderGrain>("o-2").PlaceAsync(OrderTestKit.Points("m-late", "p-kettle"))).Refusal?.Code);
        Assert.True((await silo.Grain<IOrderGrain>("o-3").PlaceAsync(OrderTestKit.Points("m-first", "p-card", quantity: 2))).Succeeded);
        Assert.True((await first.EarnForPurchaseAsync(new EarnForPurchase("pos-1", 230_00, "store purchase"))).Succeeded);

        var day = await EventuallyAsync(silo, d => d.Redemptions == 2 && d.Cancellations == 1 && d.EarnedBySource.ContainsKey("purchase"), "two redemptions, a refusal and a purchase");

        Assert.Equal((3L, 400L, 0L), (day.Units, day.PointsRedeemed, day.CashFen));
        Assert.Equal(1, day.CancellationsByReason["sold_out"]);
        Assert.Equal((2000L, 23L), (day.EarnedBySource["adjust"], day.EarnedBySource["purchase"]));
        Assert.Equal(400, day.PointsSpent);
        Assert.Equal(2, day.ActiveMembers);
        Assert.Equal((1L, 1L), (day.RedemptionsByCategory["Physical"], day.RedemptionsByCategory["Virtual"]));
        var kettle = Assert.Single(day.Products, p => p.ProductId == "p-kettle");
        Assert.Equal(("Product p-kettle", 1L, 1L, 300L), (kettle.Name, kettle.Redemptions, kettle.Units, kettle.Points));
    }

    [Fact]
    public async Task An_event_delivered_again_counts_once_whatever_its_place_in_the_page()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var grain = silo.Grain<IAnalyticsDayGrain>(Day);
        var paid = new OrderActivity("o-1", "m-1", "p-1", "Kettle", "Physical", 1, 300, 0, "PendingShipment", "PendingPayment", false, null, silo.Time.GetUtcNow());

        var spent = new PointsActivity("m-1", "Spend", "redemption", -300, silo.Time.GetUtcNow());
        await grain.RecordAsync([new RecordedActivity(41, paid, null), new RecordedActivity(43, null, spent)]);
        await grain.RecordAsync([new RecordedActivity(44, paid with { OrderId = "o-2" }, null), new RecordedActivity(41, paid, null), new RecordedActivity(43, null, spent), new RecordedActivity(42, paid with { OrderId = "o-3" }, null)]);

        var day = await grain.GetAsync();
        Assert.Equal((3L, 900L, 300L), (day.Redemptions, day.PointsRedeemed, day.PointsSpent));
        Assert.Equal(300, day.SpentBySource["redemption"]);
    }

    [Fact]
    public async Task Searches_keep_the_frequent_terms_and_count_those_that_found_nothing()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var grain = silo.Grain<IAnalyticsDayGrain>(Day);
        var at = silo.Time.GetUtcNow();
        var noise = Enumerable.Range(0, AnalyticsDayGrain.MaxSearchTerms + 100).Select(i => new ShopperActivity(ShopperActivityKind.Search, null, $"noise-{i}", 1, at));
        var frequent = Enumerable.Repeat(new ShopperActivity(ShopperActivityKind.Search, "m-1", " 耳机 ", 3, at), 5);
        var missed = Enumerable.Repeat(new ShopperActivity(ShopperActivityKind.Search, "m-2", "Zune", 0, at), 2);

        await grain.RecordShopperActivityAsync([.. frequent, .. noise, .. missed]);
        await grain.RecordShopperActivityAsync([new ShopperActivity(ShopperActivityKind.ProductView, "m-1", "p-1", 0, at), new ShopperActivity(ShopperActivityKind.Login, "m-3", null, 0, at)]);

        var day = await grain.GetAsync();
        Assert.Equal((607L, 2L, 1L, 1L), (day.Searches, day.SearchesWithoutResults, day.ProductViews, day.Logins));
        Assert.Equal(new KeywordCount("耳机", 5), day.TopSearches[0]);
        Assert.Equal(new KeywordCount("zune", 2), Assert.Single(day.TopSearchesWithoutResults));
        Assert.Equal(20, day.TopSearches.Count);
        Assert.Equal(3, day.ActiveMembers);
        Assert.Equal(1, Assert.Single(day.Products).Views);
    }

    [Fact]
    public async Task A_days_cohort_is_the_members_who_joined_and_its_returns_are_counted_on_the_days_after()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var back = await OrderTestKit.MemberAsync(silo, "m-back", 0);
        await OrderTestKit.MemberAsync(silo, "m-gone", 0);
        await EventuallyAsync(silo, d => d.NewMembers == 2, "two members joining");

        silo.Time.Advance(TimeSpan.FromDays(7));
        Assert.True((await back.AdjustAsync(new AdjustPoints("week-later", 10, "came back"))).Succeeded);

        var week = await EventuallyAsync(silo, d => d.Returned[7] == 1, "a return seven days after joining", "2026-11-28");
        Assert.Equal((0L, 0L, 0L), (week.NewMembers, week.Returned[1], week.Returned[30]));
    }

    [Fact]
    public async Task A_sign_in_counts_as_a_return_by_local_days_since_joining()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var grain = silo.Grain<IAnalyticsDayGrain>("2026-11-22");
        var at = new DateTimeOffset(2026, 11, 22, 4, 0, 0, TimeSpan.Zero);
        var lastMinuteOfTheDayBefore = new DateTimeOffset(2026, 11, 21, 15, 59, 0, TimeSpan.Zero); // 23:59 in Shanghai
        var firstMinuteOfTheDay = new DateTimeOffset(2026, 11, 21, 16, 0, 0, TimeSpan.Zero);

        await grain.RecordShopperActivityAsync([
            new ShopperActivity(ShopperActivityKind.Login, "m-a", null, 0, at, lastMinuteOfTheDayBefore),
            new ShopperActivity(ShopperActivityKind.Login, "m-a", null, 0, at, lastMinuteOfTheDayBefore),
            new ShopperActivity(ShopperActivityKind.Login, "m-b", null, 0, at, firstMinuteOfTheDay),
            new ShopperActivity(ShopperActivityKind.Login, "m-c", null, 0, at, lastMinuteOfTheDayBefore.AddDays(-6)),
            new ShopperActivity(ShopperActivityKind.Login, "m-d", null, 0, at)]);

        var day = await grain.GetAsync();
        Assert.Equal((1L, 1L, 0L), (day.Returned[1], day.Returned[7], day.Returned[30]));
        Assert.Equal((5L, 4L), (day.Logins, day.ActiveMembers));
    }

    [Fact]
    public async Task Drop_reports_from_several_nodes_add_up_with_the_earliest_sell_out()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var grain = silo.Grain<IAnalyticsDayGrain>(Day);
        var t0 = silo.Time.GetUtcNow();

        await grain.RecordDropsAsync([new DropTally("p-1", 10, 4, new Dictionary<string, long> { ["sold_out"] = 6 }, t0.AddSeconds(1), t0.AddSeconds(3), t0.AddSeconds(4), 0)]);
        await grain.RecordDropsAsync([
            new DropTally("p-1", 5, 1, new Dictionary<string, long> { ["sold_out"] = 3, ["insufficient_points"] = 1 }, t0, t0.AddSeconds(2), t0.AddSeconds(5), 1),
            new DropTally("p-2", 1, 1, new Dictionary<string, long>(), t0, t0, null, 0)]);

        var drop = (await grain.GetAsync()).Drops[0];
        Assert.Equal(("p-1", 15L, 5L, 0L, 1L), (drop.ProductId, drop.Attempts, drop.Granted, (long)(drop.FirstAttemptAt - t0).TotalSeconds, drop.GrantedOutOfOrder));
        Assert.Equal((9L, 1L), (drop.Refusals["sold_out"], drop.Refusals["insufficient_points"]));
        Assert.Equal((t0.AddSeconds(3), t0.AddSeconds(4)), (drop.LastGrantAt, drop.SoldOutAt));
    }

    [Fact]
    public void The_distinct_count_is_close_for_many_members_and_exact_enough_for_few()
    {
        var registers = DistinctCount.Empty;
        for (var i = 0; i < 20_000; i++)
        {
            registers = DistinctCount.Add(registers, $"m-{i}");
        }

        var few = DistinctCount.Add(DistinctCount.Add(DistinctCount.Add(DistinctCount.Empty, "a"), "b"), "a");

        Assert.InRange(DistinctCount.Estimate(registers), 19_000, 21_000);
        Assert.Equal(registers, DistinctCount.Add(registers, "m-7"));
        Assert.Equal(2, DistinctCount.Estimate(few));
        Assert.Equal(0, DistinctCount.Estimate(DistinctCount.Empty));
    }

    private static Task<DayFigures> EventuallyAsync(GrainsSilo silo, Func<DayFigures, bool> condition, string what, string key = Day)
        => Eventually.ReadAsync(silo.Grain<IAnalyticsDayGrain>(key).GetAsync, condition, what);
}

using PointsMall.Contracts.Coupons;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Coupons;
using PointsMall.Grains.Tests.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Coupons;

/// <summary>Coupons: claimed into wallets within their quantity and per-member limit, used with the points of one order.</summary>
public sealed class CouponTests
{
    private static readonly CouponTerms FiftyOffHundred = new("满100减50", 50, 100, null, 30);

    [Fact]
    public async Task Members_racing_for_a_coupon_of_three_get_exactly_three()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", FiftyOffHundred, quantity: 3);
        var members = Enumerable.Range(1, 10).Select(i => $"m{i}").ToList();
        foreach (var m in members)
        {
            await MemberAsync(silo, m, 0);
        }

        var claims = await Task.WhenAll(members.Select(m => silo.Grain<ICouponWalletGrain>(m).ClaimCouponAsync("c-1")));

        Assert.Equal(3, claims.Count(c => c.Succeeded));
        Assert.All(claims.Where(c => !c.Succeeded), c => Assert.Equal("sold_out", c.Refusal!.Code));
        Assert.Equal(3, (await silo.Grain<ICouponGrain>("c-1").GetAsync())!.Issued);
        var held = await Task.WhenAll(members.Select(m => silo.Grain<ICouponWalletGrain>(m).GetCouponsAsync()));
        Assert.Equal(3, held.Sum(h => h.Count));
    }

    [Fact]
    public async Task A_member_claims_up_to_the_per_member_limit_and_the_catalogue_shows_what_is_left()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", FiftyOffHundred, quantity: 100, perMemberLimit: 2);
        await MemberAsync(silo, "m1", 0);
        var wallet = silo.Grain<ICouponWalletGrain>("m1");

        var first = await wallet.ClaimCouponAsync("c-1");
        var second = await wallet.ClaimCouponAsync("c-1");
        var third = await wallet.ClaimCouponAsync("c-1");

        Assert.True(first.Succeeded && second.Succeeded);
        Assert.NotEqual(first.Coupon!.Id, second.Coupon!.Id);
        Assert.Equal(("limit_exceeded", CouponRefusals.PerMemberLimit), (third.Refusal!.Code, third.Refusal.Detail));
        Assert.Equal(FiftyOffHundred.ValidDays, (first.Coupon.ExpiresAt - first.Coupon.ClaimedAt).TotalDays);
        var listed = Assert.Single((await silo.Grain<ICouponCatalogGrain>(ICouponCatalogGrain.Key).ListAsync(1, 10)).Items);
        Assert.Equal(("c-1", 2, 98), (listed.Id, listed.Issued, listed.Remaining));
        Assert.Equal("not_found", (await wallet.ClaimCouponAsync("no-such-coupon")).Refusal!.Code);
    }

    [Fact]
    public async Task A_coupon_takes_its_face_value_off_the_order_and_a_cancellation_gives_back_points_and_coupon()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", FiftyOffHundred);
        var member = await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle", points: 300), stock: 10);
        var coupon = await ClaimAsync(silo, "m1", "c-1");

        var placed = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle") with { CouponId = coupon });

        Assert.True(placed.Succeeded, placed.Refusal?.ToString());
        Assert.Equal((250L, 50L, coupon), (placed.Order!.Points, placed.Order.CouponDiscount, placed.Order.CouponId));
        Assert.Equal(750, await BalanceAsync(member));
        Assert.Equal("used", (await CouponAsync(silo, "m1", coupon)).Status);

        var cancelled = await silo.Grain<IOrderGrain>("o1").CancelAsync(new CancelOrder("m1", "changed_my_mind"));
        Assert.True(cancelled.Succeeded, cancelled.Refusal?.ToString());
        Assert.Equal(1_000, await BalanceAsync(member));
        Assert.Equal("usable", (await CouponAsync(silo, "m1", coupon)).Status);
    }

    [Fact]
    public async Task Two_concurrent_orders_with_one_coupon_discount_only_one()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", FiftyOffHundred);
        var member = await MemberAsync(silo, "m1", 1_000);
        var kettle = await ProductAsync(silo, Product("kettle", points: 200), stock: 10);
        var coupon = await ClaimAsync(silo, "m1", "c-1");

        var results = await Task.WhenAll(
            silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle") with { CouponId = coupon }),
            silo.Grain<IOrderGrain>("o2").PlaceAsync(Points("m1", "kettle") with { CouponId = coupon }));

        var won = Assert.Single(results, r => r.Succeeded);
        var lost = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal(("coupon_not_usable", CouponRefusals.Used), (lost.Refusal!.Code, lost.Refusal.Detail));
        Assert.Equal(150, won.Order!.Points);
        Assert.Equal(850, await BalanceAsync(member));
        var stock = await StockAsync(kettle);
        Assert.Equal((1, 9), (stock.Committed, stock.Available));
    }

    [Theory]
    [InlineData(80, ProductCategory.Physical, CouponRefusals.MinPoints)]
    [InlineData(300, ProductCategory.Virtual, CouponRefusals.Category)]
    public async Task A_coupon_that_does_not_apply_is_refused_before_any_stock_or_points_move(long price, ProductCategory category, string detail)
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", FiftyOffHundred with { Category = ProductCategory.Physical });
        var member = await MemberAsync(silo, "m1", 1_000);
        var product = await ProductAsync(silo, Product("item", points: price, category: category), stock: 10);
        var coupon = await ClaimAsync(silo, "m1", "c-1");

        var refused = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "item") with { CouponId = coupon });

        Assert.Equal(("coupon_not_usable", detail), (refused.Refusal!.Code, refused.Refusal.Detail));
        Assert.Equal(1_000, await BalanceAsync(member));
        Assert.Equal(10, (await StockAsync(product)).Available);
        Assert.Equal("usable", (await CouponAsync(silo, "m1", coupon)).Status);
    }

    [Fact]
    public async Task An_expired_coupon_is_refused_and_shown_as_expired()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", FiftyOffHundred with { ValidDays = 1 });
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle", points: 300), stock: 10);
        var coupon = await ClaimAsync(silo, "m1", "c-1");

        silo.Time.Advance(TimeSpan.FromDays(1));
        var refused = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle") with { CouponId = coupon });

        Assert.Equal(CouponRefusals.Expired, refused.Refusal!.Detail);
        Assert.Equal("expired", (await CouponAsync(silo, "m1", coupon)).Status);
    }

    [Fact]
    public async Task A_coupon_worth_the_whole_order_leaves_no_points_to_spend()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "c-1", new CouponTerms("免单券", 500, 0, null, 30));
        var member = await MemberAsync(silo, "m1", 100);
        await ProductAsync(silo, Product("mug", points: 300), stock: 10);
        var coupon = await ClaimAsync(silo, "m1", "c-1");

        var placed = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "mug") with { CouponId = coupon });

        Assert.True(placed.Succeeded, placed.Refusal?.ToString());
        Assert.Equal((0L, 300L), (placed.Order!.Points, placed.Order.CouponDiscount));
        Assert.Equal(100, await BalanceAsync(member));
        Assert.Empty(await LedgerAsync(member, "o1"));
    }

    [Fact]
    public async Task Claiming_outside_the_window_or_changing_the_quantity_below_those_issued_is_refused()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var now = silo.Time.GetUtcNow();
        var coupon = silo.Grain<ICouponGrain>("c-1");
        Assert.True((await coupon.ConfigureAsync(new ConfigureCoupon(FiftyOffHundred, 5, 1, now.AddHours(1), now.AddDays(1)))).Succeeded);
        await MemberAsync(silo, "m1", 0);
        await MemberAsync(silo, "m2", 0);

        Assert.Equal(CouponRefusals.NotClaimable, (await silo.Grain<ICouponWalletGrain>("m1").ClaimCouponAsync("c-1")).Refusal!.Detail);
        silo.Time.Advance(TimeSpan.FromHours(1));
        Assert.True((await silo.Grain<ICouponWalletGrain>("m1").ClaimCouponAsync("c-1")).Succeeded);
        Assert.True((await silo.Grain<ICouponWalletGrain>("m2").ClaimCouponAsync("c-1")).Succeeded);

        var lowered = await coupon.ConfigureAsync(new ConfigureCoupon(FiftyOffHundred, 1, 1, null, null));
        Assert.Equal("validation_failed", lowered.Refusal!.Code);
        Assert.Equal(5, (await coupon.GetAsync())!.Quantity);
        silo.Time.Advance(TimeSpan.FromDays(1));
        Assert.Equal(CouponRefusals.NotClaimable, (await silo.Grain<ICouponWalletGrain>("m1").ClaimCouponAsync("c-1")).Refusal!.Detail);
    }

    private static async Task ConfigureAsync(Support.GrainsSilo silo, string id, CouponTerms terms, int quantity = 1_000, int perMemberLimit = 1)
    {
        var configured = await silo.Grain<ICouponGrain>(id).ConfigureAsync(new ConfigureCoupon(terms, quantity, perMemberLimit, null, null));
        Assert.True(configured.Succeeded, configured.Refusal?.ToString());
    }

    private static async Task<string> ClaimAsync(Support.GrainsSilo silo, string memberId, string couponId)
    {
        var claimed = await silo.Grain<ICouponWalletGrain>(memberId).ClaimCouponAsync(couponId);
        Assert.True(claimed.Succeeded, claimed.Refusal?.ToString());
        return claimed.Coupon!.Id;
    }

    private static async Task<WalletCouponView> CouponAsync(Support.GrainsSilo silo, string memberId, string walletCouponId)
        => Assert.Single(await silo.Grain<ICouponWalletGrain>(memberId).GetCouponsAsync(), c => c.Id == walletCouponId);
}

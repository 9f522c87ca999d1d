using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Rules;
using PointsMall.Domain.Tests.Support;
using static PointsMall.Domain.Tests.Support.Time;

namespace PointsMall.Domain.Tests.Catalog;

public sealed class ProductTests
{
    internal static Product Sample(Price? price = null, ProductCategory category = ProductCategory.Physical) => new(
        "p1", "Wireless earbuds", "Acme", "Standard", "A1", "White", ["https://img.example/p1.jpg"], "Earbuds",
        category, price ?? new Price(5000, 0), null, null, null, null, true, null);

    [Fact]
    public void Seed_points_plus_cash_example_a_200_yuan_item_for_1000_points_and_50_yuan()
    {
        var product = Sample(new Price(1000, 5000));

        Assert.False(product.Price.IsPointsOnly);
        Assert.Empty(product.Validate());
        Assert.Equal(new Price(2000, 10000), product.Price.Times(2));
    }

    [Fact]
    public void Seed_points_valuation_a_hundred_points_per_yuan_prices_an_80_yuan_item_at_5000_points()
    {
        const long PointsPerYuan = 100;
        var product = Sample(new Price(50 * PointsPerYuan, 0));

        Assert.True(product.Price.IsPointsOnly);
        Assert.Equal(5000, product.Price.Points);
    }

    [Fact]
    public void A_flash_drop_is_not_on_sale_before_it_starts()
    {
        var product = Sample() with { Flash = new FlashDrop(Cn(2025, 6, 18, 20), 1) };

        Assert.Equal("drop_not_started", product.CheckRedeemable(Tier.Regular, 1, Cn(2025, 6, 18, 19, 59))?.Detail);
        Assert.Equal(RefusalCode.NotOnSale, product.CheckRedeemable(Tier.Regular, 1, Cn(2025, 6, 18, 19, 59))?.Code);
        Assert.Null(product.CheckRedeemable(Tier.Regular, 1, Cn(2025, 6, 18, 20)));
        Assert.Equal(RefusalCode.LimitExceeded, product.CheckRedeemable(Tier.Regular, 2, Cn(2025, 6, 18, 20))?.Code);
    }

    [Fact]
    public void Tier_restricted_products_refuse_lower_tiers()
    {
        var product = Sample() with { RequiredTier = Tier.Gold };

        Assert.Equal(RefusalCode.TierRequired, product.CheckRedeemable(Tier.Silver, 1, Cn(2025, 1, 1))?.Code);
        Assert.Null(product.CheckRedeemable(Tier.Diamond, 1, Cn(2025, 1, 1)));
    }

    [Fact]
    public void Outside_the_on_shelf_window_or_unlisted_is_not_on_sale()
    {
        var product = Sample() with { OnShelfFrom = Cn(2025, 1, 1), OnShelfUntil = Cn(2025, 2, 1) };

        Assert.Equal(RefusalCode.NotOnSale, product.CheckRedeemable(Tier.Regular, 1, Cn(2025, 2, 1))?.Code);
        Assert.Null(product.CheckRedeemable(Tier.Regular, 1, Cn(2025, 1, 31)));
        Assert.Equal(RefusalCode.NotOnSale, (product with { Listed = false }).CheckRedeemable(Tier.Regular, 1, Cn(2025, 1, 2))?.Code);
    }

    [Fact]
    public void Invalid_products_report_their_errors() =>
        Assert.NotEmpty((Sample(new Price(-1, 0)) with { Name = "", PerMemberLimit = 0 }).Validate());

    [Fact]
    public void Product_round_trips_through_json() =>
        Json.AssertRoundTrips(Sample(new Price(1000, 5000)) with { RequiredTier = Tier.Gold, Flash = new FlashDrop(Cn(2025, 6, 18, 20), 2) });
}

using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Grains.Tests.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Catalog;

/// <summary>Limited-time discounts: an order pays the price of when it was placed.</summary>
public sealed class DiscountTests
{
    [Fact]
    public async Task An_order_placed_within_a_discount_pays_the_discounted_price_and_one_after_it_the_regular_price()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var now = silo.Time.GetUtcNow();
        var discounted = Product("kettle", points: 300) with { Discount = new PriceDiscount(new Price(200, 0), now, now.AddHours(1)) };
        await ProductAsync(silo, discounted, stock: 10);
        var member = await MemberAsync(silo, "m1", 1_000);

        var during = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle"));
        silo.Time.Advance(TimeSpan.FromHours(1));
        var after = await silo.Grain<IOrderGrain>("o2").PlaceAsync(Points("m1", "kettle"));

        Assert.Equal((200L, 300L), (during.Order!.Points, after.Order!.Points));
        Assert.Equal(500, await BalanceAsync(member));
    }

    [Theory]
    [InlineData(400, 0)]   // not lower
    [InlineData(300, 0)]   // the same
    [InlineData(200, 500)] // a cash part the product does not have
    public async Task A_discount_that_is_not_a_lower_price_of_the_same_kind_is_refused(long points, long cashFen)
    {
        await using var silo = await StartAsync(new SagaSignals());
        var now = silo.Time.GetUtcNow();
        var product = Product("kettle", points: 300) with { Discount = new PriceDiscount(new Price(points, cashFen), now, now.AddHours(1)) };

        var created = await silo.Grain<Contracts.Catalog.IProductGrain>("kettle").CreateAsync(new Contracts.Catalog.CreateProduct(product, 10, 0));

        Assert.Equal("validation_failed", created.Refusal?.Code);
    }
}

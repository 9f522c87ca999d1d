using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using Xunit;

namespace PointsMall.Grains.Tests.Orders;

public sealed class ShippingAddressTests
{
    private static readonly ShippingAddressView Office = new("addr-office", "李四", "13900002222", "北京市 北京市 朝阳区", "建国路 88 号");

    [Fact]
    public async Task A_physical_order_without_a_shipping_address_is_refused_and_takes_neither_points_nor_stock()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var member = await OrderTestKit.MemberAsync(silo, "m-nowhere", 1000);
        Assert.True((await member.RemoveAddressAsync(OrderTestKit.AddressId)).Succeeded);
        var product = await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-kettle"), 5);

        var withoutAny = await silo.Grain<IOrderGrain>("o-1").PlaceAsync(new PlaceOrder("m-nowhere", "p-kettle", 1, "points", null));
        var withAStaleOne = await silo.Grain<IOrderGrain>("o-2").PlaceAsync(OrderTestKit.Points("m-nowhere", "p-kettle"));

        Assert.Equal(("address_required", "add_a_shipping_address"), (withoutAny.Refusal?.Code, withoutAny.Refusal?.Detail));
        Assert.Equal(("address_required", "address_not_in_address_book"), (withAStaleOne.Refusal?.Code, withAStaleOne.Refusal?.Detail));
        Assert.Null(await silo.Grain<IOrderGrain>("o-1").GetAsync());
        Assert.Equal(1000, await OrderTestKit.BalanceAsync(member));
        Assert.Equal(5, (await OrderTestKit.StockAsync(product)).Available);
    }

    [Fact]
    public async Task Goods_that_do_not_ship_need_no_address()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var member = await OrderTestKit.MemberAsync(silo, "m-virtual", 1000);
        await member.RemoveAddressAsync(OrderTestKit.AddressId);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-card", category: ProductCategory.Virtual), 5);

        var placed = await silo.Grain<IOrderGrain>("o-card").PlaceAsync(new PlaceOrder("m-virtual", "p-card", 1, "points", null));

        Assert.True(placed.Succeeded, placed.Refusal?.ToString());
        Assert.Null(placed.Order!.ShippingAddress);
        var moved = await silo.Grain<IOrderGrain>("o-card").ChangeAddressAsync(new ChangeOrderAddress("m-virtual", Office));
        Assert.Equal(("conflict", "order_does_not_ship"), (moved.Refusal?.Code, moved.Refusal?.Detail));
    }

    [Fact]
    public async Task A_prize_won_without_an_address_ships_once_the_winner_gives_one_and_not_before()
    {
        await using var silo = await OrderTestKit.StartAsync(new SagaSignals());
        var member = await OrderTestKit.MemberAsync(silo, "m-winner", 0);
        await member.RemoveAddressAsync(OrderTestKit.AddressId);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-prize"), 0);
        var order = silo.Grain<IOrderGrain>("o-prize");
        var board = silo.Grain<IOrderBoardGrain>(OrderKeys.Board);

        var won = await order.PlacePrizeAsync(new PlacePrizeOrder("m-winner", "p-prize", "lottery-1", "draw-1"));
        Assert.Equal(("PendingShipment", null), (won.Order!.Status, won.Order.ShippingAddress));
        var early = await order.ShipAsync(new ShipOrder("SF", "SF100"));
        Assert.Equal(("address_required", "PendingShipment"), (early.Refusal?.Code, early.Order?.Status));

        Assert.Equal("not_found", (await order.ChangeAddressAsync(new ChangeOrderAddress("m-someone-else", Office))).Refusal?.Code);
        var given = await order.ChangeAddressAsync(new ChangeOrderAddress("m-winner", Office));
        Assert.Equal(Office, given.Order!.ShippingAddress);
        Assert.Equal(Office, Assert.Single((await board.ListAsync(null, "m-winner", 1, 10)).Items).ShippingAddress);

        Assert.Equal("Shipped", (await order.ShipAsync(new ShipOrder("SF", "SF100"))).Order!.Status);
        var tooLate = await order.ChangeAddressAsync(new ChangeOrderAddress("m-winner", Office with { Detail = "别处 elsewhere" }));
        Assert.Equal(("conflict", "already_shipped"), (tooLate.Refusal?.Code, tooLate.Refusal?.Detail));
        Assert.Equal(Office, (await order.GetAsync())!.ShippingAddress);
    }
}

using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using Xunit;

namespace PointsMall.Grains.Tests.Orders;

public sealed class OrderBoardAndPaymentSessionTests
{
    [Fact]
    public async Task The_order_board_shows_each_orders_current_status_as_soon_as_the_call_returns()
    {
        var signals = new SagaSignals();
        await using var silo = await OrderTestKit.StartAsync(signals);
        await OrderTestKit.MemberAsync(silo, "m-board", 1000);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-board"), 5);
        var order = silo.Grain<IOrderGrain>("o-board");
        var board = silo.Grain<IOrderBoardGrain>(OrderKeys.Board);

        await order.PlaceAsync(OrderTestKit.Points("m-board", "p-board"));
        Assert.Equal("PendingShipment", Assert.Single((await board.ListAsync(null, null, 1, 10)).Items).Status);

        await order.CancelAsync(new CancelOrder("m-board", "changed my mind"));

        Assert.Equal(0, (await board.ListAsync("PendingShipment", null, 1, 10)).Total);
        Assert.Equal(1, (await board.ListAsync("cancelled", "m-board", 1, 10)).Total);
        Assert.Equal(0, (await board.ListAsync(null, "m-other", 1, 10)).Total);
        Assert.Equal(0, (await board.ListAsync("NoSuchStatus", null, 1, 10)).Total);
    }

    [Fact]
    public async Task A_physical_order_keeps_a_copy_of_the_members_address()
    {
        var signals = new SagaSignals();
        await using var silo = await OrderTestKit.StartAsync(signals);
        var member = await OrderTestKit.MemberAsync(silo, "m-addr", 1000);
        var saved = await member.SaveAddressAsync(new SaveAddress(null, "李四", "13900002222", "北京市 北京市 朝阳区", "建国路 88 号", true));
        Assert.True(saved.Succeeded, saved.Refusal?.ToString());
        var addressId = saved.Member!.Addresses.Single(a => a.Recipient == "李四").Id;
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-addr"), 5);

        var placed = await silo.Grain<IOrderGrain>("o-addr").PlaceAsync(new PlaceOrder("m-addr", "p-addr", 1, "points", addressId));

        Assert.Equal("李四", placed.Order!.ShippingAddress?.Recipient);
        await member.RemoveAddressAsync(addressId);
        Assert.Equal("建国路 88 号", (await silo.Grain<IOrderGrain>("o-addr").GetAsync())!.ShippingAddress?.Detail);
    }

    [Fact]
    public async Task A_points_cash_order_hands_out_one_payment_session_to_its_member_only()
    {
        var signals = new SagaSignals();
        await using var silo = await OrderTestKit.StartAsync(signals);
        await OrderTestKit.MemberAsync(silo, "m-pay", 1000);
        await OrderTestKit.ProductAsync(silo, OrderTestKit.Product("p-pay", points: 100, cashFen: 990, category: ProductCategory.Virtual), 5);
        var order = silo.Grain<IOrderGrain>("o-pay");
        var placed = await order.PlaceAsync(new PlaceOrder("m-pay", "p-pay", 1, "points_cash", null));
        Assert.Equal("PendingPayment", placed.Order!.Status);

        var first = await order.StartPaymentAsync("m-pay");
        var second = await order.StartPaymentAsync("m-pay");
        var stranger = await order.StartPaymentAsync("m-someone-else");

        Assert.Null(first.Refusal);
        Assert.NotNull(first.Order!.PaymentReference);
        Assert.Equal(first.Order.PaymentReference, second.Order!.PaymentReference);
        Assert.Contains("order=o-pay", first.Order.PayUrl, StringComparison.Ordinal);
        Assert.Equal("not_found", stranger.Refusal?.Code);
        Assert.Null(stranger.Order);
    }
}

using PointsMall.Contracts.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Orders;

/// <summary>
/// An order resting until an operator ships it (or for days until it completes) leaves memory when its turn ends:
/// a flash sale leaves thousands of them. The next call is served by a fresh activation that reads the order back
/// from storage.
/// </summary>
public sealed class RestingOrdersTests
{
    [Fact]
    public async Task An_order_waiting_for_shipment_is_deactivated_and_read_back_whole_on_the_next_call()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle", points: 300), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        var placed = await order.PlaceAsync(Points("m1", "kettle"));
        Assert.Equal("PendingShipment", placed.Order?.Status);
        await silo.WhenDeactivatedAsync(order);

        var read = await order.GetAsync();

        Assert.Equal(placed.Order!.History, read!.History);
        Assert.Equal(("PendingShipment", 300L), (read.Status, read.Points));
        Assert.True((await order.ShipAsync(new ShipOrder("SF Express", "SF1"))).Succeeded);
    }

    [Fact]
    public async Task An_order_waiting_for_payment_stays_resident_for_the_members_next_step()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("kettle", points: 100, cashFen: 990), stock: 5);
        var order = silo.Grain<IOrderGrain>("o1");
        var placed = await order.PlaceAsync(Points("m1", "kettle") with { Payment = "points_cash" });
        Assert.Equal("PendingPayment", placed.Order?.Status);
        await order.GetAsync();

        Assert.True(await silo.IsActiveAsync(order), "An order waiting for payment left memory.");
    }
}

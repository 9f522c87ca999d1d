using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Orders;

/// <summary>A member's order list reads the order index, which each order keeps in the same commit as its state.</summary>
public sealed class MemberOrdersGrainTests
{
    [Fact]
    public async Task A_members_orders_are_listed_newest_first_by_status_and_paged_as_soon_as_they_are_placed()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 1_000);
        await MemberAsync(silo, "m2", 1_000);
        await ProductAsync(silo, Product("kettle", points: 100), stock: 10);
        foreach (var (orderId, memberId) in new[] { ("o1", "m1"), ("o2", "m1"), ("o-other", "m2"), ("o3", "m1") })
        {
            await silo.Grain<IOrderGrain>(orderId).PlaceAsync(Points(memberId, "kettle"));
            silo.Time.Advance(TimeSpan.FromMinutes(1));
        }

        await silo.Grain<IOrderGrain>("o2").CancelAsync(new CancelOrder("m1", "changed_my_mind"));

        Assert.Equal(["o3", "o2", "o1"], await OrderIdsAsync(silo, "m1"));
        Assert.Equal(["o3", "o2"], await OrderIdsAsync(silo, "m1", pageSize: 2));
        Assert.Equal(["o1"], await OrderIdsAsync(silo, "m1", page: 2, pageSize: 2));
        Assert.Empty(await OrderIdsAsync(silo, "m1", page: 3, pageSize: 2));
        Assert.Equal(["o3", "o1"], await OrderIdsAsync(silo, "m1", status: "pendingshipment"));
        Assert.Equal(["o2"], await OrderIdsAsync(silo, "m1", status: "Cancelled"));
        var page = await silo.Grain<IMemberOrdersGrain>("m1").ListAsync(null, 1, 2);
        Assert.Equal((3, "Product kettle", 100L), (page.Total, page.Items[0].ProductName, page.Items[0].Points));
    }

    [Fact]
    public async Task A_refused_redemption_is_listed_as_cancelled_and_the_list_survives_a_restart()
    {
        string database;
        await using (var silo = await StartAsync(new SagaSignals()))
        {
            database = silo.DatabasePath;
            await MemberAsync(silo, "m1", 50);
            await ProductAsync(silo, Product("kettle", points: 100), stock: 10);
            var refused = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle"));
            Assert.Equal("insufficient_points", refused.Refusal?.Code);
        }

        await using var restarted = await StartAsync(new SagaSignals(), database);
        Assert.Equal(["o1"], await OrderIdsAsync(restarted, "m1", status: "Cancelled"));
        Assert.Equal(50, (await restarted.Grain<IMemberGrain>("m1").GetAsync())!.Balance);
    }
}

using PointsMall.Contracts.Orders;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Orders;

public sealed class MemberOrdersGrainTests
{
    [Fact]
    public async Task A_members_orders_are_listed_newest_first_and_an_id_is_added_once()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var orders = silo.Grain<IMemberOrdersGrain>("m1");
        var t0 = silo.Time.GetUtcNow();

        await orders.AddAsync("o1", t0);
        await orders.AddAsync("o3", t0.AddMinutes(2));
        await orders.AddAsync("o2", t0.AddMinutes(1));
        await orders.AddAsync("o1", t0);
        await orders.AddAsync("o3", t0.AddMinutes(2));

        Assert.Equal(["o3", "o2", "o1"], await orders.ListAsync(1, 10));
        Assert.Equal(["o3", "o2"], await orders.ListAsync(1, 2));
        Assert.Equal(["o1"], await orders.ListAsync(2, 2));
        Assert.Empty(await orders.ListAsync(3, 2));
    }

    [Fact]
    public async Task The_list_survives_a_restart()
    {
        string database;
        await using (var silo = await GrainsSilo.StartAsync())
        {
            database = silo.DatabasePath;
            await silo.Grain<IMemberOrdersGrain>("m1").AddAsync("o1", silo.Time.GetUtcNow());
        }

        await using var restarted = await GrainsSilo.StartAsync(database);
        Assert.Equal(["o1"], await restarted.Grain<IMemberOrdersGrain>("m1").ListAsync(1, 10));
    }
}

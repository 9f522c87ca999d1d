using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using PointsMall.Testing;
using Xunit;

namespace PointsMall.Api.Tests.Split;

/// <summary>
/// Silos that find each other, and an API node that finds them, through the membership: Orleans' table in PostgreSQL,
/// or Orleans' Redis membership in a real (throw-away) Redis.
/// </summary>
[Collection(PostgresServerFixture.CollectionName)]
public sealed class ClusteredTests(PostgresServerFixture postgres)
{
    [Fact]
    public async Task Two_silos_and_an_api_node_given_no_silo_address_sell_a_drop_exactly()
    {
        await using var cluster = await ClusteredHosts.StartAsync(await postgres.DatabaseForAsync(GetType()), silos: 2);
        await SellsADropExactlyAsync(cluster);
    }

    [Fact]
    public async Task With_the_membership_in_redis_two_silos_and_an_api_node_given_no_silo_address_sell_a_drop_exactly()
    {
        await using var redis = await PointsMall.LocalServers.RedisServer.StartAsync();
        await using var cluster = await ClusteredHosts.StartAsync(await postgres.DatabaseForAsync(GetType()), silos: 2, membershipRedis: redis.Configuration);

        // The silos registered in Redis (under keys named after the cluster), not in a PostgreSQL table.
        await using (var connection = await StackExchange.Redis.ConnectionMultiplexer.ConnectAsync(redis.Configuration))
        {
            var keys = connection.GetServer(connection.GetEndPoints()[0]).Keys(pattern: $"*{cluster.ClusterId}*").ToList();
            Assert.NotEmpty(keys);
        }

        await SellsADropExactlyAsync(cluster);
    }

    private static async Task SellsADropExactlyAsync(ClusteredHosts cluster)
    {
        const int shoppers = 60;
        const int stock = 20;

        // Both silos see the cluster of two.
        foreach (var silo in cluster.Silos)
        {
            var management = silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IManagementGrain>(0);
            Assert.Equal(2, (await management.GetHosts(onlyActive: true)).Count);
        }

        var admin = cluster.Api.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);
        var product = await ShopKit.CreateProductAsync(admin, new { name = "集群秒杀 Cluster drop", pointsPrice = 100, stock, perMemberLimit = 1 });
        var grains = cluster.Api.Grains();
        var members = await ShopKit.ProvisionShoppersAsync(grains, "cluster", shoppers, 1000);

        var clients = await cluster.Api.ClientsForAsync(members);
        var responses = await ShopKit.AllAtOnceAsync(shoppers, i => ShopKit.RedeemAsync(clients[i], product, key: "cluster-drop"));

        var byStatus = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byStatus.GetValueOrDefault(HttpStatusCode.Created) == stock, $"statuses: {string.Join(", ", byStatus.Select(s => $"{s.Key}={s.Value}"))}");
        Assert.Equal(shoppers - stock, byStatus.GetValueOrDefault(HttpStatusCode.Conflict));
        var sold = await grains.GetGrain<PointsMall.Contracts.Catalog.IProductGrain>(product).GetAsync();
        Assert.Equal((0L, (long)stock), (sold!.Available, sold.Committed));
    }
}

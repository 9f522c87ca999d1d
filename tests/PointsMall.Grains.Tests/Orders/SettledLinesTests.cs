using PointsMall.GroupCommit;
using System.Text.Json;
using PointsMall.Contracts.Orders;
using PointsMall.Storage;
using PointsMall.Grains.Catalog;
using PointsMall.Storage.Sqlite;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Orders;

/// <summary>
/// The hot product's stored state must not grow with its orders: once an order has durably recorded its commit or
/// release it tells the product to forget the line. Stopping the silo drains the queued forgets, so the stored
/// state read afterwards is deterministic.
/// </summary>
public sealed class SettledLinesTests
{
    [Fact]
    public async Task Completed_redemptions_leave_the_product_holding_aggregates_and_no_lines()
    {
        var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 100_000);
        await ProductAsync(silo, Product("hot", points: 10), stock: 1_000);

        var placed = await Task.WhenAll(Enumerable.Range(0, 100).Select(i => silo.Grain<IOrderGrain>($"o{i}").PlaceAsync(Points("m1", "hot"))));
        Assert.All(placed, r => Assert.Equal("PendingShipment", r.Order?.Status));
        await silo.DisposeAsync();

        var stored = await StoredProductAsync(silo.DatabasePath, "hot");
        Assert.Empty(stored.Stock!.Lines);
        Assert.Equal((100L, 0L, 900L), (stored.Stock.Committed, stored.Stock.Reserved, stored.Stock.Available));
    }

    [Fact]
    public async Task Cancelling_an_order_whose_line_was_forgotten_returns_its_stock_and_points_once()
    {
        var first = await StartAsync(new SagaSignals());
        await MemberAsync(first, "m1", 1_000);
        await ProductAsync(first, Product("kettle", points: 300, perMemberLimit: 1), stock: 5);
        Assert.Equal("PendingShipment", (await first.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle"))).Order?.Status);
        await first.DisposeAsync();
        Assert.Empty((await StoredProductAsync(first.DatabasePath, "kettle")).Stock!.Lines);

        await using var silo = await StartAsync(new SagaSignals(), first.DatabasePath);
        var order = silo.Grain<IOrderGrain>("o1");
        var cancelled = await order.CancelAsync(new CancelOrder("m1", "changed_my_mind"));
        var again = await order.CancelAsync(new CancelOrder("m1", "changed_my_mind"));

        Assert.Equal(("Cancelled", "Cancelled"), (cancelled.Order?.Status, again.Order?.Status));
        var stock = await StockAsync(silo.Grain<Contracts.Catalog.IProductGrain>("kettle"));
        Assert.Equal((5L, 0L, 0L), (stock.Available, stock.Reserved, stock.Committed));
        Assert.Equal(1_000, await BalanceAsync(silo.Grain<Contracts.Members.IMemberGrain>("m1")));

        // The allowance came back with the stock: the member may buy again.
        Assert.Equal("PendingShipment", (await silo.Grain<IOrderGrain>("o2").PlaceAsync(Points("m1", "kettle"))).Order?.Status);
    }

    private static async Task<ProductState> StoredProductAsync(string databasePath, string productId)
    {
        await using var store = new SqliteGrainStore(new SqliteGrainStoreOptions { DatabasePath = databasePath });
        var stored = await store.ReadStateAsync(new StateKey("product", productId), CancellationToken.None);
        Assert.NotNull(stored);
        return JsonSerializer.Deserialize<ProductState>(stored.Payload, GroupCommitJson.Options)!;
    }
}

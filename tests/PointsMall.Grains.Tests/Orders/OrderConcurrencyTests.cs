using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Orders;

/// <summary>Redemptions racing on one product and one member: real grains over SQLite, all callers released at once.</summary>
public sealed class OrderConcurrencyTests
{
    [Fact]
    public async Task One_idempotency_key_sent_concurrently_and_repeatedly_yields_exactly_one_order()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        var product = await ProductAsync(silo, Product("kettle", points: 300), stock: 5);
        var orderId = OrderIds.For("m1", "client-key-1");
        var command = Points("m1", "kettle");
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 50).Select(_ => Task.Run(async () =>
        {
            start.Wait();
            return await silo.Grain<IOrderGrain>(orderId).PlaceAsync(command);
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);
        var retried = await silo.Grain<IOrderGrain>(orderId).PlaceAsync(command);

        Assert.All(results.Append(retried), r => Assert.Equal(("PendingShipment", (string?)null), (r.Order?.Status, r.Refusal?.Code)));
        Assert.Single(await LedgerAsync(member, orderId));
        Assert.Equal(700, await BalanceAsync(member));
        var stock = await StockAsync(product);
        Assert.Equal((4L, 0L, 1L), (stock.Available, stock.Reserved, stock.Committed));
        Assert.Equal([orderId], await OrderIdsAsync(silo, "m1"));
    }

    [Fact]
    public async Task One_member_racing_two_redemptions_the_balance_covers_once_gets_exactly_one()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 500);
        var product = await ProductAsync(silo, Product("kettle", points: 300), stock: 5);
        using var start = new ManualResetEventSlim();

        var calls = new[] { "key-a", "key-b" }.Select(key => Task.Run(async () =>
        {
            start.Wait();
            return await silo.Grain<IOrderGrain>(OrderIds.For("m1", key)).PlaceAsync(Points("m1", "kettle"));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);

        var winner = Assert.Single(results, r => r.Succeeded);
        var loser = Assert.Single(results, r => !r.Succeeded);
        Assert.Equal("PendingShipment", winner.Order!.Status);
        Assert.Equal(("insufficient_points", "Cancelled"), (loser.Refusal!.Code, loser.Order!.Status));
        Assert.Equal(200, await BalanceAsync(member));
        Assert.Empty(await LedgerAsync(member, loser.Order.Id));

        // The loser's reservation went back: only the winner's unit left stock.
        var stock = await StockAsync(product);
        Assert.Equal((4L, 0L, 1L), (stock.Available, stock.Reserved, stock.Committed));
    }

    [Theory]
    [InlineData(20, 7)]
    [InlineData(6, 10)]
    public async Task Members_racing_for_scarce_stock_get_exactly_as_many_units_as_there_are(int members, int units)
    {
        await using var silo = await StartAsync(new SagaSignals());
        var product = await ProductAsync(silo, Product("drop", points: 100), stock: units);
        var memberIds = Enumerable.Range(0, members).Select(i => $"m{i}").ToList();
        var grains = new Dictionary<string, Contracts.Members.IMemberGrain>();
        foreach (var id in memberIds)
        {
            grains[id] = await MemberAsync(silo, id, 1_000);
        }

        using var start = new ManualResetEventSlim();
        var calls = memberIds.Select(id => Task.Run(async () =>
        {
            start.Wait();
            return (Member: id, Result: await silo.Grain<IOrderGrain>(OrderIds.For(id, "drop")).PlaceAsync(Points(id, "drop")));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);

        var winners = results.Where(r => r.Result.Succeeded).ToList();
        Assert.Equal(Math.Min(members, units), winners.Count);
        Assert.All(results.Where(r => !r.Result.Succeeded), r => Assert.Equal("sold_out", r.Result.Refusal!.Code));
        var stock = await StockAsync(product);
        Assert.Equal(((long)(units - winners.Count), 0L, (long)winners.Count), (stock.Available, stock.Reserved, stock.Committed));
        foreach (var (id, result) in results)
        {
            Assert.Equal(result.Succeeded ? 900 : 1_000, await BalanceAsync(grains[id]));
        }
    }

    [Fact]
    public async Task One_member_racing_20_redemptions_against_a_limit_of_2_gets_exactly_2_and_the_rest_go_back_to_stock()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 10_000);
        var product = await ProductAsync(silo, Product("limited", points: 100, perMemberLimit: 2), stock: 100);
        using var start = new ManualResetEventSlim();

        var calls = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            start.Wait();
            return await silo.Grain<IOrderGrain>($"o-{i}").PlaceAsync(Points("m1", "limited"));
        })).ToList();
        start.Set();
        var results = await Task.WhenAll(calls);

        Assert.Equal(2, results.Count(r => r.Succeeded));
        Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal(("limit_exceeded", "Cancelled"), (r.Refusal!.Code, r.Order!.Status)));
        Assert.Equal(9_800, await BalanceAsync(member));
        var stock = await StockAsync(product);
        Assert.Equal((98L, 0L, 2L), (stock.Available, stock.Reserved, stock.Committed));
    }

    [Fact]
    public async Task A_limit_counts_what_the_member_already_holds_and_a_cancellation_gives_the_allowance_back()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await MemberAsync(silo, "m1", 10_000);
        var product = await ProductAsync(silo, Product("kettle", points: 100), stock: 10);
        Assert.True((await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "kettle"))).Succeeded);

        // The operator sets a limit of one after the member bought one: the next order is over it.
        Assert.True((await product.UpdateAsync(new UpdateProduct(Product("kettle", points: 100, perMemberLimit: 1), null))).Succeeded);
        Assert.Equal("limit_exceeded", (await silo.Grain<IOrderGrain>("o2").PlaceAsync(Points("m1", "kettle"))).Refusal?.Code);

        Assert.True((await silo.Grain<IOrderGrain>("o1").CancelAsync(new CancelOrder("m1", "changed_my_mind"))).Succeeded);
        Assert.True((await silo.Grain<IOrderGrain>("o3").PlaceAsync(Points("m1", "kettle"))).Succeeded);
        Assert.Equal((9L, 1L), ((await StockAsync(product)).Available, (await StockAsync(product)).Committed));
    }

    [Fact]
    public async Task A_cash_only_product_counts_toward_its_limit_without_spending_points()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var member = await MemberAsync(silo, "m1", 1_000);
        await ProductAsync(silo, Product("card", points: 0, cashFen: 990, category: Domain.Catalog.ProductCategory.Virtual, perMemberLimit: 1), stock: 10);

        var first = await silo.Grain<IOrderGrain>("o1").PlaceAsync(new PlaceOrder("m1", "card", 1, "points_cash", null));
        var second = await silo.Grain<IOrderGrain>("o2").PlaceAsync(new PlaceOrder("m1", "card", 1, "points_cash", null));

        Assert.Equal(("PendingPayment", (string?)null), (first.Order?.Status, first.Refusal?.Code));
        Assert.Equal("limit_exceeded", second.Refusal?.Code);
        Assert.Equal(1_000, await BalanceAsync(member));
    }
}

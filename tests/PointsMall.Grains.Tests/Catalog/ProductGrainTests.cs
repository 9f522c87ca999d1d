using Microsoft.Extensions.Time.Testing;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Catalog.CatalogTestData;

namespace PointsMall.Grains.Tests.Catalog;

public sealed class ProductGrainTests
{
    [Theory]
    [InlineData(500, 100)]
    [InlineData(60, 100)]
    public async Task N_members_racing_for_stock_S_never_oversell_and_exactly_min_N_S_succeed(int members, int stock)
    {
        ReservationResult[] results;
        string databasePath;
        FakeTimeProvider time;
        await using (var silo = await GrainsSilo.StartAsync())
        {
            databasePath = silo.DatabasePath;
            time = silo.Time;
            var product = await CreateAsync(silo, Product("drop-1", perMemberLimit: 1), stock);

            results = await Task.WhenAll(Enumerable.Range(0, members).Select(i => product.ReserveAsync(Reserve($"o-{i}", $"m-{i}"))));

            var expected = Math.Min(members, stock);
            Assert.Equal(expected, results.Count(r => r.Succeeded));
            Assert.All(results.Where(r => !r.Succeeded), r => Assert.Equal("sold_out", r.Refusal!.Code));
            var view = (await product.GetAsync())!;
            Assert.Equal(expected, view.Reserved);
            Assert.Equal(stock - expected, view.Available);
        }

        // Every acknowledged reservation was durable: a new silo on the same file holds the same numbers.
        await using var restarted = await GrainsSilo.StartAsync(databasePath, time);
        var reloaded = restarted.Grain<IProductGrain>("drop-1");
        var after = (await reloaded.GetAsync())!;
        Assert.Equal(Math.Min(members, stock), after.Reserved);
        Assert.Equal(stock - Math.Min(members, stock), after.Available);
        Assert.Equal(stock, after.Total);

        // And each order's answer holds: winners replay, losers are still refused.
        var winner = Array.FindIndex(results, r => r.Succeeded);
        var retry = await reloaded.ReserveAsync(Reserve($"o-{winner}", $"m-{winner}"));
        Assert.True(retry.Succeeded);
        Assert.True(retry.Replayed);
        var loser = Array.FindIndex(results, r => !r.Succeeded);
        if (loser >= 0)
        {
            Assert.Equal("sold_out", (await reloaded.ReserveAsync(Reserve($"o-{loser}", $"m-{loser}"))).Refusal?.Code);
        }
    }

    [Fact]
    public async Task A_sold_out_product_refuses_admission_without_writing_except_for_orders_that_reached_it()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("drop-admit"), 2);
        Assert.True((await product.ReserveAsync(Reserve("o-won", "m-1", quantity: 2))).Succeeded);
        Assert.Equal("sold_out", (await product.ReserveAsync(Reserve("o-late", "m-2"))).Refusal?.Code);
        var row = new Storage.StateKey("product", "drop-admit");
        var versionBefore = (await silo.Store.ReadStateAsync(row, CancellationToken.None))!.Version;

        var refused = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => product.AdmitAsync(new AdmitOrder($"o-new-{i}", 1))));

        Assert.All(refused, a => Assert.Equal(("sold_out", 0L), (a.Refusal?.Code, a.Available)));
        Assert.Equal(versionBefore, (await silo.Store.ReadStateAsync(row, CancellationToken.None))!.Version);

        // Orders with an outcome here go on, so their retries get that outcome from the order.
        Assert.Null((await product.AdmitAsync(new AdmitOrder("o-won", 2))).Refusal);
        Assert.Null((await product.AdmitAsync(new AdmitOrder("o-late", 1))).Refusal);
        Assert.Equal("not_found", (await silo.Grain<IProductGrain>("no-such").AdmitAsync(new AdmitOrder("o-1", 1))).Refusal?.Code);
    }

    [Fact]
    public async Task One_order_id_reserved_concurrently_takes_stock_once()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("idem"), 10);

        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => product.ReserveAsync(Reserve("o-same", "m-1", quantity: 2))));

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results, r => !r.Replayed);
        Assert.Equal(8, (await product.GetAsync())!.Available);
    }

    [Fact]
    public async Task A_reused_order_id_with_different_terms_is_a_conflict()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("reuse"), 10);
        Assert.True((await product.ReserveAsync(Reserve("o-1", "m-1"))).Succeeded);

        Assert.Equal("conflict", (await product.ReserveAsync(Reserve("o-1", "m-2"))).Refusal?.Code);
        Assert.Equal("conflict", (await product.ReserveAsync(Reserve("o-1", "m-1", quantity: 3))).Refusal?.Code);
    }

    [Fact]
    public async Task A_flash_drop_is_not_on_sale_before_its_start_and_sells_once_the_clock_reaches_it()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var startsAt = silo.Time.GetUtcNow().AddHours(2);
        var product = await CreateAsync(silo, Product("flash", flash: new FlashDrop(startsAt, 1)), 5);

        var early = await product.ReserveAsync(Reserve("o-early", "m-1"));
        Assert.Equal("not_on_sale", early.Refusal?.Code);
        Assert.Equal("drop_not_started", early.Refusal?.Detail);

        silo.Time.Advance(TimeSpan.FromHours(2));
        var onTime = await product.ReserveAsync(Reserve("o-on-time", "m-1"));
        Assert.True(onTime.Succeeded, onTime.Refusal?.ToString());
        Assert.Equal(4, onTime.Available);

        // One order over the drop's per-member limit (1) is refused here; the limit across orders is the member's.
        Assert.Equal("limit_exceeded", (await product.ReserveAsync(Reserve("o-two", "m-2", quantity: 2))).Refusal?.Code);
    }

    [Fact]
    public async Task An_off_shelf_product_refuses_new_reservations_while_existing_ones_complete()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("shelf"), 5);
        Assert.True((await product.ReserveAsync(Reserve("o-before", "m-1"))).Succeeded);

        var off = await product.SetOnShelfAsync(false);

        Assert.False(off.Product!.OnShelf);
        Assert.False(off.Product.Product.Listed);
        Assert.Equal("not_on_sale", (await product.ReserveAsync(Reserve("o-after", "m-2"))).Refusal?.Code);
        Assert.True((await product.ReserveAsync(Reserve("o-before", "m-1"))).Replayed);
        Assert.True((await product.CommitAsync("o-before")).Succeeded);

        await product.SetOnShelfAsync(true);
        Assert.True((await product.ReserveAsync(Reserve("o-after", "m-2"))).Succeeded);
    }

    [Fact]
    public async Task A_tier_restricted_product_refuses_lower_tiers_with_tier_required()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("gold-only", requiredTier: Tier.Gold), 5);

        var silver = await product.ReserveAsync(Reserve("o-1", "m-1", tier: Tier.Silver));
        Assert.Equal("tier_required", silver.Refusal?.Code);
        Assert.True((await product.ReserveAsync(Reserve("o-2", "m-2", tier: Tier.Diamond))).Succeeded);
    }

    [Fact]
    public async Task Reserving_an_unknown_product_is_not_found()
    {
        await using var silo = await GrainsSilo.StartAsync();

        Assert.Equal("not_found", (await silo.Grain<IProductGrain>("nothing").ReserveAsync(Reserve("o-1", "m-1"))).Refusal?.Code);
        Assert.Null(await silo.Grain<IProductGrain>("nothing").GetAsync());
    }

    [Fact]
    public async Task Release_returns_the_stock_and_is_idempotent()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("release"), 1);
        Assert.True((await product.ReserveAsync(Reserve("o-1", "m-1"))).Succeeded);
        Assert.Equal("sold_out", (await product.ReserveAsync(Reserve("o-2", "m-2"))).Refusal?.Code);

        var released = await product.ReleaseAsync(new ReleaseStock("o-1"));
        var again = await product.ReleaseAsync(new ReleaseStock("o-1"));

        Assert.Equal(1, released.Available);
        Assert.True(again.Replayed);
        Assert.Equal(1, again.Available);

        // The released order id stays dead; the member may buy again under a new order.
        Assert.Equal("conflict", (await product.ReserveAsync(Reserve("o-1", "m-1"))).Refusal?.Code);
        Assert.True((await product.ReserveAsync(Reserve("o-3", "m-1"))).Succeeded);
    }

    [Fact]
    public async Task Commit_turns_a_reservation_into_a_sale_and_is_idempotent()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("commit"), 3);
        await product.ReserveAsync(Reserve("o-1", "m-1", quantity: 2));

        Assert.False((await product.CommitAsync("o-1")).Replayed);
        Assert.True((await product.CommitAsync("o-1")).Replayed);
        Assert.Equal("not_found", (await product.CommitAsync("o-unknown")).Refusal?.Code);

        var view = (await product.GetAsync())!;
        Assert.Equal((3L, 2L, 0L, 1L), (view.Total, view.Committed, view.Reserved, view.Available));
    }

    [Fact]
    public async Task A_successful_reservation_carries_the_price_snapshot()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("priced", points: 1200), 3);

        var reserved = await product.ReserveAsync(Reserve("o-1", "m-1"));

        Assert.Equal(new Price(1200, 0), reserved.Product!.Price);
    }

    [Fact]
    public async Task Create_validates_the_product_and_a_second_create_is_a_conflict()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var grain = silo.Grain<IProductGrain>("p-1");

        Assert.Equal("validation_failed", (await grain.CreateAsync(new CreateProduct(Product("p-1") with { Name = "" }, 5, 0))).Refusal?.Code);
        Assert.Equal("validation_failed", (await grain.CreateAsync(new CreateProduct(Product("p-1"), -1, 0))).Refusal?.Code);
        Assert.Equal("validation_failed", (await grain.CreateAsync(new CreateProduct(Product("p-1"), 5, -1))).Refusal?.Code);
        Assert.Equal("validation_failed", (await grain.CreateAsync(new CreateProduct(Product("other-id"), 5, 0))).Refusal?.Code);
        Assert.Null(await grain.GetAsync());

        Assert.True((await grain.CreateAsync(new CreateProduct(Product("p-1"), 5, 1))).Succeeded);
        Assert.Equal("conflict", (await grain.CreateAsync(new CreateProduct(Product("p-1"), 9, 1))).Refusal?.Code);
        Assert.Equal(5, (await grain.GetAsync())!.Total);
    }

    [Fact]
    public async Task Update_replaces_the_details_and_applies_the_new_per_member_limit()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("upd"), 10);
        Assert.True((await product.ReserveAsync(Reserve("o-1", "m-1"))).Succeeded);

        var updated = await product.UpdateAsync(new UpdateProduct(Product("upd", name: "Earbuds Pro", perMemberLimit: 1), null));

        Assert.Equal("Earbuds Pro", updated.Product!.Product.Name);
        Assert.Equal(10, updated.Product.Total);
        Assert.Equal("limit_exceeded", (await product.ReserveAsync(Reserve("o-2", "m-1", quantity: 2))).Refusal?.Code);
        Assert.Equal("validation_failed", (await product.UpdateAsync(new UpdateProduct(Product("upd", points: -1), null))).Refusal?.Code);
    }

    [Fact]
    public async Task Restock_is_idempotent_by_operation_id()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var product = await CreateAsync(silo, Product("restock"), 1);

        await product.RestockAsync(new Restock("r-1", 5));
        var again = await product.RestockAsync(new Restock("r-1", 5));

        Assert.Equal(6, again.Product!.Total);
        Assert.Equal("validation_failed", (await product.RestockAsync(new Restock("r-2", 0))).Refusal?.Code);
    }
}

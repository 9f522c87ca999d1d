using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Orders;
using PointsMall.Domain.Catalog;
using PointsMall.Grains.Tests.Orders;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Catalog;

/// <summary>Code pools: uploaded codes back a virtual product's stock, and each goes to exactly one order.</summary>
public sealed class CodePoolTests
{
    private static Product GameCard(string id) => Product(id, points: 100, category: ProductCategory.Virtual) with { CodePool = true };

    [Fact]
    public async Task Members_racing_for_a_code_pool_product_each_get_a_different_uploaded_code_and_no_more_orders_than_codes()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var card = await ProductAsync(silo, GameCard("card"), stock: 0);
        string[] codes = ["CARD-0001", "CARD-0002", "CARD-0003", "CARD-0004", "CARD-0005"];
        var uploaded = await silo.Grain<ICodeUploadsGrain>("card").UploadAsync(new UploadCodes("batch-1", codes));
        Assert.True(uploaded.Succeeded, uploaded.Refusal?.ToString());
        Assert.Equal(5, (await StockAsync(card)).Available);
        var members = Enumerable.Range(1, 12).Select(i => $"m{i}").ToList();
        foreach (var m in members)
        {
            await MemberAsync(silo, m, 1_000);
        }

        var orders = await Task.WhenAll(members.Select(m => silo.Grain<IOrderGrain>($"o-{m}").PlaceAsync(Points(m, "card"))));

        var issued = orders.Where(o => o.Succeeded).Select(o => o.Order!.Code).ToList();
        Assert.Equal(5, issued.Count);
        Assert.Equal(codes.Order(), issued.Order());
        Assert.All(orders.Where(o => !o.Succeeded), o => Assert.Equal("sold_out", o.Refusal!.Code));
        Assert.Equal((5L, 5L), ((await silo.Grain<ICodePoolGrain>("card").GetAsync()).Assigned, (await StockAsync(card)).Committed));
    }

    [Fact]
    public async Task An_upload_adds_stock_only_for_new_codes_and_sending_it_again_changes_nothing()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var card = await ProductAsync(silo, GameCard("card"), stock: 0);
        var uploads = silo.Grain<ICodeUploadsGrain>("card");

        var first = await uploads.UploadAsync(new UploadCodes("batch-1", ["A-1", "A-2", "A-2", " A-3 "]));
        var again = await uploads.UploadAsync(new UploadCodes("batch-1", ["A-1", "A-2", "A-2", " A-3 "]));
        var overlap = await uploads.UploadAsync(new UploadCodes("batch-2", ["A-3", "B-1"]));

        Assert.Equal((3, 1, false), (first.Batch!.Added, first.Batch.Duplicates, first.Replayed));
        Assert.True(again.Replayed);
        Assert.Equal((1, 1), (overlap.Batch!.Added, overlap.Batch.Duplicates));
        Assert.Equal(4, (await StockAsync(card)).Total);
        Assert.Equal(4, overlap.Pool!.Total);
        Assert.Equal(["batch-2", "batch-1"], (await uploads.BatchesAsync()).Select(b => b.BatchId));
        Assert.Equal("validation_failed", (await uploads.UploadAsync(new UploadCodes("batch-3", ["has space"]))).Refusal!.Code);
        Assert.Equal("validation_failed", (await uploads.UploadAsync(new UploadCodes("batch-3", []))).Refusal!.Code);
    }

    [Fact]
    public async Task A_code_pool_products_stock_grows_only_by_uploads()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var card = await ProductAsync(silo, GameCard("card"), stock: 0);
        await ProductAsync(silo, Product("mug", points: 100), stock: 3);

        Assert.Equal("stock_from_codes", (await card.RestockAsync(new Restock("r-1", 10))).Refusal!.Detail);
        Assert.Equal("stock_from_codes", (await card.SetStockAsync(new SetStock("s-1", 10, "count"))).Refusal!.Detail);
        Assert.Equal("code_pool_fixed", (await card.UpdateAsync(new UpdateProduct(GameCard("card") with { CodePool = false }, null))).Refusal!.Detail);
        Assert.Equal("validation_failed", (await silo.Grain<IProductGrain>("card-2").CreateAsync(new CreateProduct(GameCard("card-2"), 5, 0))).Refusal!.Code);
        Assert.Equal("not_a_code_pool", (await silo.Grain<ICodeUploadsGrain>("mug").UploadAsync(new UploadCodes("b", ["X"]))).Refusal!.Detail);
        Assert.Equal("not_found", (await silo.Grain<ICodeUploadsGrain>("nothing").UploadAsync(new UploadCodes("b", ["X"]))).Refusal!.Code);
        Assert.Equal(0, (await StockAsync(card)).Total);
    }

    [Fact]
    public async Task An_order_that_finds_the_pool_empty_is_refunded_and_its_unit_written_off_never_given_anothers_code()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var card = await ProductAsync(silo, GameCard("card"), stock: 0);
        Assert.True((await silo.Grain<ICodeUploadsGrain>("card").UploadAsync(new UploadCodes("batch-1", ["ONLY-1", "ONLY-2"]))).Succeeded);
        var member = await MemberAsync(silo, "m1", 1_000);

        // A code lost to a retry the pool no longer remembers: two units of stock, one code left.
        Assert.NotNull((await silo.Grain<ICodePoolGrain>("card").AssignAsync("order-whose-answer-was-lost")).Slot);
        var first = await silo.Grain<IOrderGrain>("o1").PlaceAsync(Points("m1", "card"));
        var second = await silo.Grain<IOrderGrain>("o2").PlaceAsync(Points("m1", "card"));

        Assert.Equal("ONLY-2", first.Order!.Code);
        Assert.Equal(("Cancelled", "codes_exhausted"), (second.Order!.Status, second.Order.CancelReason));
        Assert.Equal(900, await BalanceAsync(member));
        var stock = await StockAsync(card);
        Assert.Equal((1L, 1L, 0L), (stock.Total, stock.Committed, stock.Available));
    }
}

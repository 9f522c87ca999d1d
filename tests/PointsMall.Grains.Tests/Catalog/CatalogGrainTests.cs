using System.Diagnostics;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Catalog.CatalogTestData;

namespace PointsMall.Grains.Tests.Catalog;

public sealed class CatalogGrainTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 21, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Search_filters_by_category_and_text_over_name_and_brand_ignoring_case_and_hides_off_shelf_products()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var catalog = await SeededCatalogAsync(silo);

        Assert.Equal(["p-phone", "p-buds"], Ids(await catalog.SearchAsync(Query(category: "physical"))));
        Assert.Equal(["p-coupon"], Ids(await catalog.SearchAsync(Query(category: "Virtual"))));
        Assert.Empty((await catalog.SearchAsync(Query(category: "furniture"))).Items);
        Assert.Equal(["p-phone", "p-buds"], Ids(await catalog.SearchAsync(Query(text: "HUAWEI"))));
        Assert.Equal(["p-buds"], Ids(await catalog.SearchAsync(Query(text: "huawei 耳机"))));
        Assert.Equal(["p-coupon"], Ids(await catalog.SearchAsync(Query(text: "coupon"))));
        Assert.Equal(["p-coupon", "p-phone", "p-old", "p-buds"], Ids(await catalog.SearchAsync(Query(includeOffShelf: true))));
    }

    [Theory]
    [InlineData("points_asc", new[] { "p-coupon", "p-buds", "p-phone" })]
    [InlineData("points_desc", new[] { "p-phone", "p-buds", "p-coupon" })]
    [InlineData("newest", new[] { "p-coupon", "p-phone", "p-buds" })]
    [InlineData("name", new[] { "p-coupon", "p-phone", "p-buds" })]
    public async Task Search_sorts_by_the_requested_key(string sort, string[] expected)
    {
        await using var silo = await GrainsSilo.StartAsync();
        var catalog = await SeededCatalogAsync(silo);

        Assert.Equal(expected, Ids(await catalog.SearchAsync(Query(sort: sort))));
    }

    [Fact]
    public async Task Search_pages_with_a_total()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var catalog = silo.Grain<ICatalogGrain>(CatalogKeys.All);
        for (var i = 0; i < 25; i++)
        {
            await catalog.UpsertAsync(Summary($"p-{i:00}", $"Item {i:00}", "Acme", 100 + i, T0));
        }

        var second = await catalog.SearchAsync(new CatalogQuery(null, null, "points_asc", false, 2, 10));
        var last = await catalog.SearchAsync(new CatalogQuery(null, null, "points_asc", false, 3, 10));

        Assert.Equal(25, second.Total);
        Assert.Equal(Enumerable.Range(10, 10).Select(i => $"p-{i:00}"), Ids(second));
        Assert.Equal(5, last.Items.Count);
    }

    [Fact]
    public async Task An_upsert_older_than_the_held_summary_is_ignored()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var catalog = silo.Grain<ICatalogGrain>(CatalogKeys.All);

        await catalog.UpsertAsync(Summary("p-1", "New name", "Acme", 100, T0.AddMinutes(5)));
        await catalog.UpsertAsync(Summary("p-1", "Old name", "Acme", 100, T0));

        Assert.Equal("New name", Assert.Single((await catalog.SearchAsync(Query())).Items).Name);
    }

    [Fact]
    public async Task Product_changes_reach_the_catalogue_through_the_product_stream()
    {
        await using var silo = await GrainsSilo.StartAsync();
        var catalog = silo.Grain<ICatalogGrain>(CatalogKeys.All);
        var product = await CreateAsync(silo, Product("p-live", name: "Smart watch", brand: "Xiaomi"), 4);

        await EventuallyAsync(catalog, p => p.Items.Any(s => s.Id == "p-live" && s.Available == 4), "the created product in the index");

        await product.UpdateAsync(new UpdateProduct(Product("p-live", name: "Smart watch 2", brand: "Xiaomi"), null));
        await product.SetOnShelfAsync(false);
        await EventuallyAsync(catalog, p => p.Items.Any(s => s.Id == "p-live" && s.Name == "Smart watch 2" && !s.OnShelf), "the update and the shelf change in the index");
        Assert.Empty((await catalog.SearchAsync(Query())).Items);
    }

    /// <summary>
    /// The catalogue has no event of its own to wait on, so this polls the index with a deadline and a clear
    /// message; each read is a grain call queued behind the subscription's upserts.
    /// </summary>
    private static async Task EventuallyAsync(ICatalogGrain catalog, Func<CatalogPage, bool> condition, string what)
    {
        var deadline = Stopwatch.StartNew();
        CatalogPage page;
        while (!condition(page = await catalog.SearchAsync(Query(includeOffShelf: true))))
        {
            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                Assert.Fail($"Waited 30s for {what}; the index holds: {string.Join(", ", page.Items)}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(5), TimeProvider.System);
        }
    }

    private static async Task<ICatalogGrain> SeededCatalogAsync(GrainsSilo silo)
    {
        var catalog = silo.Grain<ICatalogGrain>(CatalogKeys.All);
        await catalog.UpsertAsync(Summary("p-buds", "华为 FreeBuds 耳机", "Huawei", 900, T0));
        await catalog.UpsertAsync(Summary("p-phone", "Mate phone", "HUAWEI", 50000, T0.AddMinutes(1)));
        await catalog.UpsertAsync(Summary("p-coupon", "Coffee coupon", "Luckin", 200, T0.AddMinutes(2), ProductCategory.Virtual));
        await catalog.UpsertAsync(Summary("p-old", "Old kettle", "Acme", 300, T0.AddMinutes(3), onShelf: false));
        return catalog;
    }

    private static ProductSummary Summary(string id, string name, string brand, long points, DateTimeOffset at, ProductCategory category = ProductCategory.Physical, bool onShelf = true)
        => new(id, name, brand, category, new Price(points, 0), null, onShelf, null, 10, at);

    private static CatalogQuery Query(string? category = null, string? text = null, string? sort = null, bool includeOffShelf = false)
        => new(category, text, sort, includeOffShelf, 1, 50);

    private static IEnumerable<string> Ids(CatalogPage page) => page.Items.Select(s => s.Id);
}

using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Rules;
using PointsMall.Grains.Tests.Support;
using Xunit;

namespace PointsMall.Grains.Tests.Catalog;

internal static class CatalogTestData
{
    public static Product Product(
        string id,
        string name = "Wireless earbuds",
        string brand = "Acme",
        long points = 500,
        ProductCategory category = ProductCategory.Physical,
        int? perMemberLimit = null,
        Tier? requiredTier = null,
        FlashDrop? flash = null,
        bool listed = true)
        => new(id, name, brand, "Standard", "A1", "White", [$"https://img.example/{id}.jpg"], "A product for tests",
            category, new Price(points, 0), perMemberLimit, requiredTier, null, null, listed, flash);

    public static async Task<IProductGrain> CreateAsync(GrainsSilo silo, Product product, long stock, long lowStockThreshold = 0)
    {
        var grain = silo.Grain<IProductGrain>(product.Id);
        var created = await grain.CreateAsync(new CreateProduct(product, stock, lowStockThreshold));
        Assert.True(created.Succeeded, created.Refusal?.ToString());
        return grain;
    }

    public static ReserveStock Reserve(string orderId, string memberId, int quantity = 1, Tier tier = Tier.Regular)
        => new(orderId, memberId, tier, quantity);
}

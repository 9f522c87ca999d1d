using PointsMall.Contracts.Common;
using PointsMall.Domain.Catalog;

namespace PointsMall.Contracts.Catalog;

public sealed record ProductView(
    Product Product,
    long Total,
    long Available,
    long Reserved,
    long Committed,
    long LowStockThreshold,
    bool OnShelf,
    DateTimeOffset UpdatedAt)
{
    /// <summary>What the catalogue index holds for this product as it is now.</summary>
    public ProductSummary ToSummary() => ProductSummary.Of(Product, OnShelf, Available, UpdatedAt);
}

public sealed record ProductResult(ProductView? Product, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>A successful reservation carries the product as it was when reserved: the order's price snapshot.</summary>
public sealed record ReservationResult(Product? Product, long Available, bool Replayed, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public sealed record StockResult(long Available, bool Replayed, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public sealed record ProductSummary(
    string Id,
    string Name,
    string Brand,
    ProductCategory Category,
    Price Price,
    string? Image,
    bool OnShelf,
    DateTimeOffset? FlashStartsAt,
    long Available,
    DateTimeOffset UpdatedAt)
{
    public static ProductSummary Of(Product product, bool onShelf, long available, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new(product.Id, product.Name, product.Brand, product.Category, product.Price,
            product.Images.IsDefaultOrEmpty ? null : product.Images[0], onShelf, product.Flash?.StartsAt, available, at);
    }
}

public sealed record CatalogQuery(string? Category, string? Text, string? Sort, bool IncludeOffShelf, int Page, int PageSize);

public sealed record CatalogPage(IReadOnlyList<ProductSummary> Items, int Page, int PageSize, int Total);

/// <summary>Event on stream (stock, product id) when the available stock falls to or below the threshold.</summary>
public sealed record LowStockRaised(string ProductId, long Available, long Threshold, DateTimeOffset At);

/// <summary>
/// Event on stream (product, product id) when the details, shelf state or restocked stock change, and when
/// stock runs low or out. Not on every reservation: the index would become the hottest grain of a drop;
/// live counts come from the product grain itself.
/// </summary>
public sealed record ProductChanged(ProductSummary Summary);

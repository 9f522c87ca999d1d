using PointsMall.Contracts.Common;
using PointsMall.Domain.Catalog;

namespace PointsMall.Contracts.Catalog;

[GenerateSerializer, Immutable]
public sealed record ProductView(
    [property: Id(0)] Product Product,
    [property: Id(1)] long Total,
    [property: Id(2)] long Available,
    [property: Id(3)] long Reserved,
    [property: Id(4)] long Committed,
    [property: Id(5)] long LowStockThreshold,
    [property: Id(6)] bool OnShelf,
    [property: Id(7)] DateTimeOffset UpdatedAt)
{
    /// <summary>What the catalogue index holds for this product as it is now.</summary>
    public ProductSummary ToSummary() => ProductSummary.Of(Product, OnShelf, Available, UpdatedAt);
}

[GenerateSerializer, Immutable]
public sealed record ProductResult([property: Id(0)] ProductView? Product, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>An admission: no refusal means the order may go on to its reservation.</summary>
[GenerateSerializer, Immutable]
public sealed record AdmissionResult([property: Id(0)] long Available, [property: Id(1)] Problem? Refusal);

/// <summary>A successful reservation carries the product as it was when reserved: the order's price snapshot.</summary>
[GenerateSerializer, Immutable]
public sealed record ReservationResult([property: Id(0)] Product? Product, [property: Id(1)] long Available, [property: Id(2)] bool Replayed, [property: Id(3)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record StockResult([property: Id(0)] long Available, [property: Id(1)] bool Replayed, [property: Id(2)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record ProductSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Name,
    [property: Id(2)] string Brand,
    [property: Id(3)] ProductCategory Category,
    [property: Id(4)] Price Price,
    [property: Id(5)] string? Image,
    [property: Id(6)] bool OnShelf,
    [property: Id(7)] DateTimeOffset? FlashStartsAt,
    [property: Id(8)] long Available,
    [property: Id(9)] DateTimeOffset UpdatedAt)
{
    [Id(10)] public bool Featured { get; init; }

    [Id(11)] public int Priority { get; init; }

    [Id(12)] public string? Section { get; init; }

    /// <summary>The limited-time price, if any: lists show the price at the time they are read.</summary>
    [Id(13)] public PriceDiscount? Discount { get; init; }

    public static ProductSummary Of(Product product, bool onShelf, long available, DateTimeOffset at)
    {
        ArgumentNullException.ThrowIfNull(product);
        return new(product.Id, product.Name, product.Brand, product.Category, product.Price,
            product.Images.IsDefaultOrEmpty ? null : product.Images[0], onShelf, product.Flash?.StartsAt, available, at)
        {
            Featured = product.Featured,
            Priority = product.Priority,
            Section = product.Section,
            Discount = product.Discount,
        };
    }
}

[GenerateSerializer, Immutable]
public sealed record CatalogQuery([property: Id(0)] string? Category, [property: Id(1)] string? Text, [property: Id(2)] string? Sort, [property: Id(3)] bool IncludeOffShelf, [property: Id(4)] int Page, [property: Id(5)] int PageSize)
{
    /// <summary>Only products shelved in this catalogue section.</summary>
    [Id(6)] public string? Section { get; init; }

    /// <summary>Only featured products.</summary>
    [Id(7)] public bool FeaturedOnly { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record CatalogPage([property: Id(0)] IReadOnlyList<ProductSummary> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

/// <summary>Event on stream (stock, product id) when the available stock falls to or below the threshold.</summary>
[GenerateSerializer, Immutable]
public sealed record LowStockRaised([property: Id(0)] string ProductId, [property: Id(1)] long Available, [property: Id(2)] long Threshold, [property: Id(3)] DateTimeOffset At);

/// <summary>
/// Event on stream (product, product id) when the details, shelf state or restocked stock change, and when
/// stock runs low or out. Not on every reservation: the index would become the hottest grain of a drop;
/// live counts come from the product grain itself.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProductChanged([property: Id(0)] ProductSummary Summary);

using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;

namespace PointsMall.Api.Catalog;

/// <summary>
/// What shoppers and operators both see of a product. Prices: <c>cashPrice</c> in yuan, <c>cashPriceFen</c> in fen
/// (0 = points only). <see cref="ProductDto"/> and <see cref="AdminProductDto"/> add their own stock figures.
/// </summary>
public abstract record ProductFieldsDto
{
    protected ProductFieldsDto(ProductView view, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(view);
        var p = view.Product;
        (Id, Name, Brand, Category, Images, Description, Spec, Model, Colour) =
            (p.Id, p.Name, p.Brand, p.Category.ToString(), p.Images.IsDefault ? [] : [.. p.Images], p.Description, p.Spec, p.Model, p.Colour);
        var price = p.PriceAt(now);
        (PointsPrice, CashPrice, CashPriceFen, PerMemberLimit, RequiredTier) =
            (price.Points, CatalogEndpoints.Yuan(price.CashFen), price.CashFen, p.EffectivePerMemberLimit, p.RequiredTier?.ToString());
        if (p.Discount is { } discount)
        {
            Discount = new DiscountDto(discount.Price.Points, CatalogEndpoints.Yuan(discount.Price.CashFen), discount.StartsAt, discount.EndsAt, discount.IsActiveAt(now));
            if (discount.IsActiveAt(now))
            {
                (RegularPointsPrice, RegularCashPrice) = (p.Price.Points, CatalogEndpoints.Yuan(p.Price.CashFen));
            }
        }
        (OnShelf, OnSale, StartsAt, EndsAt, IsFlashSale) =
            (view.OnShelf, view.OnShelf && p.IsOnSaleAt(now), p.Flash?.StartsAt ?? p.OnShelfFrom, p.OnShelfUntil, p.Flash is not null);
        (Featured, Priority, SectionId, CodePool) = (p.Featured, p.Priority, p.Section, p.CodePool);
    }

    /// <summary>Each order gets one of the codes the operator uploaded (see <c>POST /admin/products/{id}/codes</c>).</summary>
    public bool CodePool { get; init; }

    /// <summary>The limited-time price, if one is set; while it is on, the price fields are its and these the regular ones.</summary>
    public DiscountDto? Discount { get; init; }

    public long? RegularPointsPrice { get; init; }

    public decimal? RegularCashPrice { get; init; }

    public bool Featured { get; init; }

    public int Priority { get; init; }

    public string? SectionId { get; init; }

    public string Id { get; init; }

    public string Name { get; init; }

    public string Brand { get; init; }

    public string Category { get; init; }

    public IReadOnlyList<string> Images { get; init; }

    public string Description { get; init; }

    public string Spec { get; init; }

    public string Model { get; init; }

    public string Colour { get; init; }

    public long PointsPrice { get; init; }

    public decimal CashPrice { get; init; }

    public long CashPriceFen { get; init; }

    public int? PerMemberLimit { get; init; }

    public string? RequiredTier { get; init; }

    public bool OnShelf { get; init; }

    public bool OnSale { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    public bool IsFlashSale { get; init; }
}

/// <summary>A product as shoppers see it, with the units left.</summary>
public sealed record ProductDto : ProductFieldsDto
{
    public ProductDto(ProductView view, DateTimeOffset now)
        : base(view, now) => (Available, SoldOut) = (view.Available, view.Available == 0);

    public long Available { get; init; }

    public bool SoldOut { get; init; }
}

/// <summary>A product with its stock numbers, for operators.</summary>
public sealed record AdminProductDto : ProductFieldsDto
{
    public AdminProductDto(ProductView view, DateTimeOffset now)
        : base(view, now) => Stock = new ProductStockDto(
            view.Total, view.Available, view.Reserved, view.Committed, view.LowStockThreshold, view.Available <= view.LowStockThreshold);

    public ProductStockDto Stock { get; init; }
}

/// <summary>A limited-time price; <c>active</c> while it is on.</summary>
public sealed record DiscountDto(long PointsPrice, decimal CashPrice, DateTimeOffset StartsAt, DateTimeOffset EndsAt, bool Active);

public sealed record ProductStockDto(long Total, long Available, long Reserved, long Sold, long LowStockThreshold, bool Low);

/// <summary>A catalogue row (browsing): <c>available</c> is as of the product's last stock band change, not live.</summary>
public sealed record ProductListItemDto(
    string Id,
    string Name,
    string Brand,
    string Category,
    string? Image,
    long PointsPrice,
    decimal CashPrice,
    long CashPriceFen,
    long Available,
    bool OnShelf,
    bool IsFlashSale,
    DateTimeOffset? StartsAt,
    bool Featured,
    int Priority,
    string? SectionId)
{
    /// <summary>The price without the limited-time discount, while one is on (the price fields are the discounted ones).</summary>
    public long? RegularPointsPrice { get; init; }

    public DateTimeOffset? DiscountEndsAt { get; init; }
}

public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public sealed record FlashDto(IReadOnlyList<ProductDto> Current, IReadOnlyList<ProductDto> Upcoming, DateTimeOffset ServerTime);

/// <summary>The products popular now, best first.</summary>
public sealed record PopularDto(IReadOnlyList<ProductDto> Items);

/// <summary>Products for one shopper, best first; <c>source</c> is <c>for_you</c> (from its history) or <c>popular</c>.</summary>
public sealed record ForYouDto(IReadOnlyList<ProductDto> Items, string Source);

public sealed record CreatedIdDto(string Id);

public sealed record LowStockAlertDto(string ProductId, string? Name, long Available, long Threshold, DateTimeOffset At);

public sealed record ItemsDto<T>(IReadOnlyList<T> Items, int Total);

/// <summary>
/// Replace a product (PUT): <c>startsAt</c>/<c>endsAt</c> bound the sale; with <c>isFlashSale</c> the product is shown
/// before <c>startsAt</c> as an upcoming drop (perMemberLimit defaults to 1 for a drop). Stock has its own routes;
/// the low-stock threshold is set here.
/// </summary>
public record ProductRequest : IValidatableObject
{
    public const int MaxStock = 10_000_000;

    /// <summary>Available stock at or below which the product is on the low-stock list; a PUT without it keeps the current one.</summary>
    [Range(0, MaxStock, ErrorMessage = "{1} to {2}.")]
    public long? LowStockThreshold { get; init; }

    [Required, Text(Product.MaxNameLength)]
    public string? Name { get; init; }

    [Text(100)]
    public string? Brand { get; init; }

    /// <summary>Physical (default), Virtual or Service (or 实物, 虚拟, 服务).</summary>
    [ProductCategory]
    public string? Category { get; init; }

    [Required, Range(0, 100_000_000, ErrorMessage = "{1} to {2}.")]
    public long? PointsPrice { get; init; }

    /// <summary>The cash part in yuan (points + cash); none or 0 for points only.</summary>
    [Yuan, Range(typeof(decimal), "0", "1000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "{1} to {2} yuan.")]
    public decimal? CashPrice { get; init; }

    [Range(1, 99, ErrorMessage = "{1} to {2}.")]
    public int? PerMemberLimit { get; init; }

    public DateTimeOffset? StartsAt { get; init; }

    public DateTimeOffset? EndsAt { get; init; }

    public bool? IsFlashSale { get; init; }

    [TierName]
    public string? RequiredTier { get; init; }

    [ImageUrls]
    public IReadOnlyList<string>? Images { get; init; }

    [StringLength(5000, ErrorMessage = "At most {1} characters.")]
    public string? Description { get; init; }

    [StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Spec { get; init; }

    [StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Model { get; init; }

    [StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Colour { get; init; }

    public bool? OnShelf { get; init; }

    /// <summary>Shown in the home page's featured strip.</summary>
    public bool? Featured { get; init; }

    /// <summary>Display priority on the home page and in the recommended sort: higher first (0 by default).</summary>
    [Range(0, Product.MaxPriority, ErrorMessage = "{1} to {2}.")]
    public int? Priority { get; init; }

    /// <summary>The catalogue section (<c>GET /sections</c>) it is shelved in; none when absent.</summary>
    [Token]
    public string? SectionId { get; init; }

    /// <summary>
    /// Virtual goods or services whose codes come from a pool the operator uploads (<c>POST /admin/products/{id}/codes</c>):
    /// created with no stock, and only uploads add any. Fixed once created.
    /// </summary>
    public bool? CodePool { get; init; }

    /// <summary>A limited-time price (限时折扣) in points, with <see cref="DiscountCashPrice"/> for points + cash, from <see cref="DiscountStartsAt"/> to <see cref="DiscountEndsAt"/>.</summary>
    [Range(0, 100_000_000, ErrorMessage = "{1} to {2}.")]
    public long? DiscountPointsPrice { get; init; }

    [Yuan, Range(typeof(decimal), "0", "1000000", ParseLimitsInInvariantCulture = true, ConvertValueInInvariantCulture = true, ErrorMessage = "{1} to {2} yuan.")]
    public decimal? DiscountCashPrice { get; init; }

    public DateTimeOffset? DiscountStartsAt { get; init; }

    public DateTimeOffset? DiscountEndsAt { get; init; }

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (PointsPrice is 0 && (CashPrice ?? 0m) == 0m)
        {
            yield return new ValidationResult("A product needs a points price and/or a cash price.", [nameof(PointsPrice)]);
        }

        if (StartsAt is { } starts && EndsAt is { } ends && ends <= starts)
        {
            yield return new ValidationResult("endsAt must be after startsAt.", [nameof(EndsAt)]);
        }

        if (IsFlashSale == true && StartsAt is null)
        {
            yield return new ValidationResult("A flash sale needs startsAt.", [nameof(StartsAt)]);
        }

        if (DiscountPointsPrice is not null && (DiscountStartsAt is null || DiscountEndsAt is null))
        {
            yield return new ValidationResult("A discount needs discountStartsAt and discountEndsAt.", [nameof(DiscountStartsAt)]);
        }

        if (DiscountPointsPrice is null && (DiscountCashPrice is not null || DiscountStartsAt is not null || DiscountEndsAt is not null))
        {
            yield return new ValidationResult("A discount needs discountPointsPrice.", [nameof(DiscountPointsPrice)]);
        }
    }
}

/// <summary>Create a product (POST): a product with its initial stock and low-stock threshold (default: a tenth of the stock, at most 10).</summary>
public sealed record NewProductRequest : ProductRequest
{
    [Required, Range(0, MaxStock, ErrorMessage = "{1} to {2}.")]
    public long? Stock { get; init; }
}

public sealed record ShelfRequest([property: Required] bool? OnShelf);

public sealed record RestockRequest([property: Required, Range(1, ProductRequest.MaxStock, ErrorMessage = "{1} to {2}.")] long? Quantity);

/// <summary>A new total after a count or a write-off, with why; it may not go below what orders hold or have taken.</summary>
public sealed record SetStockRequest(
    [property: Required, Range(0, ProductRequest.MaxStock, ErrorMessage = "{1} to {2}.")] long? Total,
    [property: Required, Text(200)] string? Reason);

/// <summary>
/// A catalogue search: <c>q</c> matches name and brand; <c>section</c> and <c>featured</c> narrow it; <c>sort</c> is
/// name, points_asc, points_desc, newest or recommended (featured first, then by display priority, then newest).
/// </summary>
public sealed record ProductQuery : PageQuery
{
    [FromQuery(Name = "section"), Token]
    public string? Section { get; init; }

    [FromQuery(Name = "featured")]
    public bool? Featured { get; init; }

    [FromQuery(Name = "category"), ProductCategory]
    public string? Category { get; init; }

    [FromQuery(Name = "q"), StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Q { get; init; }

    [FromQuery(Name = "sort"), OneOf("name", "points_asc", "points_desc", "newest", "recommended")]
    public string? Sort { get; init; }
}

/// <summary>Physical, Virtual or Service, in any case, or the Chinese names 实物, 虚拟, 服务.</summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class ProductCategoryAttribute() : ValidationAttribute("One of " + string.Join(", ", Enum.GetNames<ProductCategory>()) + ".")
{
    public override bool IsValid(object? value) => value is null || CatalogEndpoints.ParseCategory(value as string) is not null;
}

/// <summary>A product's pictures: at most 20, each a non-empty URL of at most 1000 characters.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class ImageUrlsAttribute() : ValidationAttribute("At most 20 images, each a non-empty URL of at most 1000 characters.")
{
    public override bool IsValid(object? value)
        => value is not IReadOnlyList<string> images || (images.Count <= 20 && images.All(i => !string.IsNullOrWhiteSpace(i) && i.Length <= 1000));
}

using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Infrastructure;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Catalog;

/// <summary>A product as shoppers see it. Prices: <c>cashPrice</c> in yuan, <c>cashPriceFen</c> in fen (0 = points only).</summary>
public sealed record ProductDto(
    string Id,
    string Name,
    string Brand,
    string Category,
    IReadOnlyList<string> Images,
    string Description,
    string Spec,
    string Model,
    string Colour,
    long PointsPrice,
    decimal CashPrice,
    long CashPriceFen,
    long Available,
    bool SoldOut,
    int? PerMemberLimit,
    string? RequiredTier,
    bool OnShelf,
    bool OnSale,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    bool IsFlashSale);

/// <summary>A product with its stock numbers, for operators.</summary>
public sealed record AdminProductDto(
    string Id,
    string Name,
    string Brand,
    string Category,
    IReadOnlyList<string> Images,
    string Description,
    string Spec,
    string Model,
    string Colour,
    long PointsPrice,
    decimal CashPrice,
    long CashPriceFen,
    int? PerMemberLimit,
    string? RequiredTier,
    bool OnShelf,
    bool OnSale,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    bool IsFlashSale,
    ProductStockDto Stock);

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
    DateTimeOffset? StartsAt);

public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

public sealed record FlashDto(IReadOnlyList<ProductDto> Current, IReadOnlyList<ProductDto> Upcoming, DateTimeOffset ServerTime);

public sealed record CreatedIdDto(string Id);

public sealed record LowStockAlertDto(string ProductId, string? Name, long Available, long Threshold, DateTimeOffset At);

public sealed record ItemsDto<T>(IReadOnlyList<T> Items, int Total);

/// <summary>
/// Replace a product (PUT): <c>startsAt</c>/<c>endsAt</c> bound the sale; with <c>isFlashSale</c> the product is shown
/// before <c>startsAt</c> as an upcoming drop (perMemberLimit defaults to 1 for a drop). Stock has its own routes.
/// </summary>
public record ProductRequest : IValidatableObject
{
    public const int MaxStock = 10_000_000;

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
    }
}

/// <summary>Create a product (POST): a product with its initial stock and low-stock threshold (default: a tenth of the stock, at most 10).</summary>
public sealed record NewProductRequest : ProductRequest
{
    [Required, Range(0, MaxStock, ErrorMessage = "{1} to {2}.")]
    public long? Stock { get; init; }

    [Range(0, MaxStock, ErrorMessage = "{1} to {2}.")]
    public long? LowStockThreshold { get; init; }
}

public sealed record ShelfRequest([property: Required] bool? OnShelf);

public sealed record RestockRequest([property: Required, Range(1, ProductRequest.MaxStock, ErrorMessage = "{1} to {2}.")] long? Quantity);

/// <summary>A catalogue search: <c>q</c> matches name and brand; <c>sort</c> is name, points_asc, points_desc or newest.</summary>
public sealed record ProductQuery : PageQuery
{
    [FromQuery(Name = "category"), ProductCategory]
    public string? Category { get; init; }

    [FromQuery(Name = "q"), StringLength(100, ErrorMessage = "At most {1} characters.")]
    public string? Q { get; init; }

    [FromQuery(Name = "sort"), OneOf("name", "points_asc", "points_desc", "newest")]
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

public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder routes)
    {
        var shop = routes.MapGroup("/products").WithTags("Catalog");
        shop.MapGet("/", SearchAsync).WithName("SearchProducts").WithSummary("Searches the catalogue: products on the shelf, by category and text, a page at a time.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        shop.MapGet("/flash", FlashAsync).WithName("GetFlashSales").WithSummary("The current and upcoming flash-sale drops, with live stock.");
        shop.MapGet("/{id}", GetAsync).WithName("GetProduct").WithSummary("One product as shoppers see it, with live stock.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);

        var admin = routes.MapGroup("/admin").WithTags("Catalog admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/products", AdminSearchAsync).WithName("AdminSearchProducts")
            .WithSummary("Searches every product, off the shelf too, with its stock numbers.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapGet("/products/{id}", AdminGetAsync).WithName("AdminGetProduct").WithSummary("One product with its stock numbers.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/products", CreateAsync).WithName("CreateProduct").WithSummary("Creates a product with its initial stock.")
            .ProducesProblemCodes(ApiProblems.Conflict);
        admin.MapPut("/products/{id}", UpdateAsync).WithName("UpdateProduct").WithSummary("Replaces a product's details (its stock and, without onShelf, its shelf flag stay).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/products/{id}/shelf", ShelfAsync).WithName("SetProductShelf").WithSummary("Puts a product on the shelf or takes it off.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/products/{id}/restock", RestockAsync).WithName("RestockProduct")
            .WithSummary("Adds stock to a product; a retry with the same Idempotency-Key adds it once.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapGet("/alerts/low-stock", LowStockAsync).WithName("GetLowStockAlerts").WithSummary("Products whose available stock is at or below their threshold.");
        return routes;
    }

    // ---- shoppers ----

    private static async Task<Ok<PageDto<ProductListItemDto>>> SearchAsync(IGrainFactory grains, [AsParameters] ProductQuery query)
        => await SearchCoreAsync(grains, query, includeOffShelf: false);

    private static async Task<Ok<FlashDto>> FlashAsync(IGrainFactory grains, TimeProvider time)
    {
        var now = time.GetUtcNow();
        var flash = (await AllSummariesAsync(grains, includeOffShelf: false)).Where(s => s.FlashStartsAt is not null).ToList();

        // The index knows which products are drops; the live counts come from each product grain (a handful of calls).
        var views = await Task.WhenAll(flash.Select(s => grains.GetGrain<IProductGrain>(s.Id).GetAsync()));
        var products = views.OfType<ProductView>().Where(v => v.OnShelf && (v.Product.OnShelfUntil is null || now < v.Product.OnShelfUntil)).ToList();
        var current = products.Where(v => v.Product.Flash!.StartsAt <= now).OrderBy(v => v.Product.Flash!.StartsAt).Select(v => ToDto(v, now)).ToList();
        var upcoming = products.Where(v => v.Product.Flash!.StartsAt > now).OrderBy(v => v.Product.Flash!.StartsAt).Select(v => ToDto(v, now)).ToList();
        return TypedResults.Ok(new FlashDto(current, upcoming, now));
    }

    private static async Task<Results<Ok<ProductDto>, ProblemHttpResult>> GetAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        var view = await FindAsync(grains, id);
        return view is null ? ApiProblems.NotFound("The product") : TypedResults.Ok(ToDto(view, time.GetUtcNow()));
    }

    // ---- operators ----

    private static async Task<Ok<PageDto<AdminProductDto>>> AdminSearchAsync(IGrainFactory grains, TimeProvider time, [AsParameters] ProductQuery query)
    {
        var list = (await SearchCoreAsync(grains, query, includeOffShelf: true)).Value!;
        var now = time.GetUtcNow();
        var views = await Task.WhenAll(list.Items.Select(i => grains.GetGrain<IProductGrain>(i.Id).GetAsync()));
        var items = views.OfType<ProductView>().Select(v => ToAdminDto(v, now)).ToList();
        return TypedResults.Ok(new PageDto<AdminProductDto>(items, list.Page, list.PageSize, list.Total));
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> AdminGetAsync(string id, IGrainFactory grains, TimeProvider time)
    {
        var view = await FindAsync(grains, id);
        return view is null ? ApiProblems.NotFound("The product") : TypedResults.Ok(ToAdminDto(view, time.GetUtcNow()));
    }

    private static async Task<Results<Created<CreatedIdDto>, ProblemHttpResult>> CreateAsync(NewProductRequest request, IGrainFactory grains)
    {
        var id = "p-" + Guid.NewGuid().ToString("n")[..16];
        var stock = request.Stock!.Value;
        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id)
            .CreateAsync(new CreateProduct(ToProduct(request, id), stock, request.LowStockThreshold ?? DefaultThreshold(stock))));
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/admin/products/{id}", new CreatedIdDto(id))
            : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> UpdateAsync(string id, ProductRequest request, IGrainFactory grains, TimeProvider time)
    {
        var existing = await FindAsync(grains, id);
        if (existing is null)
        {
            return ApiProblems.NotFound("The product");
        }

        // The shelf flag has its own route; a PUT without onShelf keeps it as it is.
        var product = ToProduct(request, id) with { Listed = request.OnShelf ?? existing.Product.Listed };
        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).UpdateAsync(product));
        return result.Succeeded ? TypedResults.Ok(ToAdminDto(result.Product!, time.GetUtcNow())) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> ShelfAsync(string id, ShelfRequest request, IGrainFactory grains, TimeProvider time)
    {
        if (await FindAsync(grains, id) is null)
        {
            return ApiProblems.NotFound("The product");
        }

        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).SetOnShelfAsync(request.OnShelf!.Value));
        return result.Succeeded ? TypedResults.Ok(ToAdminDto(result.Product!, time.GetUtcNow())) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> RestockAsync(
        string id,
        RestockRequest request,
        [FromHeader(Name = IdempotencyKeys.Header), IdempotencyKey, Description(IdempotencyKeys.Description)] string? idempotencyKey,
        IGrainFactory grains,
        TimeProvider time)
    {
        if (await FindAsync(grains, id) is null)
        {
            return ApiProblems.NotFound("The product");
        }

        // A retried restock with the same Idempotency-Key adds the stock once.
        var restock = new Restock("restock:" + IdempotencyKeys.KeyOrNew(idempotencyKey), request.Quantity!.Value);
        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).RestockAsync(restock));
        return result.Succeeded ? TypedResults.Ok(ToAdminDto(result.Product!, time.GetUtcNow())) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Ok<ItemsDto<LowStockAlertDto>>> LowStockAsync(IGrainFactory grains)
    {
        var alerts = await grains.GetGrain<ILowStockAlertsGrain>(CatalogKeys.All).ListAsync();
        var names = await Task.WhenAll(alerts.Select(a => grains.GetGrain<IProductGrain>(a.ProductId).GetAsync()));
        var items = alerts.Select((a, i) => new LowStockAlertDto(a.ProductId, names[i]?.Product.Name, a.Available, a.Threshold, a.At)).ToList();
        return TypedResults.Ok(new ItemsDto<LowStockAlertDto>(items, items.Count));
    }

    // ---- helpers ----

    private static async Task<Ok<PageDto<ProductListItemDto>>> SearchCoreAsync(IGrainFactory grains, ProductQuery query, bool includeOffShelf)
    {
        var result = await grains.GetGrain<ICatalogGrain>(CatalogKeys.All)
            .SearchAsync(new CatalogQuery(ParseCategory(query.Category)?.ToString(), query.Q, query.Sort, includeOffShelf, query.Page ?? 1, query.PageSize ?? 20));
        var items = result.Items.Select(s => new ProductListItemDto(s.Id, s.Name, s.Brand, s.Category.ToString(), s.Image, s.Price.Points,
            Yuan(s.Price.CashFen), s.Price.CashFen, s.Available, s.OnShelf, s.FlashStartsAt is not null, s.FlashStartsAt)).ToList();
        return TypedResults.Ok(new PageDto<ProductListItemDto>(items, result.Page, result.PageSize, result.Total));
    }

    private static async Task<List<ProductSummary>> AllSummariesAsync(IGrainFactory grains, bool includeOffShelf)
    {
        var catalog = grains.GetGrain<ICatalogGrain>(CatalogKeys.All);
        var all = new List<ProductSummary>();
        for (var page = 1; ; page++)
        {
            var result = await catalog.SearchAsync(new CatalogQuery(null, null, null, includeOffShelf, page, 100));
            all.AddRange(result.Items);
            if (result.Items.Count < 100 || all.Count >= result.Total)
            {
                return all;
            }
        }
    }

    /// <summary>
    /// Read-your-writes for operators: the index is fed by the product stream, a moment after the change is
    /// durable; an operator who lists products right after changing one should see the change, so the summary
    /// is also put in the index now. The upsert is idempotent and ignores older summaries, so the stream's copy
    /// arriving later changes nothing.
    /// </summary>
    private static async Task<ProductResult> IndexedAsync(IGrainFactory grains, ProductResult result)
    {
        if (result is { Succeeded: true, Product: { } view })
        {
            await grains.GetGrain<ICatalogGrain>(CatalogKeys.All).UpsertAsync(view.ToSummary());
        }

        return result;
    }

    /// <summary>Ids are short and printable (<see cref="Identifiers.IsToken"/>); anything else cannot exist, so it is not worth activating a grain for.</summary>
    private static async Task<ProductView?> FindAsync(IGrainFactory grains, string id)
        => Identifiers.IsToken(id) ? await grains.GetGrain<IProductGrain>(id).GetAsync() : null;

    private static long DefaultThreshold(long stock) => Math.Min(10, stock / 10);

    internal static decimal Yuan(long fen) => fen / 100m;

    internal static ProductCategory? ParseCategory(string? category) => category?.Trim() switch
    {
        "实物" => ProductCategory.Physical,
        "虚拟" => ProductCategory.Virtual,
        "服务" => ProductCategory.Service,
        { } name when Enum.TryParse<ProductCategory>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) => parsed,
        _ => null,
    };

    /// <summary>The product a validated request describes.</summary>
    private static Product ToProduct(ProductRequest request, string id)
    {
        var flash = request.IsFlashSale == true;
        return new Product(
            id,
            request.Name!.Trim(),
            request.Brand?.Trim() ?? "",
            request.Spec?.Trim() ?? "",
            request.Model?.Trim() ?? "",
            request.Colour?.Trim() ?? "",
            [.. (request.Images ?? []).Select(i => i.Trim())],
            request.Description ?? "",
            ParseCategory(request.Category) ?? ProductCategory.Physical,
            new Price(request.PointsPrice!.Value, (long)((request.CashPrice ?? 0m) * 100)),
            request.PerMemberLimit,
            TierNames.TryParse(request.RequiredTier, out var tier) ? tier : null,
            flash ? null : request.StartsAt,
            request.EndsAt,
            request.OnShelf ?? true,

            // A drop is on the shelf (visible as upcoming) before it starts; the drop's start is what blocks redemption.
            flash ? new FlashDrop(request.StartsAt!.Value, request.PerMemberLimit ?? 1) : null);
    }

    internal static ProductDto ToDto(ProductView view, DateTimeOffset now)
    {
        var p = view.Product;
        return new ProductDto(p.Id, p.Name, p.Brand, p.Category.ToString(), Images(p), p.Description, p.Spec, p.Model, p.Colour,
            p.Price.Points, Yuan(p.Price.CashFen), p.Price.CashFen, view.Available, view.Available == 0, p.EffectivePerMemberLimit,
            p.RequiredTier?.ToString(), view.OnShelf, view.OnShelf && p.IsOnSaleAt(now), StartsAt(p), p.OnShelfUntil, p.Flash is not null);
    }

    private static AdminProductDto ToAdminDto(ProductView view, DateTimeOffset now)
    {
        var p = view.Product;
        return new AdminProductDto(p.Id, p.Name, p.Brand, p.Category.ToString(), Images(p), p.Description, p.Spec, p.Model, p.Colour,
            p.Price.Points, Yuan(p.Price.CashFen), p.Price.CashFen, p.EffectivePerMemberLimit, p.RequiredTier?.ToString(), view.OnShelf,
            view.OnShelf && p.IsOnSaleAt(now), StartsAt(p), p.OnShelfUntil, p.Flash is not null,
            new ProductStockDto(view.Total, view.Available, view.Reserved, view.Committed, view.LowStockThreshold, view.Available <= view.LowStockThreshold));
    }

    private static string[] Images(Product p) => p.Images.IsDefault ? [] : [.. p.Images];

    private static DateTimeOffset? StartsAt(Product p) => p.Flash?.StartsAt ?? p.OnShelfFrom;
}

using Microsoft.AspNetCore.Http.HttpResults;
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
/// Create or replace a product. <c>startsAt</c>/<c>endsAt</c> bound the sale; with <c>isFlashSale</c> the product is
/// shown before <c>startsAt</c> as an upcoming drop (perMemberLimit defaults to 1 for a drop).
/// </summary>
public sealed record ProductRequest(
    string? Name,
    string? Brand,
    string? Category,
    long? PointsPrice,
    decimal? CashPrice,
    long? Stock,
    int? PerMemberLimit,
    long? LowStockThreshold,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    bool? IsFlashSale,
    string? RequiredTier,
    IReadOnlyList<string>? Images,
    string? Description,
    string? Spec,
    string? Model,
    string? Colour,
    bool? OnShelf);

public sealed record ShelfRequest(bool? OnShelf);

public sealed record RestockRequest(long? Quantity);

public static class CatalogEndpoints
{
    private const int MaxProductIdLength = 64;

    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder routes)
    {
        var shop = routes.MapGroup("/products").WithTags("Catalog");
        shop.MapGet("/", SearchAsync);
        shop.MapGet("/flash", FlashAsync);
        shop.MapGet("/{id}", GetAsync);

        var admin = routes.MapGroup("/admin").WithTags("Catalog admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/products", AdminSearchAsync);
        admin.MapGet("/products/{id}", AdminGetAsync);
        admin.MapPost("/products", CreateAsync);
        admin.MapPut("/products/{id}", UpdateAsync);
        admin.MapPost("/products/{id}/shelf", ShelfAsync);
        admin.MapPost("/products/{id}/restock", RestockAsync);
        admin.MapGet("/alerts/low-stock", LowStockAsync);
        return routes;
    }

    // ---- shoppers ----

    private static async Task<Results<Ok<PageDto<ProductListItemDto>>, ProblemHttpResult>> SearchAsync(
        IGrainFactory grains, string? category, string? q, string? sort, int? page, int? pageSize)
        => await SearchCoreAsync(grains, category, q, sort, page, pageSize, includeOffShelf: false);

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

    private static async Task<Results<Ok<PageDto<AdminProductDto>>, ProblemHttpResult>> AdminSearchAsync(
        IGrainFactory grains, TimeProvider time, string? category, string? q, string? sort, int? page, int? pageSize)
    {
        var found = await SearchCoreAsync(grains, category, q, sort, page, pageSize, includeOffShelf: true);
        if (found.Result is not Ok<PageDto<ProductListItemDto>> { Value: { } list })
        {
            return (ProblemHttpResult)found.Result;
        }

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

    private static async Task<Results<Created<CreatedIdDto>, ProblemHttpResult>> CreateAsync(ProductRequest? request, IGrainFactory grains)
    {
        var id = "p-" + Guid.NewGuid().ToString("n")[..16];
        var errors = Validate(request, creating: true, id, out var product);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id)
            .CreateAsync(new CreateProduct(product!, request!.Stock ?? 0, request.LowStockThreshold ?? DefaultThreshold(request.Stock ?? 0))));
        return result.Succeeded
            ? TypedResults.Created($"/api/v1/admin/products/{id}", new CreatedIdDto(id))
            : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> UpdateAsync(string id, ProductRequest? request, IGrainFactory grains, TimeProvider time)
    {
        var existing = await FindAsync(grains, id);
        if (existing is null)
        {
            return ApiProblems.NotFound("The product");
        }

        var errors = Validate(request, creating: false, id, out var product);
        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        // The shelf flag has its own route; a PUT without onShelf keeps it as it is.
        product = product! with { Listed = request!.OnShelf ?? existing.Product.Listed };
        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).UpdateAsync(product));
        return result.Succeeded ? TypedResults.Ok(ToAdminDto(result.Product!, time.GetUtcNow())) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> ShelfAsync(string id, ShelfRequest? request, IGrainFactory grains, TimeProvider time)
    {
        if (request?.OnShelf is not { } onShelf)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["onShelf"] = ["onShelf (true or false) is required."] });
        }

        if (await FindAsync(grains, id) is null)
        {
            return ApiProblems.NotFound("The product");
        }

        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).SetOnShelfAsync(onShelf));
        return result.Succeeded ? TypedResults.Ok(ToAdminDto(result.Product!, time.GetUtcNow())) : ApiProblems.From(result.Refusal!);
    }

    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> RestockAsync(
        string id, RestockRequest? request, HttpRequest http, IGrainFactory grains, TimeProvider time)
    {
        if (request?.Quantity is not { } quantity || quantity is < 1 or > 10_000_000)
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["quantity"] = ["quantity must be 1 to 10,000,000."] });
        }

        // A retried restock with the same Idempotency-Key adds the stock once.
        if (!IdempotencyKeys.TryRead(http, out var key, out var keyProblem))
        {
            return keyProblem!;
        }

        if (await FindAsync(grains, id) is null)
        {
            return ApiProblems.NotFound("The product");
        }

        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).RestockAsync(new Restock("restock:" + key, quantity)));
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

    private static async Task<Results<Ok<PageDto<ProductListItemDto>>, ProblemHttpResult>> SearchCoreAsync(
        IGrainFactory grains, string? category, string? q, string? sort, int? page, int? pageSize, bool includeOffShelf)
    {
        var errors = new Dictionary<string, string[]>();
        if (page is < 1 or > 100_000)
        {
            errors["page"] = ["page must be 1 to 100,000."];
        }

        if (pageSize is < 1 or > 100)
        {
            errors["pageSize"] = ["pageSize must be 1 to 100."];
        }

        if (q is { Length: > 100 })
        {
            errors["q"] = ["q is at most 100 characters."];
        }

        if (category is not null && ParseCategory(category) is null)
        {
            errors["category"] = ["category is one of Physical, Virtual, Service."];
        }

        if (sort is not null && sort.Trim().ToUpperInvariant() is not ("NAME" or "POINTS_ASC" or "POINTS_DESC" or "NEWEST"))
        {
            errors["sort"] = ["sort is one of name, points_asc, points_desc, newest."];
        }

        if (errors.Count > 0)
        {
            return ApiProblems.Validation(errors);
        }

        var result = await grains.GetGrain<ICatalogGrain>(CatalogKeys.All)
            .SearchAsync(new CatalogQuery(category is null ? null : ParseCategory(category)!.Value.ToString(), q, sort, includeOffShelf, page ?? 1, pageSize ?? 20));
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

    private static async Task<ProductView?> FindAsync(IGrainFactory grains, string id)
        => IsPlausibleId(id) ? await grains.GetGrain<IProductGrain>(id).GetAsync() : null;

    /// <summary>Ids are short and printable; anything else cannot exist, so it is not worth activating a grain for.</summary>
    internal static bool IsPlausibleId(string? id)
        => !string.IsNullOrWhiteSpace(id) && id.Length <= MaxProductIdLength && id.All(c => c is > ' ' and < (char)127);

    private static long DefaultThreshold(long stock) => Math.Min(10, stock / 10);

    internal static decimal Yuan(long fen) => fen / 100m;

    private static ProductCategory? ParseCategory(string? category) => category?.Trim() switch
    {
        "实物" => ProductCategory.Physical,
        "虚拟" => ProductCategory.Virtual,
        "服务" => ProductCategory.Service,
        { } name when Enum.TryParse<ProductCategory>(name, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) => parsed,
        _ => null,
    };

    private static Tier? ParseTier(string? tier)
        => Enum.TryParse<Tier>(tier?.Trim(), ignoreCase: true, out var parsed) && Enum.IsDefined(parsed) && !int.TryParse(tier, out _) ? parsed : null;

    private static Dictionary<string, string[]> Validate(ProductRequest? request, bool creating, string id, out Product? product)
    {
        product = null;
        var errors = new Dictionary<string, string[]>();
        if (request is null)
        {
            errors["body"] = ["A JSON body is required."];
            return errors;
        }

        void Error(string field, string message) => errors[field] = [message];

        if (string.IsNullOrWhiteSpace(request.Name) || request.Name.Trim().Length > 200)
        {
            Error("name", "name is required (at most 200 characters).");
        }

        if (request.Brand is { Length: > 100 })
        {
            Error("brand", "brand is at most 100 characters.");
        }

        var category = ParseCategory(request.Category ?? "Physical");
        if (category is null)
        {
            Error("category", "category is one of Physical, Virtual, Service.");
        }

        if (request.PointsPrice is not { } points || points is < 0 or > 100_000_000)
        {
            Error("pointsPrice", "pointsPrice is required, 0 to 100,000,000.");
        }

        var cash = request.CashPrice ?? 0m;
        if (cash is < 0m or > 1_000_000m || decimal.Round(cash, 2) != cash)
        {
            Error("cashPrice", "cashPrice is 0 to 1,000,000 yuan with at most two decimals.");
        }

        if (request.PointsPrice is 0 && cash == 0m)
        {
            Error("pointsPrice", "a product needs a points price and/or a cash price.");
        }

        if (creating && request.Stock is < 0 or > 10_000_000)
        {
            Error("stock", "stock is 0 to 10,000,000.");
        }

        if (creating && request.Stock is null)
        {
            Error("stock", "stock is required.");
        }

        if (request.PerMemberLimit is < 1 or > 99)
        {
            Error("perMemberLimit", "perMemberLimit is 1 to 99.");
        }

        if (creating && request.LowStockThreshold is < 0 or > 10_000_000)
        {
            Error("lowStockThreshold", "lowStockThreshold is 0 to 10,000,000.");
        }

        if (request.StartsAt is { } starts && request.EndsAt is { } ends && ends <= starts)
        {
            Error("endsAt", "endsAt must be after startsAt.");
        }

        var flash = request.IsFlashSale == true;
        if (flash && request.StartsAt is null)
        {
            Error("startsAt", "a flash sale needs startsAt.");
        }

        Tier? tier = null;
        if (request.RequiredTier is not null && (tier = ParseTier(request.RequiredTier)) is null)
        {
            Error("requiredTier", "requiredTier is one of Regular, Silver, Gold, Diamond.");
        }

        var images = request.Images ?? [];
        if (images.Count > 20 || images.Any(i => string.IsNullOrWhiteSpace(i) || i.Length > 1000))
        {
            Error("images", "at most 20 images, each a non-empty URL of at most 1000 characters.");
        }

        if (request.Description is { Length: > 5000 })
        {
            Error("description", "description is at most 5000 characters.");
        }

        foreach (var (field, value) in new[] { ("spec", request.Spec), ("model", request.Model), ("colour", request.Colour) })
        {
            if (value is { Length: > 100 })
            {
                Error(field, $"{field} is at most 100 characters.");
            }
        }

        if (errors.Count > 0)
        {
            return errors;
        }

        product = new Product(
            id,
            request.Name!.Trim(),
            request.Brand?.Trim() ?? "",
            request.Spec?.Trim() ?? "",
            request.Model?.Trim() ?? "",
            request.Colour?.Trim() ?? "",
            [.. images.Select(i => i.Trim())],
            request.Description ?? "",
            category!.Value,
            new Price(request.PointsPrice!.Value, (long)(cash * 100)),
            request.PerMemberLimit,
            tier,
            flash ? null : request.StartsAt,
            request.EndsAt,
            request.OnShelf ?? true,

            // A drop is on the shelf (visible as upcoming) before it starts; the drop's start is what blocks redemption.
            flash ? new FlashDrop(request.StartsAt!.Value, request.PerMemberLimit ?? 1) : null);
        return errors;
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

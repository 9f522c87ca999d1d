using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using PointsMall.Api.Analytics;
using PointsMall.Api.Auth;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Analytics;
using PointsMall.Contracts.Catalog;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;
using PointsMall.Domain.Operators;
using PointsMall.Domain.Rules;

namespace PointsMall.Api.Catalog;

public static class CatalogEndpoints
{
    public static IEndpointRouteBuilder MapCatalog(this IEndpointRouteBuilder routes)
    {
        var shop = routes.MapGroup("/products").WithTags("Catalog");
        shop.MapGet("/", SearchAsync).WithName("SearchProducts").WithSummary("Searches the catalogue: products on the shelf, by category and text, a page at a time.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        shop.MapGet("/flash", FlashAsync).WithName("GetFlashSales").WithSummary("The current and upcoming flash-sale drops, with live stock.");
        shop.MapGet("/popular", PopularAsync).WithName("GetPopularProducts")
            .WithSummary("What shoppers look at and redeem now (views and redemptions, halving every day), on the shelf, best first.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        shop.MapGet("/{id}", GetAsync).WithName("GetProduct").WithSummary("One product as shoppers see it, with live stock.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        routes.MapGet("/me/recommendations", ForYouAsync).WithTags("Catalog").RequireAuthorization(ApiSetup.MemberPolicy).WithName("GetMyRecommendations")
            .WithSummary("Products for the signed-in shopper, from what others who looked at or redeemed the same products did; popular ones when its history is short.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);

        var admin = routes.MapGroup("/admin").WithTags("Catalog admin").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("/products", AdminSearchAsync).WithName("AdminSearchProducts")
            .WithSummary("Searches every product, off the shelf too, with its stock numbers.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapGet("/products/{id}", AdminGetAsync).WithName("AdminGetProduct").WithSummary("One product with its stock numbers.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/products", CreateAsync).RequirePermission(Permission.CatalogWrite).WithName("CreateProduct")
            .WithSummary("Creates a product with its initial stock.")
            .ProducesProblemCodes(ApiProblems.Conflict);
        admin.MapPut("/products/{id}", UpdateAsync).RequirePermission(Permission.CatalogWrite).WithName("UpdateProduct").Audited(ProductSnapshot)
            .WithSummary("Replaces a product's details (its stock and, without onShelf, its shelf flag stay; whether it takes codes from a pool is fixed).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapPost("/products/{id}/shelf", ShelfAsync).RequirePermission(Permission.CatalogWrite).WithName("SetProductShelf").Audited(ProductSnapshot)
            .WithSummary("Puts a product on the shelf or takes it off.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode);
        admin.MapPost("/products/{id}/restock", RestockAsync).RequirePermission(Permission.StockWrite).WithName("RestockProduct").Audited(ProductSnapshot)
            .WithSummary("Adds stock to a product; a retry with the same Idempotency-Key adds it once. A code-pool product's stock grows by uploading codes instead (409 `stock_from_codes`).")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapPost("/products/{id}/stock", SetStockAsync).RequirePermission(Permission.StockWrite).WithName("SetProductStock").Audited(ProductSnapshot)
            .WithSummary("Sets a product's total stock after a count or a write-off, with a reason; never below what orders hold or have taken.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.Conflict);
        admin.MapGet("/alerts/low-stock", LowStockAsync).WithName("GetLowStockAlerts").WithSummary("Products whose available stock is at or below their threshold.");
        return routes;
    }

    /// <summary>The product an admin route changes, for the audit's before → after.</summary>
    private static async Task<object?> ProductSnapshot(HttpContext context, IGrainFactory grains)
        => AdminAudit.RouteId(context) is { } id ? await grains.GetGrain<IProductGrain>(id).GetAsync() : null;

    // ---- shoppers ----

    private static async Task<Ok<PageDto<ProductListItemDto>>> SearchAsync(
        IGrainFactory grains, [AsParameters] ProductQuery query, ClaimsPrincipal user, ShopperActivityRecorder activity, TimeProvider time)
    {
        var found = await SearchCoreAsync(grains, query, includeOffShelf: false, time.GetUtcNow());

        // A search is what a shopper typed; browsing a section or a page of the catalogue is not one.
        if (!string.IsNullOrWhiteSpace(query.Q) && (query.Page ?? 1) == 1)
        {
            activity.Record(ShopperActivityKind.Search, user.MemberIdOrNull(), query.Q, found.Value!.Total);
        }

        return found;
    }

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

    private static async Task<Ok<PopularDto>> PopularAsync(IGrainFactory grains, TimeProvider time, [Range(1, 20, ErrorMessage = "{1} to {2}.")] int? limit)
    {
        var count = limit ?? 8;

        // Asks for more than shown: a popular product may since have left the shelf.
        var top = await grains.GetGrain<IPopularityGrain>(IPopularityGrain.Key).TopAsync(count * 2);
        var now = time.GetUtcNow();
        return TypedResults.Ok(new PopularDto([.. (await OnShelfAsync(grains, top.Select(t => t.ProductId), count, now)).Select(v => ToDto(v, now))]));
    }

    /// <summary>
    /// For the signed-in shopper: what shoppers who looked at or redeemed the same products also did, best first, filled
    /// up with the popular products when its history says too little (<c>source</c> says which).
    /// </summary>
    private static async Task<Ok<ForYouDto>> ForYouAsync(ClaimsPrincipal user, IGrainFactory grains, TimeProvider time, [Range(1, 20, ErrorMessage = "{1} to {2}.")] int? limit)
    {
        var count = limit ?? 8;
        var now = time.GetUtcNow();
        var forYou = await grains.GetGrain<IShopperTasteGrain>(user.MemberId()).ForYouAsync(count * 2);
        var shown = await OnShelfAsync(grains, forYou.Products, count, now);
        if (shown.Count >= count)
        {
            return TypedResults.Ok(new ForYouDto([.. shown.Select(v => ToDto(v, now))], "for_you"));
        }

        var popular = await grains.GetGrain<IPopularityGrain>(IPopularityGrain.Key).TopAsync(count * 2);
        var more = await OnShelfAsync(grains, popular.Select(p => p.ProductId).Where(id => !shown.Any(v => v.Product.Id == id) && !forYou.Redeemed.Contains(id)),
            count - shown.Count, now);
        return TypedResults.Ok(new ForYouDto([.. shown.Concat(more).Select(v => ToDto(v, now))], shown.Count > 0 ? "for_you" : "popular"));
    }

    /// <summary>The first <paramref name="count"/> of <paramref name="ids"/> that are on the shelf now (ids ask for more than shown).</summary>
    private static async Task<List<ProductView>> OnShelfAsync(IGrainFactory grains, IEnumerable<string> ids, int count, DateTimeOffset now)
    {
        var views = await Task.WhenAll(ids.Select(id => grains.GetGrain<IProductGrain>(id).GetAsync()));
        return [.. views.OfType<ProductView>().Where(v => v.OnShelf && (v.Product.OnShelfUntil is null || now < v.Product.OnShelfUntil)).Take(Math.Max(0, count))];
    }

    private static async Task<Results<Ok<ProductDto>, ProblemHttpResult>> GetAsync(
        string id, IGrainFactory grains, TimeProvider time, ClaimsPrincipal user, ShopperActivityRecorder activity)
    {
        var view = await FindAsync(grains, id);
        if (view is null)
        {
            return ApiProblems.NotFound("The product");
        }

        activity.Record(ShopperActivityKind.ProductView, user.MemberIdOrNull(), id);
        return TypedResults.Ok(ToDto(view, time.GetUtcNow()));
    }

    // ---- operators ----

    private static async Task<Ok<PageDto<AdminProductDto>>> AdminSearchAsync(IGrainFactory grains, TimeProvider time, [AsParameters] ProductQuery query)
    {
        var list = (await SearchCoreAsync(grains, query, includeOffShelf: true, time.GetUtcNow())).Value!;
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
        if (await SectionProblemAsync(grains, request) is { } noSuchSection)
        {
            return noSuchSection;
        }

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

        if (await SectionProblemAsync(grains, request) is { } noSuchSection)
        {
            return noSuchSection;
        }

        // The shelf flag has its own route; a PUT without onShelf keeps it as it is.
        var product = ToProduct(request, id) with { Listed = request.OnShelf ?? existing.Product.Listed, CodePool = request.CodePool ?? existing.Product.CodePool };
        var result = await IndexedAsync(grains, await grains.GetGrain<IProductGrain>(id).UpdateAsync(new UpdateProduct(product, request.LowStockThreshold)));
        return result.Succeeded ? TypedResults.Ok(ToAdminDto(result.Product!, time.GetUtcNow())) : ApiProblems.From(result.Refusal!);
    }

    private static Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> ShelfAsync(string id, ShelfRequest request, IGrainFactory grains, TimeProvider time)
        => ChangeAsync(grains, id, time, product => product.SetOnShelfAsync(request.OnShelf!.Value));

    /// <summary>Adds stock; a retried restock with the same Idempotency-Key adds it once.</summary>
    private static Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> RestockAsync(
        string id,
        RestockRequest request,
        [FromHeader(Name = IdempotencyKeys.Header), IdempotencyKey, Description(IdempotencyKeys.Description)] string? idempotencyKey,
        IGrainFactory grains,
        TimeProvider time)
        => ChangeAsync(grains, id, time, product => product.RestockAsync(new Restock("restock:" + IdempotencyKeys.KeyOrNew(idempotencyKey), request.Quantity!.Value)));

    /// <summary>Sets the total after a count; like a restock, a retry with the same key sets it once (a later count is a new key).</summary>
    private static Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> SetStockAsync(
        string id,
        SetStockRequest request,
        [FromHeader(Name = IdempotencyKeys.Header), IdempotencyKey, Description(IdempotencyKeys.Description)] string? idempotencyKey,
        IGrainFactory grains,
        TimeProvider time)
        => ChangeAsync(grains, id, time, product => product.SetStockAsync(new SetStock("stock:" + IdempotencyKeys.KeyOrNew(idempotencyKey), request.Total!.Value, request.Reason!.Trim())));

    /// <summary>A change of an existing product: 404 when there is none, else the product's answer as operators see it.</summary>
    private static async Task<Results<Ok<AdminProductDto>, ProblemHttpResult>> ChangeAsync(
        IGrainFactory grains, string id, TimeProvider time, Func<IProductGrain, Task<ProductResult>> change)
    {
        if (await FindAsync(grains, id) is null)
        {
            return ApiProblems.NotFound("The product");
        }

        var result = await IndexedAsync(grains, await change(grains.GetGrain<IProductGrain>(id)));
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

    /// <summary>A product can only be shelved in a section that exists.</summary>
    private static async Task<ProblemHttpResult?> SectionProblemAsync(IGrainFactory grains, ProductRequest request)
        => request.SectionId is { } section && !(await grains.GetGrain<ISectionsGrain>(CatalogKeys.All).ListAsync()).Any(s => s.Id == section)
            ? ApiProblems.Validation(new Dictionary<string, string[]> { ["sectionId"] = ["No such section (GET /api/v1/sections)."] })
            : null;

    private static async Task<Ok<PageDto<ProductListItemDto>>> SearchCoreAsync(IGrainFactory grains, ProductQuery query, bool includeOffShelf, DateTimeOffset now)
    {
        var result = await grains.GetGrain<ICatalogGrain>(CatalogKeys.All)
            .SearchAsync(new CatalogQuery(ParseCategory(query.Category)?.ToString(), query.Q, query.Sort, includeOffShelf, query.Page ?? 1, query.PageSize ?? 20)
            {
                Section = query.Section,
                FeaturedOnly = query.Featured == true,
            });
        var items = result.Items.Select(s =>
        {
            // The index holds the regular price and the discount; the list shows the price now.
            var discount = s.Discount is { } d && d.IsActiveAt(now) ? d : null;
            var price = discount?.Price ?? s.Price;
            return new ProductListItemDto(s.Id, s.Name, s.Brand, s.Category.ToString(), s.Image, price.Points,
                Yuan(price.CashFen), price.CashFen, s.Available, s.OnShelf, s.FlashStartsAt is not null, s.FlashStartsAt, s.Featured, s.Priority, s.Section)
            {
                RegularPointsPrice = discount is null ? null : s.Price.Points,
                DiscountEndsAt = discount?.EndsAt,
            };
        }).ToList();
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
        { } name when EnumNames.TryParse<ProductCategory>(name, out var parsed) => parsed,
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
            flash ? new FlashDrop(request.StartsAt!.Value, request.PerMemberLimit ?? 1) : null)
        {
            Featured = request.Featured ?? false,
            Priority = request.Priority ?? 0,
            Section = request.SectionId,
            CodePool = request.CodePool ?? false,
            Discount = request.DiscountPointsPrice is { } points
                ? new PriceDiscount(new Price(points, (long)((request.DiscountCashPrice ?? 0m) * 100)), request.DiscountStartsAt!.Value, request.DiscountEndsAt!.Value)
                : null,
        };
    }

    internal static ProductDto ToDto(ProductView view, DateTimeOffset now) => new(view, now);

    private static AdminProductDto ToAdminDto(ProductView view, DateTimeOffset now) => new(view, now);
}

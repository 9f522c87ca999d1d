using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using PointsMall.Api.Auth;
using PointsMall.Api.Catalog;
using PointsMall.Api.Infrastructure;
using PointsMall.Api.Operators;
using PointsMall.Contracts.Coupons;
using PointsMall.Domain.Coupons;
using PointsMall.Domain.Operators;

namespace PointsMall.Api.Coupons;

/// <summary>
/// A coupon to create or replace: <c>facePoints</c> off one order of at least <c>minPoints</c> points (of one
/// <c>category</c> when given), valid <c>validDays</c> after it is claimed; <c>quantity</c> in all, <c>perMemberLimit</c>
/// each, claimable within <c>claimFrom</c>–<c>claimUntil</c> when given.
/// </summary>
public sealed record CouponRequest(
    [property: Required, Text(CouponTerms.MaxNameLength)] string? Name,
    [property: Required, Range(1, CouponTerms.MaxFacePoints)] long? FacePoints,
    [property: Range(0, CouponTerms.MaxFacePoints * 100)] long? MinPoints,
    [property: ProductCategory] string? Category,
    [property: Required, Range(1, CouponTerms.MaxValidDays)] int? ValidDays,
    [property: Required, Range(1, CouponIssue.MaxQuantity)] int? Quantity,
    [property: Range(1, 100)] int? PerMemberLimit,
    DateTimeOffset? ClaimFrom,
    DateTimeOffset? ClaimUntil) : IValidatableObject
{
    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (ClaimFrom is { } from && ClaimUntil is { } until && until <= from)
        {
            yield return new ValidationResult("The claim window must end after it starts.", [nameof(ClaimUntil)]);
        }
    }
}

public sealed record CouponDto(
    string Id,
    string Name,
    long FacePoints,
    long MinPoints,
    string? Category,
    int ValidDays,
    int Quantity,
    int Issued,
    int Remaining,
    int PerMemberLimit,
    DateTimeOffset? ClaimFrom,
    DateTimeOffset? ClaimUntil,
    DateTimeOffset CreatedAt)
{
    public static CouponDto From(CouponView c)
        => new(c.Id, c.Terms.Name, c.Terms.FacePoints, c.Terms.MinPoints, c.Terms.Category?.ToString(), c.Terms.ValidDays, c.Quantity, c.Issued,
            c.Remaining, c.PerMemberLimit, c.ClaimFrom, c.ClaimUntil, c.CreatedAt);
}

public sealed record WalletCouponDto(
    string Id,
    string CouponId,
    string Name,
    long FacePoints,
    long MinPoints,
    string? Category,
    DateTimeOffset ClaimedAt,
    DateTimeOffset ExpiresAt,
    string Status,
    string? UsedBy,
    DateTimeOffset? UsedAt)
{
    public static WalletCouponDto From(WalletCouponView c)
        => new(c.Id, c.CouponId, c.Terms.Name, c.Terms.FacePoints, c.Terms.MinPoints, c.Terms.Category?.ToString(), c.ClaimedAt, c.ExpiresAt,
            c.Status, c.UsedBy, c.UsedAt);
}

public sealed record WalletDto(IReadOnlyList<WalletCouponDto> Items);

/// <summary>Coupons: what members can claim, their wallets, and the operators' coupon setup. Coupons are used by <c>POST /redemptions</c>.</summary>
public static class CouponEndpoints
{
    public static IEndpointRouteBuilder MapCoupons(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/coupons", ListAsync).WithTags("Coupons").WithName("ListCoupons")
            .WithSummary("The coupons, newest first, with how many are left; members claim them into their wallets.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);

        var member = routes.MapGroup("/me/coupons").RequireAuthorization(ApiSetup.MemberPolicy).WithTags("Coupons");
        member.MapGet("", WalletAsync).WithName("GetMyCoupons")
            .WithSummary("The member's coupon wallet: usable coupons (soonest expiring first), then used and expired ones.");
        member.MapPost("/{couponId}/claim", ClaimAsync).WithName("ClaimCoupon")
            .RequireShopperRateLimit(RateLimits.Redemptions)
            .WithSummary("Claims one of a coupon into the wallet. Claiming again is refused once the member holds its limit.")
            .ProducesProblemCodes(ApiProblems.NotFoundCode, ApiProblems.SoldOut, ApiProblems.LimitExceeded, ApiProblems.NotOnSale);

        var admin = routes.MapGroup("/admin/coupons").WithTags("Admin: coupons").RequireAuthorization(ApiSetup.AdminPolicy);
        admin.MapGet("", AdminListAsync).WithName("AdminListCoupons").WithSummary("The coupons with how many are issued, newest first.")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        admin.MapPut("/{id}", ConfigureAsync).RequirePermission(Permission.CampaignsWrite).WithName("ConfigureCoupon").Audited(CouponSnapshot)
            .WithSummary("Creates a coupon or changes one (claimed coupons keep their terms; the quantity cannot go below those issued).")
            .ProducesProblemCodes(ApiProblems.ValidationFailed);
        return routes;
    }

    private static async Task<object?> CouponSnapshot(HttpContext context, IGrainFactory grains)
        => AdminAudit.RouteId(context) is { } id ? await grains.GetGrain<ICouponGrain>(id).GetAsync() : null;

    private static async Task<Ok<PageDto<CouponDto>>> ListAsync(IGrainFactory grains, [Page(1_000)] int? page, [PageSize(ICouponCatalogGrain.MaxPageSize)] int? pageSize)
        => TypedResults.Ok(await PageAsync(grains, page, pageSize));

    private static async Task<Ok<PageDto<CouponDto>>> AdminListAsync(IGrainFactory grains, [Page(1_000)] int? page, [PageSize(ICouponCatalogGrain.MaxPageSize)] int? pageSize)
        => TypedResults.Ok(await PageAsync(grains, page, pageSize));

    private static async Task<PageDto<CouponDto>> PageAsync(IGrainFactory grains, int? page, int? pageSize)
    {
        var found = await grains.GetGrain<ICouponCatalogGrain>(ICouponCatalogGrain.Key).ListAsync(page ?? 1, pageSize ?? 20);
        return new PageDto<CouponDto>([.. found.Items.Select(CouponDto.From)], found.Page, found.PageSize, found.Total);
    }

    private static async Task<Ok<WalletDto>> WalletAsync(ClaimsPrincipal user, IGrainFactory grains)
    {
        var coupons = await grains.GetGrain<ICouponWalletGrain>(user.MemberId()).GetCouponsAsync();
        return TypedResults.Ok(new WalletDto([.. coupons.Select(WalletCouponDto.From)]));
    }

    private static async Task<Results<Created<WalletCouponDto>, ProblemHttpResult>> ClaimAsync(string couponId, ClaimsPrincipal user, IGrainFactory grains)
    {
        if (!Identifiers.IsSlug(couponId))
        {
            return ApiProblems.NotFound("The coupon");
        }

        var result = await grains.GetGrain<ICouponWalletGrain>(user.MemberId()).ClaimCouponAsync(couponId);
        return result.Refusal is { } refusal
            ? ApiProblems.From(refusal)
            : TypedResults.Created("/api/v1/me/coupons", WalletCouponDto.From(result.Coupon!));
    }

    private static async Task<Results<Ok<CouponDto>, ProblemHttpResult>> ConfigureAsync(string id, CouponRequest request, IGrainFactory grains)
    {
        if (!Identifiers.IsSlug(id))
        {
            return ApiProblems.Validation(new Dictionary<string, string[]> { ["id"] = [$"1 to {Identifiers.MaxIdLength} letters, digits, '-' or '_'."] });
        }

        var terms = new CouponTerms(request.Name!.Trim(), request.FacePoints!.Value, request.MinPoints ?? 0,
            CatalogEndpoints.ParseCategory(request.Category), request.ValidDays!.Value);
        var result = await grains.GetGrain<ICouponGrain>(id)
            .ConfigureAsync(new ConfigureCoupon(terms, request.Quantity!.Value, request.PerMemberLimit ?? 1, request.ClaimFrom, request.ClaimUntil));
        return result.Refusal is { } refusal ? ApiProblems.From(refusal) : TypedResults.Ok(CouponDto.From(result.Coupon!));
    }
}

using PointsMall.Contracts.Common;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Coupons;

namespace PointsMall.Contracts.Coupons;

/// <summary>
/// A coupon that members claim into their wallets (key: coupon id): its terms, how many may be issued and how many
/// are out. A claim is idempotent by its claim id; the member's own grain tells how many it holds already.
/// </summary>
[Alias("coupon")]
public interface ICouponGrain : IGrainWithStringKey
{
    /// <summary>Creates the coupon or changes it; coupons already claimed keep their terms.</summary>
    Task<CouponResult> ConfigureAsync(ConfigureCoupon command);

    /// <summary>The coupon, or null when it was never configured.</summary>
    Task<CouponView?> GetAsync();

    /// <summary>
    /// Issues one coupon: <c>not_on_sale</c> (<c>coupon_not_claimable</c>) outside the claim window,
    /// <c>limit_exceeded</c> (<c>coupon_per_member_limit</c>), <c>sold_out</c>, <c>not_found</c>.
    /// </summary>
    Task<CouponClaimResult> ClaimAsync(ClaimCoupon command);
}

/// <summary>The coupons members can see (key: <see cref="Key"/>), newest first: a query of the index each coupon writes.</summary>
[Alias("coupon-catalog")]
public interface ICouponCatalogGrain : IGrainWithStringKey
{
    public const string Key = "all";

    /// <summary>The index the coupons write on configuration (key: coupon id).</summary>
    public const string Index = "coupons";

    public const int MaxPageSize = 100;

    Task<CouponPage> ListAsync(int page, int pageSize);
}

/// <summary>
/// A member's coupon wallet (key: member id). The member's grain holds it, so a coupon is used in the same turn and
/// write as the points of the order it discounts (see <c>SpendPoints.CouponId</c>).
/// </summary>
[Alias("coupon-wallet")]
public interface ICouponWalletGrain : IGrainWithStringKey
{
    /// <summary>Claims one of <paramref name="couponId"/> into the wallet: <c>not_found</c> for an unregistered member or unknown coupon.</summary>
    Task<WalletResult> ClaimCouponAsync(string couponId);

    /// <summary>The wallet: usable coupons first (soonest expiring first), then used and expired ones.</summary>
    Task<IReadOnlyList<WalletCouponView>> GetCouponsAsync();

    /// <summary>What a wallet coupon would take off an order, without using it (<c>coupon_not_usable</c> or <c>not_found</c> when it cannot).</summary>
    Task<CouponQuote> QuoteCouponAsync(QuoteCoupon query);
}

[GenerateSerializer, Immutable]
public sealed record ConfigureCoupon(
    [property: Id(0)] CouponTerms Terms,
    [property: Id(1)] int Quantity,
    [property: Id(2)] int PerMemberLimit,
    [property: Id(3)] DateTimeOffset? ClaimFrom,
    [property: Id(4)] DateTimeOffset? ClaimUntil);

[GenerateSerializer, Immutable]
public sealed record CouponView(
    [property: Id(0)] string Id,
    [property: Id(1)] CouponTerms Terms,
    [property: Id(2)] int Quantity,
    [property: Id(3)] int Issued,
    [property: Id(4)] int PerMemberLimit,
    [property: Id(5)] DateTimeOffset? ClaimFrom,
    [property: Id(6)] DateTimeOffset? ClaimUntil,
    [property: Id(7)] DateTimeOffset CreatedAt)
{
    public int Remaining => Math.Max(0, Quantity - Issued);
}

[GenerateSerializer, Immutable]
public sealed record CouponResult([property: Id(0)] CouponView? Coupon, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record CouponPage([property: Id(0)] IReadOnlyList<CouponView> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

/// <summary><paramref name="Claimed"/>: how many of this coupon the member holds already (its wallet's count).</summary>
[GenerateSerializer, Immutable]
public sealed record ClaimCoupon([property: Id(0)] string ClaimId, [property: Id(1)] string MemberId, [property: Id(2)] int Claimed);

[GenerateSerializer, Immutable]
public sealed record CouponClaimResult([property: Id(0)] CouponGrant? Grant, [property: Id(1)] bool Replayed, [property: Id(2)] Problem? Refusal);

/// <summary>A coupon in a wallet; <paramref name="Status"/> is <c>usable</c>, <c>used</c> or <c>expired</c>.</summary>
[GenerateSerializer, Immutable]
public sealed record WalletCouponView(
    [property: Id(0)] string Id,
    [property: Id(1)] string CouponId,
    [property: Id(2)] CouponTerms Terms,
    [property: Id(3)] DateTimeOffset ClaimedAt,
    [property: Id(4)] DateTimeOffset ExpiresAt,
    [property: Id(5)] string Status,
    [property: Id(6)] string? UsedBy,
    [property: Id(7)] DateTimeOffset? UsedAt)
{
    public static WalletCouponView Of(WalletCoupon coupon, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(coupon);
        var status = coupon.UsedBy is not null ? "used" : now >= coupon.ExpiresAt ? "expired" : "usable";
        return new(coupon.Id, coupon.CouponId, coupon.Terms, coupon.ClaimedAt, coupon.ExpiresAt, status, coupon.UsedBy, coupon.UsedAt);
    }
}

[GenerateSerializer, Immutable]
public sealed record WalletResult([property: Id(0)] WalletCouponView? Coupon, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record QuoteCoupon([property: Id(0)] string WalletCouponId, [property: Id(1)] long OrderPoints, [property: Id(2)] ProductCategory Category);

[GenerateSerializer, Immutable]
public sealed record CouponQuote([property: Id(0)] long Discount, [property: Id(1)] Problem? Refusal);

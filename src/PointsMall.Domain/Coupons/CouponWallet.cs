using System.Collections.Immutable;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Coupons;

/// <summary>A coupon in a member's wallet; <see cref="UsedBy"/> is the operation (order) that spent it.</summary>
public sealed record WalletCoupon(string Id, string CouponId, CouponTerms Terms, DateTimeOffset ClaimedAt, DateTimeOffset ExpiresAt, string? UsedBy = null, DateTimeOffset? UsedAt = null)
{
    public bool IsUsable(DateTimeOffset now) => UsedBy is null && now < ExpiresAt;
}

/// <summary>What using a coupon on an order takes off it, or why it cannot.</summary>
public sealed record CouponUse(CouponWallet Wallet, long Discount, Refusal? Refusal, bool Replayed)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// A member's coupon wallet (卡券包), kept with the member's points.
/// </summary>
/// <remarks>
/// Design note: the wallet lives in the member's own state, so a coupon and the points it discounts are spent in one
/// turn and one write: an order can never take the discount without marking the coupon used, nor use a coupon twice,
/// and a refund of the order's points gives the coupon back in the same write. Finished coupons (used or expired) are
/// kept a while for the member's history and then pruned; <see cref="Claims"/> counts claims per coupon for ever, for
/// the per-member limit.
/// </remarks>
public sealed record CouponWallet(ImmutableList<WalletCoupon> Coupons, ImmutableDictionary<string, int> Claims)
{
    /// <summary>The most coupons a wallet holds; the oldest finished ones go first.</summary>
    public const int Capacity = 200;

    /// <summary>How long a used or expired coupon stays in the wallet's history.</summary>
    public static readonly TimeSpan FinishedKept = TimeSpan.FromDays(30);

    public static CouponWallet Empty { get; } = new([], ImmutableDictionary<string, int>.Empty);

    public int ClaimsOf(string couponId) => Claims.GetValueOrDefault(couponId);

    /// <summary>The id of the member's next claim of <paramref name="couponId"/>: the same until that claim is added.</summary>
    public string NextClaimId(string memberId, string couponId) => $"{couponId}:{memberId}:{ClaimsOf(couponId) + 1}";

    /// <summary>Adds a granted coupon (again: nothing changes), pruning what has long finished.</summary>
    public CouponWallet Add(CouponGrant grant, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(grant);
        if (Coupons.Exists(c => c.Id == grant.ClaimId))
        {
            return this;
        }

        var coupons = Coupons.RemoveAll(c => !c.IsUsable(now) && Finished(c) + FinishedKept <= now)
            .Add(new WalletCoupon(grant.ClaimId, grant.CouponId, grant.Terms, grant.ClaimedAt, grant.ExpiresAt));
        while (coupons.Count > Capacity && coupons.FindIndex(c => !c.IsUsable(now)) is var oldest and >= 0)
        {
            coupons = coupons.RemoveAt(oldest);
        }

        return new CouponWallet(coupons, Claims.SetItem(grant.CouponId, ClaimsOf(grant.CouponId) + 1));
    }

    /// <summary>What <paramref name="walletCouponId"/> would take off an order, without using it.</summary>
    public (long Discount, Refusal? Refusal) Quote(string walletCouponId, long orderPoints, ProductCategory category, DateTimeOffset now)
    {
        var coupon = Coupons.Find(c => c.Id == walletCouponId);
        if (coupon is null)
        {
            return (0, new Refusal(RefusalCode.NotFound, CouponRefusals.NotFound));
        }

        if (coupon.UsedBy is not null)
        {
            return (0, NotUsable(CouponRefusals.Used));
        }

        if (now >= coupon.ExpiresAt)
        {
            return (0, NotUsable(CouponRefusals.Expired));
        }

        var (discount, notUsable) = coupon.Terms.Apply(orderPoints, category);
        return notUsable is null ? (discount, null) : (0, NotUsable(notUsable));
    }

    /// <summary>
    /// Uses <paramref name="walletCouponId"/> for operation <paramref name="operationId"/>: the same operation again is a
    /// replay with the same discount; a coupon used by another operation is refused.
    /// </summary>
    public CouponUse Use(string operationId, string walletCouponId, long orderPoints, ProductCategory category, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        var index = Coupons.FindIndex(c => c.Id == walletCouponId);
        if (index >= 0 && Coupons[index].UsedBy == operationId)
        {
            return new CouponUse(this, Coupons[index].Terms.Apply(orderPoints, category).Discount, null, true);
        }

        var (discount, refusal) = Quote(walletCouponId, orderPoints, category, now);
        return refusal is not null
            ? new CouponUse(this, 0, refusal, false)
            : new CouponUse(this with { Coupons = Coupons.SetItem(index, Coupons[index] with { UsedBy = operationId, UsedAt = now }) }, discount, null, false);
    }

    /// <summary>The coupon <paramref name="operationId"/> used, back to unused (its validity unchanged); none is fine.</summary>
    public CouponWallet Return(string operationId)
    {
        var index = Coupons.FindIndex(c => c.UsedBy == operationId);
        return index < 0 ? this : this with { Coupons = Coupons.SetItem(index, Coupons[index] with { UsedBy = null, UsedAt = null }) };
    }

    private static DateTimeOffset Finished(WalletCoupon coupon) => coupon.UsedAt is { } used && used < coupon.ExpiresAt ? used : coupon.ExpiresAt;

    private static Refusal NotUsable(string detail) => new(RefusalCode.CouponNotUsable, detail);
}

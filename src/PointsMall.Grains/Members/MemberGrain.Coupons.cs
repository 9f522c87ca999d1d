using PointsMall.Contracts.Common;
using PointsMall.Contracts.Coupons;
using PointsMall.Domain.Common;

namespace PointsMall.Grains.Members;

/// <summary>
/// The member's coupon wallet. A claim asks the coupon for one with an id derived from the member's own count, so a
/// retry after a lost answer is the same claim; the coupon keeps only the total out. Coupons are used by
/// <see cref="SpendAsync"/> together with the points they discount.
/// </summary>
public sealed partial class MemberGrain : ICouponWalletGrain
{
    public async Task<WalletResult> ClaimCouponAsync(string couponId)
    {
        if (state.State.Profile is null)
        {
            return new WalletResult(null, new Problem(RefusalCodes.Name(RefusalCode.NotFound), "member_not_found"));
        }

        if (string.IsNullOrWhiteSpace(couponId))
        {
            return new WalletResult(null, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "a claim names a coupon"));
        }

        var wallet = state.State.Coupons;
        var claimed = await GrainFactory.GetGrain<ICouponGrain>(couponId)
            .ClaimAsync(new ClaimCoupon(wallet.NextClaimId(GrainKey, couponId), GrainKey, wallet.ClaimsOf(couponId)));
        if (claimed.Refusal is { } refusal)
        {
            return new WalletResult(null, refusal);
        }

        var now = time.GetUtcNow();
        state.State = state.State with { Coupons = wallet.Add(claimed.Grant!, now) };
        return new WalletResult(WalletCouponView.Of(state.State.Coupons.Coupons.Find(c => c.Id == claimed.Grant!.ClaimId)!, now), null);
    }

    public Task<IReadOnlyList<WalletCouponView>> GetCouponsAsync()
    {
        var now = time.GetUtcNow();
        var all = state.State.Coupons.Coupons.Select(c => WalletCouponView.Of(c, now)).ToList();
        IReadOnlyList<WalletCouponView> coupons =
        [
            .. all.Where(c => c.Status == "usable").OrderBy(c => c.ExpiresAt),
            .. all.Where(c => c.Status != "usable").OrderByDescending(c => c.UsedAt ?? c.ExpiresAt),
        ];
        return Task.FromResult(coupons);
    }

    public Task<CouponQuote> QuoteCouponAsync(QuoteCoupon query)
    {
        ArgumentNullException.ThrowIfNull(query);
        var (discount, refusal) = state.State.Coupons.Quote(query.WalletCouponId, query.OrderPoints, query.Category, time.GetUtcNow());
        return Task.FromResult(new CouponQuote(discount, refusal is null ? null : Problem.From(refusal)));
    }
}

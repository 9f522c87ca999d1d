using PointsMall.Contracts.Coupons;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Coupons;

/// <summary>The coupons, newest first: a query of the index each coupon rewrites with its every commit.</summary>
[GrainType("coupon-catalog")]
public sealed class CouponCatalogGrain(IGrainIndex index) : MallGrain, ICouponCatalogGrain
{
    public async Task<CouponPage> ListAsync(int page, int pageSize)
    {
        var (items, number, size, total) = await index.PageAsync<CouponView>(ICouponCatalogGrain.Index, ICouponCatalogGrain.Key, page, pageSize, ICouponCatalogGrain.MaxPageSize);
        return new CouponPage(items, number, size, total);
    }
}

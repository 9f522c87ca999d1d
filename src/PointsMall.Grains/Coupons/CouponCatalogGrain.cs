using PointsMall.Contracts.Coupons;
using PointsMall.GroupCommit;
using PointsMall.Storage;

namespace PointsMall.Grains.Coupons;

/// <summary>The coupons, newest first: a query of the index each coupon rewrites with its every commit.</summary>
[GrainType("coupon-catalog")]
public sealed class CouponCatalogGrain(IGrainIndex index) : MallGrain, ICouponCatalogGrain
{
    public async Task<CouponPage> ListAsync(int page, int pageSize)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, ICouponCatalogGrain.MaxPageSize);
        var found = await index.QueryAsync<CouponView>(new IndexQuery(ICouponCatalogGrain.Index, ICouponCatalogGrain.Key, null, null, (page - 1) * pageSize, pageSize));
        return new CouponPage(found.Items, page, pageSize, found.Total);
    }
}

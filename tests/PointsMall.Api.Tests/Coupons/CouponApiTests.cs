using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Orders.ShopKit;

namespace PointsMall.Api.Tests.Coupons;

/// <summary>Coupons over HTTP: the operator sets one up, a member claims it and redeems with it.</summary>
public sealed class CouponApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_member_claims_a_coupon_and_redeems_points_and_cash_with_it()
    {
        using var admin = await factory.AdminClientAsync();
        var couponId = await CouponAsync(admin, new { name = "满500减100", facePoints = 100, minPoints = 500, validDays = 30, quantity = 10 });
        var product = await CreateProductAsync(admin, new { name = "空气炸锅 Air fryer", brand = "PM", category = "Physical", pointsPrice = 600, cashPrice = 49.9m, stock = 5 });
        var (memberId, member) = await factory.MemberWithPointsAsync(1_000);

        var claim = await member.PostAsync($"/api/v1/me/coupons/{couponId}/claim", null);
        Assert.Equal(HttpStatusCode.Created, claim.StatusCode);
        var walletCoupon = (await JsonAsync(claim)).GetProperty("id").GetString()!;

        var redeemed = await member.PostAsJsonAsync("/api/v1/redemptions", new { productId = product, payment = "points_cash", couponId = walletCoupon });
        await ApiFactory.EnsureAsync(redeemed, "redeem with a coupon");
        var order = await JsonAsync(redeemed);
        Assert.Equal((500L, 100L, 4990L), (order.GetProperty("points").GetInt64(), order.GetProperty("couponDiscount").GetInt64(), order.GetProperty("cashFen").GetInt64()));
        Assert.Equal(500, await factory.BalanceAsync(memberId));

        var wallet = (await GetJsonAsync(member, "/api/v1/me/coupons")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("used", order.GetProperty("id").GetString()), (wallet.GetProperty("status").GetString(), wallet.GetProperty("usedBy").GetString()));
        var listed = (await GetJsonAsync(member, "/api/v1/coupons?pageSize=100")).GetProperty("items").EnumerateArray().Single(c => c.GetProperty("id").GetString() == couponId);
        Assert.Equal((1, 9), (listed.GetProperty("issued").GetInt32(), listed.GetProperty("remaining").GetInt32()));
        member.Dispose();
    }

    [Fact]
    public async Task Bad_coupon_requests_are_refused_with_stable_codes_and_change_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        var couponId = await CouponAsync(admin, new { name = "满100减20", facePoints = 20, minPoints = 100, category = "Physical", validDays = 7, quantity = 5 });
        var product = await CreateProductAsync(admin, new { name = "电子卡 Gift card", brand = "PM", category = "Virtual", pointsPrice = 300, stock = 5 });
        var (memberId, member) = await factory.MemberWithPointsAsync(1_000);
        var (_, other) = await factory.MemberWithPointsAsync(0);

        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/coupons/{couponId}", new { name = "x", facePoints = 0, validDays = 7, quantity = 5 }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/coupons/{couponId}", new { name = "x", facePoints = 5, validDays = 7, quantity = 5, category = "Food" }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/coupons/bad id", new { name = "x", facePoints = 5, validDays = 7, quantity = 5 }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await member.PutAsJsonAsync($"/api/v1/admin/coupons/{couponId}", new { name = "x", facePoints = 5, validDays = 7, quantity = 5 }), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await member.PostAsync("/api/v1/me/coupons/no-such-coupon/claim", null), HttpStatusCode.NotFound, "not_found");

        var walletCoupon = (await JsonAsync(await member.PostAsync($"/api/v1/me/coupons/{couponId}/claim", null))).GetProperty("id").GetString()!;
        await AssertProblemAsync(await member.PostAsync($"/api/v1/me/coupons/{couponId}/claim", null), HttpStatusCode.UnprocessableEntity, "limit_exceeded");

        // A virtual product is not what this coupon is for; another member cannot use it at all.
        var refused = await AssertProblemAsync(
            await member.PostAsJsonAsync("/api/v1/redemptions", new { productId = product, couponId = walletCoupon }), HttpStatusCode.UnprocessableEntity, "coupon_not_usable");
        Assert.Equal("coupon_category", refused.GetProperty("detail").GetString());
        await AssertProblemAsync(await other.PostAsJsonAsync("/api/v1/redemptions", new { productId = product, couponId = walletCoupon }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/redemptions", new { productId = product, couponId = "bad coupon" }), HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal(1_000, await factory.BalanceAsync(memberId));
        Assert.Equal(5, (await factory.StockAsync(product)).Available);
        var coupon = (await GetJsonAsync(admin, "/api/v1/admin/coupons?pageSize=100")).GetProperty("items").EnumerateArray().Single(c => c.GetProperty("id").GetString() == couponId);
        Assert.Equal((1, 20L, 5), (coupon.GetProperty("issued").GetInt32(), coupon.GetProperty("facePoints").GetInt64(), coupon.GetProperty("quantity").GetInt32()));
        Assert.Equal("usable", (await GetJsonAsync(member, "/api/v1/me/coupons")).GetProperty("items")[0].GetProperty("status").GetString());
        member.Dispose();
        other.Dispose();
    }

    private static async Task<string> CouponAsync(HttpClient admin, object body)
    {
        var id = "cp-" + Guid.NewGuid().ToString("n")[..10];
        var response = await admin.PutAsJsonAsync($"/api/v1/admin/coupons/{id}", body);
        await ApiFactory.EnsureAsync(response, "configure a coupon");
        Assert.Equal(id, (await JsonAsync(response)).GetProperty("id").GetString());
        return id;
    }
}

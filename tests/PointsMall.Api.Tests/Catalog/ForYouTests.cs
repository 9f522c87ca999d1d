using System.Net;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Analytics;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Catalog;

/// <summary>"For you": what shoppers who looked at or redeemed the same products also chose.</summary>
public sealed class ForYouTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_shopper_is_offered_what_others_who_looked_at_the_same_product_redeemed()
    {
        using var admin = await api.AdminClientAsync();
        var tag = Guid.NewGuid().ToString("n")[..6];
        var kettle = await ShopKit.CreateProductAsync(admin, new { name = $"电水壶 Kettle {tag}", category = "Virtual", pointsPrice = 10, stock = 50 });
        var teapot = await ShopKit.CreateProductAsync(admin, new { name = $"茶壶 Teapot {tag}", category = "Virtual", pointsPrice = 10, stock = 50 });
        var (_, first) = await api.MemberWithPointsAsync(100);
        var (_, second) = await api.MemberWithPointsAsync(100);
        var (_, newcomer) = await api.MemberWithPointsAsync(0);

        // Two shoppers look at the kettle and redeem the teapot; the newcomer looks at the kettle only.
        foreach (var shopper in new[] { first, second })
        {
            await ShopKit.GetJsonAsync(shopper, $"/api/v1/products/{kettle}");
            await ShopKit.RedeemOkAsync(shopper, teapot);
        }

        await ShopKit.GetJsonAsync(newcomer, $"/api/v1/products/{kettle}");
        await api.Services.GetRequiredService<ShopperActivityRecorder>().FlushAsync();

        var forYou = await ShopKit.GetJsonAsync(newcomer, "/api/v1/me/recommendations?limit=4");
        Assert.Equal("for_you", forYou.GetProperty("source").GetString());
        Assert.Equal(teapot, forYou.GetProperty("items")[0].GetProperty("id").GetString());

        // Who redeemed the teapot is not offered it again.
        var firstForYou = await ShopKit.GetJsonAsync(first, "/api/v1/me/recommendations?limit=4");
        Assert.DoesNotContain(firstForYou.GetProperty("items").EnumerateArray(), p => p.GetProperty("id").GetString() == teapot);
        await Problems.AssertAsync(await newcomer.GetAsync("/api/v1/me/recommendations?limit=50"), HttpStatusCode.BadRequest, "validation_failed");
        first.Dispose();
        second.Dispose();
        newcomer.Dispose();
    }
}

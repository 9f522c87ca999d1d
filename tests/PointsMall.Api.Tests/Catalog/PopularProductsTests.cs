using System.Net;
using System.Net.Http.Json;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Analytics;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Catalog;

/// <summary>The home page's popular products: what shoppers look at and redeem, handed over by the API's recorder.</summary>
public sealed class PopularProductsTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Products_viewed_and_redeemed_most_come_first_and_one_off_the_shelf_is_left_out()
    {
        using var admin = await api.AdminClientAsync();
        var tag = Guid.NewGuid().ToString("n")[..6];
        var looked = await ShopKit.CreateProductAsync(admin, new { name = $"看 Looked at {tag}", category = "Virtual", pointsPrice = 10, stock = 50 });
        var redeemed = await ShopKit.CreateProductAsync(admin, new { name = $"换 Redeemed {tag}", category = "Virtual", pointsPrice = 10, stock = 50 });
        var shelved = await ShopKit.CreateProductAsync(admin, new { name = $"下架 Shelved {tag}", category = "Virtual", pointsPrice = 10, stock = 50 });
        var (_, member) = await api.MemberWithPointsAsync(1000);
        for (var i = 0; i < 3; i++)
        {
            await ShopKit.GetJsonAsync(member, $"/api/v1/products/{looked}");
        }

        for (var i = 0; i < 12; i++)
        {
            await ShopKit.GetJsonAsync(member, $"/api/v1/products/{shelved}");
        }

        await ShopKit.GetJsonAsync(member, $"/api/v1/products/{redeemed}");
        await ShopKit.RedeemOkAsync(member, redeemed);
        await api.Services.GetRequiredService<ShopperActivityRecorder>().FlushAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync($"/api/v1/admin/products/{shelved}/shelf", new { onShelf = false })).StatusCode);

        var popular = await ShopKit.GetJsonAsync(member, "/api/v1/products/popular?limit=20");
        var ids = popular.GetProperty("items").EnumerateArray().Select(p => p.GetProperty("id").GetString()).ToList();

        // 1 view + 1 redemption (worth 5) = 6 ahead of 3 views; the 12 views of the shelved one do not count.
        Assert.True(ids.IndexOf(redeemed) is >= 0 and var r && ids.IndexOf(looked) is var l && l > r, string.Join(", ", ids));
        Assert.DoesNotContain(shelved, ids);
        await Problems.AssertAsync(await member.GetAsync("/api/v1/products/popular?limit=0"), HttpStatusCode.BadRequest, "validation_failed");
        member.Dispose();
    }
}

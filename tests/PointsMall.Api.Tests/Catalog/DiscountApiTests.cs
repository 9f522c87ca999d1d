using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Orders.ShopKit;

namespace PointsMall.Api.Tests.Catalog;

/// <summary>Limited-time discounts over HTTP: shoppers see the price now, and bad discounts are refused.</summary>
public sealed class DiscountApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_product_on_discount_shows_and_charges_the_discounted_price_with_the_regular_one_beside_it()
    {
        using var admin = await factory.AdminClientAsync();
        var now = DateTimeOffset.UtcNow;
        var product = await CreateProductAsync(admin, new
        {
            name = "限时折扣 电水壶 Kettle on sale", brand = "PM", category = "Virtual", pointsPrice = 500, stock = 5,
            discountPointsPrice = 350, discountStartsAt = now.AddMinutes(-1), discountEndsAt = now.AddDays(1),
        });

        var shown = await GetJsonAsync(factory.CreateClient(), $"/api/v1/products/{product}");
        Assert.Equal((350L, 500L), (shown.GetProperty("pointsPrice").GetInt64(), shown.GetProperty("regularPointsPrice").GetInt64()));
        Assert.True(shown.GetProperty("discount").GetProperty("active").GetBoolean());

        var (memberId, member) = await factory.MemberWithPointsAsync(1_000);
        var order = await RedeemOkAsync(member, product);
        Assert.Equal(350, order.GetProperty("points").GetInt64());
        Assert.Equal(650, await factory.BalanceAsync(memberId));
        member.Dispose();
    }

    [Fact]
    public async Task A_discount_that_is_not_lower_or_lacks_its_window_is_refused()
    {
        using var admin = await factory.AdminClientAsync();
        var now = DateTimeOffset.UtcNow;

        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products",
            new { name = "x", category = "Virtual", pointsPrice = 100, stock = 1, discountPointsPrice = 150, discountStartsAt = now, discountEndsAt = now.AddDays(1) }),
            HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products",
            new { name = "x", category = "Virtual", pointsPrice = 100, stock = 1, discountPointsPrice = 50 }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products",
            new { name = "x", category = "Virtual", pointsPrice = 100, stock = 1, discountPointsPrice = 50, discountStartsAt = now, discountEndsAt = now.AddDays(-1) }),
            HttpStatusCode.BadRequest, "validation_failed");
    }
}

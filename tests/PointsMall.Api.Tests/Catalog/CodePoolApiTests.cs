using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Orders.ShopKit;

namespace PointsMall.Api.Tests.Catalog;

/// <summary>Code pools over HTTP: the operator uploads codes, each redemption gets one of them.</summary>
public sealed class CodePoolApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_redemption_of_a_code_pool_product_gets_one_of_the_uploaded_codes()
    {
        using var admin = await factory.AdminClientAsync();
        var product = await CreateProductAsync(admin, new { name = "游戏点卡 Game card", brand = "PM", category = "Virtual", pointsPrice = 200, stock = 0, codePool = true });
        var codes = new[] { "GC-7Q2W-0001", "GC-7Q2W-0002" };

        var upload = await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{product}/codes", new { codes }));
        var again = await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{product}/codes", new { codes = codes.Reverse() }));
        Assert.Equal((2, false), (upload.GetProperty("batch").GetProperty("added").GetInt32(), upload.GetProperty("replayed").GetBoolean()));
        Assert.True(again.GetProperty("replayed").GetBoolean());
        Assert.Equal(2, (await factory.StockAsync(product)).Available);

        var (_, member) = await factory.MemberWithPointsAsync(1_000);
        var order = await RedeemOkAsync(member, product);
        Assert.Contains(order.GetProperty("code").GetString(), codes);

        var status = await GetJsonAsync(admin, $"/api/v1/admin/products/{product}/codes");
        Assert.Equal((2L, 1L, 1L), (status.GetProperty("pool").GetProperty("total").GetInt64(), status.GetProperty("pool").GetProperty("assigned").GetInt64(),
            status.GetProperty("pool").GetProperty("remaining").GetInt64()));
        Assert.True((await GetJsonAsync(admin, $"/api/v1/admin/products/{product}")).GetProperty("codePool").GetBoolean());
        member.Dispose();
    }

    [Fact]
    public async Task Bad_code_pool_requests_are_refused_with_stable_codes_and_change_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        var pool = await CreateProductAsync(admin, new { name = "视频会员 Video VIP", brand = "PM", category = "Virtual", pointsPrice = 300, stock = 0, codePool = true });
        var plain = await CreateProductAsync(admin, new { name = "水杯 Cup", brand = "PM", category = "Physical", pointsPrice = 100, stock = 5 });
        var (_, member) = await factory.MemberWithPointsAsync(0);

        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products",
            new { name = "x", category = "Virtual", pointsPrice = 1, stock = 5, codePool = true }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products",
            new { name = "x", category = "Physical", pointsPrice = 1, stock = 0, codePool = true }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{pool}/codes", new { codes = Array.Empty<string>() }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{pool}/codes", new { codes = new[] { "TWO WORDS" } }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{plain}/codes", new { codes = new[] { "X-1" } }), HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products/p-missing/codes", new { codes = new[] { "X-1" } }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{pool}/restock", new { quantity = 5 }), HttpStatusCode.Conflict, "conflict");
        await AssertProblemAsync(await admin.GetAsync($"/api/v1/admin/products/{plain}/codes"), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await member.PostAsJsonAsync($"/api/v1/admin/products/{pool}/codes", new { codes = new[] { "X-1" } }), HttpStatusCode.Forbidden, "forbidden");

        Assert.Equal(0, (await factory.StockAsync(pool)).Total);
        Assert.Equal(0, (await GetJsonAsync(admin, $"/api/v1/admin/products/{pool}/codes")).GetProperty("pool").GetProperty("total").GetInt64());
        member.Dispose();
    }
}

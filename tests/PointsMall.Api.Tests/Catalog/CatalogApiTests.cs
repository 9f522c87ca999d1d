using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Catalog;

public sealed class CatalogApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_admin_creates_a_product_that_shoppers_can_open_and_find()
    {
        var admin = await api.AdminClientAsync();
        var name = "华为 FreeBuds " + Guid.NewGuid().ToString("n")[..6];
        var id = await ShopKit.CreateProductAsync(admin, new
        {
            name,
            brand = "华为",
            category = "Physical",
            pointsPrice = 1200,
            cashPrice = 49.9m,
            stock = 30,
            perMemberLimit = 2,
            images = new[] { "https://img.example/1.png" },
            description = "降噪耳机",
        });

        var anonymous = api.CreateClient();
        var product = await ShopKit.GetJsonAsync(anonymous, $"/api/v1/products/{id}");
        Assert.Equal(name, product.GetProperty("name").GetString());
        Assert.Equal(1200, product.GetProperty("pointsPrice").GetInt64());
        Assert.Equal(49.9m, product.GetProperty("cashPrice").GetDecimal());
        Assert.Equal(4990, product.GetProperty("cashPriceFen").GetInt64());
        Assert.Equal(30, product.GetProperty("available").GetInt64());
        Assert.Equal(2, product.GetProperty("perMemberLimit").GetInt32());
        Assert.Equal("Physical", product.GetProperty("category").GetString());
        Assert.True(product.GetProperty("onShelf").GetBoolean());
        Assert.True(product.GetProperty("onSale").GetBoolean());

        var stock = (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/products/{id}")).GetProperty("stock");
        Assert.Equal(30, stock.GetProperty("total").GetInt64());
        Assert.Equal(30, stock.GetProperty("available").GetInt64());
        Assert.Equal(0, stock.GetProperty("reserved").GetInt64());
        Assert.Equal(0, stock.GetProperty("sold").GetInt64());

        // The list is a projection fed by the product's events: it catches up shortly after the create.
        await ShopKit.EventuallyAsync(async () =>
        {
            var page = await ShopKit.GetJsonAsync(anonymous, $"/api/v1/products?q={Uri.EscapeDataString(name)}&category=Physical");
            return page.GetProperty("items").EnumerateArray().Any(i => i.GetProperty("id").GetString() == id);
        }, "the new product in the catalogue search");
    }

    [Fact]
    public async Task Off_shelf_products_are_hidden_from_shoppers_but_listed_for_the_admin_with_stock()
    {
        var admin = await api.AdminClientAsync();
        var name = "下架 " + Guid.NewGuid().ToString("n")[..6];
        var id = await ShopKit.CreateProductAsync(admin, new { name, pointsPrice = 10, stock = 5 });

        var shelf = await admin.PostAsJsonAsync($"/api/v1/admin/products/{id}/shelf", new { onShelf = false });
        await ApiFactory.EnsureAsync(shelf, "take the product off the shelf");
        Assert.False((await ShopKit.JsonAsync(shelf)).GetProperty("onShelf").GetBoolean());

        // The listings come from the catalogue index, which the product's events update shortly after the change.
        var anonymous = api.CreateClient();
        await ShopKit.EventuallyAsync(async () =>
        {
            var shopPage = await ShopKit.GetJsonAsync(anonymous, $"/api/v1/products?q={Uri.EscapeDataString(name)}");
            return shopPage.GetProperty("total").GetInt32() == 0;
        }, "the off-shelf product to leave the shoppers' list");
        var adminPage = await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/products?q={Uri.EscapeDataString(name)}");
        var listed = Assert.Single(adminPage.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == id);
        Assert.False(listed.GetProperty("onShelf").GetBoolean());
        Assert.Equal(5, listed.GetProperty("stock").GetProperty("total").GetInt64());
        Assert.False((await ShopKit.GetJsonAsync(anonymous, $"/api/v1/products/{id}")).GetProperty("onSale").GetBoolean());
    }

    [Fact]
    public async Task Updating_a_product_replaces_its_details_and_keeps_its_stock()
    {
        var admin = await api.AdminClientAsync();
        var id = await ShopKit.CreateProductAsync(admin, new { name = "Old name", pointsPrice = 10, stock = 7 });

        var put = await admin.PutAsJsonAsync($"/api/v1/admin/products/{id}", new { name = "New name", category = "Virtual", pointsPrice = 20, requiredTier = "Gold" });
        await ApiFactory.EnsureAsync(put, "update the product");

        var product = await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/products/{id}");
        Assert.Equal("New name", product.GetProperty("name").GetString());
        Assert.Equal("Virtual", product.GetProperty("category").GetString());
        Assert.Equal(20, product.GetProperty("pointsPrice").GetInt64());
        Assert.Equal("Gold", product.GetProperty("requiredTier").GetString());
        Assert.Equal(7, product.GetProperty("stock").GetProperty("total").GetInt64());
    }

    [Fact]
    public async Task Restock_adds_stock_once_per_idempotency_key()
    {
        var admin = await api.AdminClientAsync();
        var id = await ShopKit.CreateProductAsync(admin, new { name = "Restocked", pointsPrice = 10, stock = 3 });

        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/products/{id}/restock") { Content = JsonContent.Create(new { quantity = 5 }) };
            request.Headers.Add("Idempotency-Key", "restock-1");
            await ApiFactory.EnsureAsync(await admin.SendAsync(request), "restock");
        }

        Assert.Equal(8, (await api.StockAsync(id)).Total);
        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{id}/restock", new { quantity = 2 }), "restock without a key");
        Assert.Equal(10, (await api.StockAsync(id)).Total);

        var bad = await admin.PostAsJsonAsync($"/api/v1/admin/products/{id}/restock", new { quantity = 0 });
        await ShopKit.AssertProblemAsync(bad, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_count_sets_the_stock_once_per_key_and_never_below_what_orders_took()
    {
        var admin = await api.AdminClientAsync();
        var id = await ShopKit.CreateProductAsync(admin, new { name = "Counted", pointsPrice = 10, stock = 10 });
        var (_, member) = await api.MemberWithPointsAsync(100);
        await ShopKit.RedeemOkAsync(member, id, quantity: 3);

        for (var i = 0; i < 2; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/products/{id}/stock") { Content = JsonContent.Create(new { total = 8, reason = "盘点 stock count" }) };
            request.Headers.Add("Idempotency-Key", "count-1");
            await ApiFactory.EnsureAsync(await admin.SendAsync(request), "set the stock");
        }

        var stock = await api.StockAsync(id);
        Assert.Equal((8L, 5L, 3L), (stock.Total, stock.Available, stock.Committed));
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{id}/stock", new { total = 2, reason = "write-off" }), HttpStatusCode.Conflict, "conflict");
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{id}/stock", new { total = 5 }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(8, (await api.StockAsync(id)).Total);
    }

    [Fact]
    public async Task Editing_a_product_changes_its_low_stock_threshold_and_keeps_it_when_not_given()
    {
        var admin = await api.AdminClientAsync();
        var id = await ShopKit.CreateProductAsync(admin, new { name = "Threshold", brand = "PM", category = "Virtual", pointsPrice = 10, stock = 50, lowStockThreshold = 5 });

        await ApiFactory.EnsureAsync(await admin.PutAsJsonAsync($"/api/v1/admin/products/{id}", new { name = "Threshold", brand = "PM", category = "Virtual", pointsPrice = 10, lowStockThreshold = 20 }), "edit");
        Assert.Equal(20, (await api.StockAsync(id)).LowStockThreshold);

        await ApiFactory.EnsureAsync(await admin.PutAsJsonAsync($"/api/v1/admin/products/{id}", new { name = "Threshold 2", brand = "PM", category = "Virtual", pointsPrice = 10 }), "edit without a threshold");
        Assert.Equal(20, (await api.StockAsync(id)).LowStockThreshold);
    }

    [Fact]
    public async Task Stock_falling_to_the_threshold_raises_a_low_stock_alert_that_a_restock_clears()
    {
        var admin = await api.AdminClientAsync();
        var id = await ShopKit.CreateProductAsync(admin, new { name = "Low stock", pointsPrice = 10, stock = 3, lowStockThreshold = 2 });
        var (_, member) = await api.MemberWithPointsAsync(100);

        await ShopKit.RedeemOkAsync(member, id);

        await ShopKit.EventuallyAsync(async () => (await ShopKit.GetJsonAsync(admin, "/api/v1/admin/alerts/low-stock"))
            .GetProperty("items").EnumerateArray().Any(a => a.GetProperty("productId").GetString() == id && a.GetProperty("available").GetInt64() == 2),
            "the low-stock alert");

        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{id}/restock", new { quantity = 10 }), "restock");
        await ShopKit.EventuallyAsync(async () => !(await ShopKit.GetJsonAsync(admin, "/api/v1/admin/alerts/low-stock"))
            .GetProperty("items").EnumerateArray().Any(a => a.GetProperty("productId").GetString() == id),
            "the low-stock alert to clear");
    }

    [Fact]
    public async Task Flash_drops_list_upcoming_and_current_drops_with_live_stock()
    {
        var admin = await api.AdminClientAsync();
        var upcoming = await ShopKit.CreateProductAsync(admin, new { name = "Upcoming drop", pointsPrice = 10, stock = 50, isFlashSale = true, startsAt = DateTimeOffset.UtcNow.AddHours(1) });
        var current = await ShopKit.CreateProductAsync(admin, new { name = "Current drop", pointsPrice = 10, stock = 50, isFlashSale = true, startsAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        var (_, member) = await api.MemberWithPointsAsync(100);
        await ShopKit.RedeemOkAsync(member, current);

        JsonElement flash = default;
        await ShopKit.EventuallyAsync(async () =>
        {
            flash = await ShopKit.GetJsonAsync(api.CreateClient(), "/api/v1/products/flash");
            return flash.GetProperty("upcoming").EnumerateArray().Any(p => p.GetProperty("id").GetString() == upcoming)
                && flash.GetProperty("current").EnumerateArray().Any(p => p.GetProperty("id").GetString() == current);
        }, "both drops on the flash list");

        // Live, not the index's banded count: one unit was just taken.
        var live = flash.GetProperty("current").EnumerateArray().Single(p => p.GetProperty("id").GetString() == current);
        Assert.Equal(49, live.GetProperty("available").GetInt64());
        Assert.Equal(1, live.GetProperty("perMemberLimit").GetInt32());
        var later = flash.GetProperty("upcoming").EnumerateArray().Single(p => p.GetProperty("id").GetString() == upcoming);
        Assert.False(later.GetProperty("onSale").GetBoolean());
    }

    [Fact]
    public async Task Unknown_products_are_not_found_everywhere()
    {
        var admin = await api.AdminClientAsync();
        var anonymous = api.CreateClient();
        await ShopKit.AssertProblemAsync(await anonymous.GetAsync("/api/v1/products/p-nope"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await admin.GetAsync("/api/v1/admin/products/p-nope"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/products/p-nope", new { name = "x", pointsPrice = 1 }), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products/p-nope/shelf", new { onShelf = true }), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/products/p-nope/restock", new { quantity = 1 }), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await anonymous.GetAsync("/api/v1/products/" + new string('x', 300)), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Members_cannot_call_admin_catalogue_routes_and_anonymous_callers_are_unauthorized()
    {
        var (_, member) = await api.NewMemberAsync();
        var body = new { name = "x", pointsPrice = 1, stock = 1 };
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/api/v1/admin/products", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/v1/admin/products")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/v1/admin/alerts/low-stock")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().PostAsJsonAsync("/api/v1/admin/products", body)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.CreateClient().GetAsync("/api/v1/admin/products")).StatusCode);
    }

    [Theory]
    [InlineData("""{"pointsPrice": 10, "stock": 1}""", "name")]
    [InlineData("""{"name": "x", "stock": 1}""", "pointsPrice")]
    [InlineData("""{"name": "x", "pointsPrice": 10}""", "stock")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": -1}""", "stock")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": 1, "category": "Food"}""", "category")]
    [InlineData("""{"name": "x", "pointsPrice": 0, "stock": 1}""", "pointsPrice")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "cashPrice": 1.234, "stock": 1}""", "cashPrice")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": 1, "perMemberLimit": 0}""", "perMemberLimit")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": 1, "startsAt": "2030-01-02T00:00:00Z", "endsAt": "2030-01-01T00:00:00Z"}""", "endsAt")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": 1, "isFlashSale": true}""", "startsAt")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": 1, "requiredTier": "Platinum"}""", "requiredTier")]
    public async Task Invalid_products_are_refused_with_the_field_in_error(string json, string field)
    {
        var admin = await api.AdminClientAsync();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var problem = await ShopKit.AssertProblemAsync(await admin.PostAsync("/api/v1/admin/products", content), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
    }

    [Theory]
    [InlineData("""{"name": """)]
    [InlineData("""{"name": "x", "pointsPrice": "lots", "stock": 1}""")]
    [InlineData("""{"name": "x", "pointsPrice": 10, "stock": 1e40}""")]
    [InlineData("""[1, 2, 3]""")]
    public async Task Malformed_or_mistyped_json_is_a_validation_problem(string json)
    {
        var admin = await api.AdminClientAsync();
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        await ShopKit.AssertProblemAsync(await admin.PostAsync("/api/v1/admin/products", content), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_huge_body_is_refused_without_a_server_error()
    {
        var admin = await api.AdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/products", new { name = new string('名', 2_000_000), pointsPrice = 10, stock = 1 });
        Assert.InRange((int)response.StatusCode, 400, 499);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Theory]
    [InlineData("page=0")]
    [InlineData("pageSize=1000")]
    [InlineData("page=abc")]
    [InlineData("sort=cheapest")]
    [InlineData("category=Food")]
    public async Task Bad_search_parameters_are_validation_problems(string query)
    {
        var response = await api.CreateClient().GetAsync("/api/v1/products?" + query);
        await ShopKit.AssertProblemAsync(response, HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Search_pages_and_sorts_by_points()
    {
        var admin = await api.AdminClientAsync();
        var tag = "sorted" + Guid.NewGuid().ToString("n")[..6];
        foreach (var points in new[] { 30, 10, 20 })
        {
            await ShopKit.CreateProductAsync(admin, new { name = $"{tag} {points}", pointsPrice = points, stock = 1 });
        }

        JsonElement page = default;
        await ShopKit.EventuallyAsync(async () =>
        {
            page = await ShopKit.GetJsonAsync(api.CreateClient(), $"/api/v1/products?q={tag}&sort=points_asc&page=1&pageSize=2");
            return page.GetProperty("total").GetInt32() == 3;
        }, "three products in the index");

        Assert.Equal([10L, 20L], page.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("pointsPrice").GetInt64()));
        var second = await ShopKit.GetJsonAsync(api.CreateClient(), $"/api/v1/products?q={tag}&sort=points_asc&page=2&pageSize=2");
        Assert.Equal([30L], second.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("pointsPrice").GetInt64()));
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Members;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

public sealed class RedemptionApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Redeeming_spends_the_points_takes_the_stock_and_lists_the_order()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Mug", pointsPrice = 300, stock = 5 });
        var (memberId, member) = await api.MemberWithPointsAsync(1000);

        var order = await ShopKit.RedeemOkAsync(member, product, quantity: 2);

        Assert.Equal("PendingShipment", order.GetProperty("status").GetString());
        Assert.Equal(600, order.GetProperty("points").GetInt64());
        Assert.Equal(order.GetProperty("id").GetString(), order.GetProperty("orderId").GetString());
        Assert.Equal(400, await api.BalanceAsync(memberId));
        var stock = await api.StockAsync(product);
        Assert.Equal((3L, 2L), (stock.Available, stock.Committed));

        var mine = await ShopKit.GetJsonAsync(member, "/api/v1/me/orders");
        Assert.Equal(1, mine.GetProperty("total").GetInt32());
        Assert.Equal(order.GetProperty("id").GetString(), mine.GetProperty("items")[0].GetProperty("id").GetString());
        var one = await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{order.GetProperty("id").GetString()}");
        Assert.Equal("Mug", one.GetProperty("productName").GetString());
    }

    [Fact]
    public async Task The_same_idempotency_key_returns_the_same_order_and_charges_once()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Retry", pointsPrice = 100, stock = 5 });
        var (memberId, member) = await api.MemberWithPointsAsync(1000);

        var first = await ShopKit.RedeemOkAsync(member, product, key: "key-1");
        var second = await ShopKit.RedeemOkAsync(member, product, key: "key-1");

        Assert.Equal(first.GetProperty("orderId").GetString(), second.GetProperty("orderId").GetString());
        Assert.Equal(first.GetProperty("status").GetString(), second.GetProperty("status").GetString());
        Assert.Equal(900, await api.BalanceAsync(memberId));
        Assert.Equal(1, (await ShopKit.GetJsonAsync(member, "/api/v1/me/orders")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Concurrent_requests_with_one_idempotency_key_make_one_order()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Double click", pointsPrice = 100, stock = 50 });
        var (memberId, member) = await api.MemberWithPointsAsync(10_000);

        var responses = await ShopKit.AllAtOnceAsync(10, _ => ShopKit.RedeemAsync(member, product, key: "same-key"));

        var ids = new HashSet<string>();
        foreach (var response in responses)
        {
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            ids.Add((await ShopKit.JsonAsync(response)).GetProperty("orderId").GetString()!);
        }

        Assert.Single(ids);
        Assert.Equal(9_900, await api.BalanceAsync(memberId));
        Assert.Equal(49, (await api.StockAsync(product)).Available);
    }

    [Fact]
    public async Task Reusing_a_key_for_a_different_redemption_is_a_conflict()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Reuse", pointsPrice = 100, stock = 5 });
        var (_, member) = await api.MemberWithPointsAsync(1000);
        await ShopKit.RedeemOkAsync(member, product, key: "reused");

        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, quantity: 2, key: "reused"), HttpStatusCode.Conflict, "conflict");
    }

    [Fact]
    public async Task Two_members_with_the_same_key_get_two_orders()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Shared key", pointsPrice = 100, stock = 5 });
        var (_, a) = await api.MemberWithPointsAsync(1000);
        var (_, b) = await api.MemberWithPointsAsync(1000);

        var first = await ShopKit.RedeemOkAsync(a, product, key: "k");
        var second = await ShopKit.RedeemOkAsync(b, product, key: "k");

        Assert.NotEqual(first.GetProperty("orderId").GetString(), second.GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task A_sold_out_product_is_refused_with_sold_out()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Gone", pointsPrice = 100, stock = 1 });
        var (_, first) = await api.MemberWithPointsAsync(1000);
        var (memberId, second) = await api.MemberWithPointsAsync(1000);
        await ShopKit.RedeemOkAsync(first, product);

        var problem = await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(second, product), HttpStatusCode.Conflict, "sold_out");

        Assert.Equal("Cancelled", problem.GetProperty("status").GetString());
        Assert.Equal(1000, await api.BalanceAsync(memberId));
    }

    [Fact]
    public async Task Once_a_drop_has_sold_out_later_requests_are_refused_without_an_order_and_retries_keep_their_first_outcome()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Drop", pointsPrice = 100, stock = 1 });
        var (_, winner) = await api.MemberWithPointsAsync(1000);
        var (_, late) = await api.MemberWithPointsAsync(1000);
        var (latecomerId, latecomer) = await api.MemberWithPointsAsync(1000);
        var won = await ShopKit.RedeemOkAsync(winner, product, key: "won");
        var lost = await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(late, product, key: "lost"), HttpStatusCode.Conflict, "sold_out");
        Assert.Equal("Cancelled", lost.GetProperty("status").GetString());

        // Refused by the product before any order exists: the problem names no order, and none is listed.
        var refused = await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(latecomer, product, key: "after"), HttpStatusCode.Conflict, "sold_out");
        Assert.False(refused.TryGetProperty("orderId", out _));
        Assert.Equal(0, (await ShopKit.GetJsonAsync(latecomer, "/api/v1/me/orders")).GetProperty("total").GetInt32());
        Assert.Equal(1000, await api.BalanceAsync(latecomerId));

        // Orders that reached the product answer their retries themselves: the sale, and the refusal with its order.
        var again = await ShopKit.RedeemOkAsync(winner, product, key: "won");
        Assert.Equal(won.GetProperty("orderId").GetString(), again.GetProperty("orderId").GetString());
        var lostAgain = await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(late, product, key: "lost"), HttpStatusCode.Conflict, "sold_out");
        Assert.Equal(lost.GetProperty("orderId").GetString(), lostAgain.GetProperty("orderId").GetString());

        // A restock lets the next request through to a real order.
        using var restock = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/admin/products/{product}/restock") { Content = JsonContent.Create(new { quantity = 1 }) };
        restock.Headers.Add("Idempotency-Key", "restock-drop");
        await ApiFactory.EnsureAsync(await admin.SendAsync(restock), "restock");
        await ShopKit.RedeemOkAsync(latecomer, product, key: "after-restock");
        Assert.Equal(900, await api.BalanceAsync(latecomerId));
    }

    [Fact]
    public async Task Too_few_points_is_refused_and_the_stock_goes_back()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Dear", pointsPrice = 5000, stock = 3 });
        var (memberId, member) = await api.MemberWithPointsAsync(100);

        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product), HttpStatusCode.Conflict, "insufficient_points");

        Assert.Equal(100, await api.BalanceAsync(memberId));
        Assert.Equal(3, (await api.StockAsync(product)).Available);
    }

    [Fact]
    public async Task The_per_member_limit_is_enforced_across_orders()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "One each", pointsPrice = 10, stock = 10, perMemberLimit = 1 });
        var (_, member) = await api.MemberWithPointsAsync(1000);
        await ShopKit.RedeemOkAsync(member, product);

        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product), HttpStatusCode.UnprocessableEntity, "limit_exceeded");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, quantity: 2), HttpStatusCode.UnprocessableEntity, "limit_exceeded");
    }

    [Fact]
    public async Task Products_not_yet_on_sale_or_off_the_shelf_are_refused_with_not_on_sale()
    {
        var admin = await api.AdminClientAsync();
        var drop = await ShopKit.CreateProductAsync(admin, new { name = "Later", pointsPrice = 10, stock = 10, isFlashSale = true, startsAt = DateTimeOffset.UtcNow.AddHours(2) });
        var window = await ShopKit.CreateProductAsync(admin, new { name = "Window", pointsPrice = 10, stock = 10, startsAt = DateTimeOffset.UtcNow.AddDays(1) });
        var shelved = await ShopKit.CreateProductAsync(admin, new { name = "Shelved", pointsPrice = 10, stock = 10 });
        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/products/{shelved}/shelf", new { onShelf = false }), "shelve");
        var (memberId, member) = await api.MemberWithPointsAsync(1000);

        foreach (var product in new[] { drop, window, shelved })
        {
            await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product), HttpStatusCode.UnprocessableEntity, "not_on_sale");
        }

        Assert.Equal(1000, await api.BalanceAsync(memberId));
    }

    [Fact]
    public async Task A_tier_product_is_refused_to_a_regular_member_with_tier_required()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Gold only", pointsPrice = 10, stock = 10, requiredTier = "Gold" });
        var (_, member) = await api.MemberWithPointsAsync(1000);

        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product), HttpStatusCode.UnprocessableEntity, "tier_required");
    }

    [Fact]
    public async Task Unknown_products_are_not_found_and_bad_requests_are_validation_problems()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Valid", pointsPrice = 10, stock = 10 });
        var (_, member) = await api.MemberWithPointsAsync(1000);

        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, "p-missing"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, quantity: 0), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, quantity: 100), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, payment: "card"), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, payment: "points_cash"), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, key: new string('k', 101)), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, key: "naïve-ключ"), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product, addressId: "no-such-address"), HttpStatusCode.BadRequest, "validation_failed");

        foreach (var json in new[] { """{"productId": """, """{"productId": 12, "quantity": "two"}""", """{"productId": "x", "quantity": 1e99}""", "null" })
        {
            using var content = new StringContent(json, Encoding.UTF8, "application/json");
            await ShopKit.AssertProblemAsync(await member.PostAsync("/api/v1/redemptions", content), HttpStatusCode.BadRequest, "validation_failed");
        }

        var huge = await member.PostAsJsonAsync("/api/v1/redemptions", new { productId = new string('p', 3_000_000), quantity = 1 });
        Assert.InRange((int)huge.StatusCode, 400, 499);
    }

    [Fact]
    public async Task Cancelling_refunds_the_points_and_releases_the_stock()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Changed my mind", pointsPrice = 250, stock = 4, perMemberLimit = 1 });
        var (memberId, member) = await api.MemberWithPointsAsync(1000);
        var orderId = (await ShopKit.RedeemOkAsync(member, product)).GetProperty("orderId").GetString();

        var cancel = await member.PostAsJsonAsync($"/api/v1/orders/{orderId}/cancel", new { reason = "不想要了" });
        await ApiFactory.EnsureAsync(cancel, "cancel");

        Assert.Equal("Cancelled", (await ShopKit.JsonAsync(cancel)).GetProperty("status").GetString());
        Assert.Equal(1000, await api.BalanceAsync(memberId));
        var stock = await api.StockAsync(product);
        Assert.Equal((4L, 0L, 0L), (stock.Available, stock.Reserved, stock.Committed));

        // The allowance comes back with the stock, and cancelling twice changes nothing.
        await ApiFactory.EnsureAsync(await member.PostAsync($"/api/v1/orders/{orderId}/cancel", null), "cancel again");
        Assert.Equal(1000, await api.BalanceAsync(memberId));
        await ShopKit.RedeemOkAsync(member, product);
    }

    [Fact]
    public async Task Members_only_see_and_touch_their_own_orders()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Mine", pointsPrice = 10, stock = 10 });
        var (ownerId, owner) = await api.MemberWithPointsAsync(1000);
        var (_, other) = await api.MemberWithPointsAsync(1000);
        var orderId = (await ShopKit.RedeemOkAsync(owner, product)).GetProperty("orderId").GetString();

        await ShopKit.AssertProblemAsync(await other.GetAsync($"/api/v1/orders/{orderId}"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await other.PostAsync($"/api/v1/orders/{orderId}/cancel", null), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await other.PostAsync($"/api/v1/orders/{orderId}/confirm-receipt", null), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await other.PostAsync($"/api/v1/orders/{orderId}/payment", null), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, (await ShopKit.GetJsonAsync(other, "/api/v1/me/orders")).GetProperty("total").GetInt32());
        Assert.Equal(990, await api.BalanceAsync(ownerId));
        Assert.Equal("PendingShipment", (await ShopKit.GetJsonAsync(owner, $"/api/v1/orders/{orderId}")).GetProperty("status").GetString());

        await ShopKit.AssertProblemAsync(await owner.GetAsync("/api/v1/orders/o-unknown"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await owner.PostAsync("/api/v1/orders/o-unknown/cancel", null), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task Order_routes_need_a_member_token_and_admin_routes_refuse_members()
    {
        var anonymous = api.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.PostAsJsonAsync("/api/v1/redemptions", new { productId = "p", quantity = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/me/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/orders/o-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/api/v1/admin/orders")).StatusCode);

        var (_, member) = await api.NewMemberAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/v1/admin/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.GetAsync("/api/v1/admin/orders/o-1")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await member.PostAsJsonAsync("/api/v1/admin/orders/o-1/ship", new { carrier = "SF", trackingNumber = "1" })).StatusCode);
    }

    [Fact]
    public async Task Admin_creates_member_redeems_admin_ships_member_confirms()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Story kettle", category = "Physical", pointsPrice = 800, stock = 2 });
        var (memberId, member) = await api.MemberWithPointsAsync(1000);
        await api.Grains().GetGrain<IMemberGrain>(memberId).SaveAddressAsync(new SaveAddress(null, "张三", "13900001111", "广东省 深圳市 南山区", "科技园 1 号", true));

        var order = await ShopKit.RedeemOkAsync(member, product);
        var orderId = order.GetProperty("orderId").GetString()!;
        Assert.Equal("张三", order.GetProperty("shippingAddress").GetProperty("recipient").GetString());

        await ShopKit.EventuallyAsync(async () => (await ShopKit.GetJsonAsync(admin, "/api/v1/admin/orders?status=PendingShipment&pageSize=100"))
            .GetProperty("items").EnumerateArray().Any(o => o.GetProperty("id").GetString() == orderId), "the order on the admin board");

        await ShopKit.AssertProblemAsync(await member.PostAsync($"/api/v1/orders/{orderId}/confirm-receipt", null), HttpStatusCode.Conflict, "conflict");
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync($"/api/v1/admin/orders/{orderId}/ship", new { carrier = "", trackingNumber = "1" }), HttpStatusCode.BadRequest, "validation_failed");
        var shipped = await admin.PostAsJsonAsync($"/api/v1/admin/orders/{orderId}/ship", new { carrier = "顺丰", trackingNumber = "SF1234567890" });
        await ApiFactory.EnsureAsync(shipped, "ship");
        Assert.Equal("Shipped", (await ShopKit.JsonAsync(shipped)).GetProperty("status").GetString());

        // A member cannot cancel what has left the warehouse.
        await ShopKit.AssertProblemAsync(await member.PostAsync($"/api/v1/orders/{orderId}/cancel", null), HttpStatusCode.Conflict, "conflict");

        var seen = await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{orderId}");
        Assert.Equal("SF1234567890", seen.GetProperty("trackingNumber").GetString());
        var confirmed = await member.PostAsync($"/api/v1/orders/{orderId}/confirm-receipt", null);
        await ApiFactory.EnsureAsync(confirmed, "confirm receipt");
        Assert.Equal("Completed", (await ShopKit.JsonAsync(confirmed)).GetProperty("status").GetString());

        var adminView = await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/orders/{orderId}");
        Assert.Equal("Completed", adminView.GetProperty("status").GetString());
        Assert.Equal(200, await api.BalanceAsync(memberId));
        await ShopKit.EventuallyAsync(async () => (await ShopKit.GetJsonAsync(admin, "/api/v1/admin/orders?status=Completed&pageSize=100"))
            .GetProperty("items").EnumerateArray().Any(o => o.GetProperty("id").GetString() == orderId), "the completed order on the admin board");
        var completed = await ShopKit.GetJsonAsync(member, "/api/v1/me/orders?status=completed");
        Assert.Equal(orderId, completed.GetProperty("items")[0].GetProperty("id").GetString());
        Assert.Equal(0, (await ShopKit.GetJsonAsync(member, "/api/v1/me/orders?status=PendingShipment")).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Virtual_goods_complete_at_once_with_a_code()
    {
        var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Coupon", category = "Virtual", pointsPrice = 50, stock = 10 });
        var (_, member) = await api.MemberWithPointsAsync(100);

        var order = await ShopKit.RedeemOkAsync(member, product);

        Assert.Equal("Completed", order.GetProperty("status").GetString());
        Assert.Matches("^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$", order.GetProperty("code").GetString()!);
    }

    [Fact]
    public async Task An_admin_ships_only_known_orders_and_lists_with_valid_filters()
    {
        var admin = await api.AdminClientAsync();
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/orders/o-unknown/ship", new { carrier = "SF", trackingNumber = "1" }), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await admin.GetAsync("/api/v1/admin/orders/o-unknown"), HttpStatusCode.NotFound, "not_found");
        await ShopKit.AssertProblemAsync(await admin.GetAsync("/api/v1/admin/orders?status=Lost"), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await admin.GetAsync("/api/v1/admin/orders?pageSize=0"), HttpStatusCode.BadRequest, "validation_failed");
        var (_, member) = await api.NewMemberAsync();
        await ShopKit.AssertProblemAsync(await member.GetAsync("/api/v1/me/orders?status=Lost"), HttpStatusCode.BadRequest, "validation_failed");
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

public sealed class ShippingApiTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_physical_redemption_without_an_address_is_refused_and_spends_nothing()
    {
        using var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Kettle", category = "Physical", pointsPrice = 100, stock = 3 });
        var (memberId, member) = await api.NewMemberAsync();
        await api.GrantAsync(memberId, 500);

        var refused = await ShopKit.AssertProblemAsync(await ShopKit.RedeemAsync(member, product), (HttpStatusCode)422, "address_required");

        Assert.Equal("add_a_shipping_address", refused.GetProperty("detail").GetString());
        Assert.Equal(500, await api.BalanceAsync(memberId));
        Assert.Equal(3, (await api.StockAsync(product)).Available);
        await ShopKit.AddAddressAsync(member, region: "浙江省 杭州市 西湖区");
        var order = await ShopKit.RedeemOkAsync(member, product);
        Assert.Equal("浙江省 杭州市 西湖区", order.GetProperty("shippingAddress").GetProperty("region").GetString());
    }

    [Fact]
    public async Task A_member_moves_an_unshipped_order_to_another_address_and_then_follows_the_parcel()
    {
        using var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Lamp", category = "Physical", pointsPrice = 100, stock = 3 });
        var (_, member) = await api.MemberWithPointsAsync(500);
        var (_, other) = await api.MemberWithPointsAsync(0);
        var orderId = (await ShopKit.RedeemOkAsync(member, product)).GetProperty("id").GetString()!;
        var office = await ShopKit.AddAddressAsync(member, region: "江苏省 南京市 鼓楼区", isDefault: false);
        var othersAddress = await ShopKit.AddAddressAsync(other, region: "四川省 成都市 武侯区");

        await ShopKit.AssertProblemAsync(await member.PostAsJsonAsync($"/api/v1/orders/{orderId}/address", new { addressId = othersAddress }), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await other.PostAsJsonAsync($"/api/v1/orders/{orderId}/address", new { addressId = othersAddress }), HttpStatusCode.NotFound, "not_found");
        var moved = await ShopKit.JsonAsync(await member.PostAsJsonAsync($"/api/v1/orders/{orderId}/address", new { addressId = office }));
        Assert.Equal("江苏省 南京市 鼓楼区", moved.GetProperty("shippingAddress").GetProperty("region").GetString());
        var listed = (await ShopKit.GetJsonAsync(admin, "/api/v1/admin/orders?status=PendingShipment&pageSize=100")).GetProperty("items").EnumerateArray()
            .Single(o => o.GetProperty("id").GetString() == orderId);
        Assert.Equal(office, listed.GetProperty("shippingAddress").GetProperty("id").GetString());

        var early = await ShopKit.AssertProblemAsync(await member.GetAsync($"/api/v1/orders/{orderId}/tracking"), HttpStatusCode.Conflict, "conflict");
        Assert.Equal("not_shipped", early.GetProperty("detail").GetString());
        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/orders/{orderId}/ship", new { carrier = "SF", trackingNumber = "SF1000001" }), "ship");

        var tracking = await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{orderId}/tracking");
        Assert.Equal(("SF", "SF1000001", true), (tracking.GetProperty("carrier").GetString(), tracking.GetProperty("trackingNumber").GetString(), tracking.GetProperty("tracked").GetBoolean()));
        Assert.Equal("shipped", tracking.GetProperty("events")[0].GetProperty("status").GetString());
        Assert.Equal(tracking.ToString(), (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/orders/{orderId}/tracking")).ToString());
        await ShopKit.AssertProblemAsync(await other.GetAsync($"/api/v1/orders/{orderId}/tracking"), HttpStatusCode.NotFound, "not_found");
        var late = await ShopKit.AssertProblemAsync(await member.PostAsJsonAsync($"/api/v1/orders/{orderId}/address", new { addressId = office }), HttpStatusCode.Conflict, "conflict");
        Assert.Equal("already_shipped", late.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_parcel_sent_with_a_carrier_the_provider_does_not_serve_is_shown_untracked()
    {
        using var admin = await api.AdminClientAsync();
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Rug", category = "Physical", pointsPrice = 100, stock = 3 });
        var (_, member) = await api.MemberWithPointsAsync(500);
        var orderId = (await ShopKit.RedeemOkAsync(member, product)).GetProperty("id").GetString()!;
        var carriers = await ShopKit.GetJsonAsync(admin, "/api/v1/admin/carriers");
        Assert.Contains("SF", carriers.EnumerateArray().Select(c => c.GetProperty("code").GetString()));

        await ApiFactory.EnsureAsync(await admin.PostAsJsonAsync($"/api/v1/admin/orders/{orderId}/ship", new { carrier = "同城跑腿 Local courier", trackingNumber = "LC-7" }), "ship");

        var tracking = await ShopKit.GetJsonAsync(member, $"/api/v1/orders/{orderId}/tracking");
        Assert.Equal((false, "untracked", JsonValueKind.Array, 0), (tracking.GetProperty("tracked").GetBoolean(), tracking.GetProperty("status").GetString(),
            tracking.GetProperty("events").ValueKind, tracking.GetProperty("events").GetArrayLength()));
    }
}

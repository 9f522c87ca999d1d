using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

/// <summary>Shipping a warehouse's CSV: each row ships or is reported, and sending the same file again ships nothing twice.</summary>
public sealed class BulkShippingTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_shipping_list_ships_its_good_rows_reports_the_rest_and_is_safe_to_send_twice()
    {
        using var admin = await api.AdminClientAsync();
        var productId = await ShopKit.CreateProductAsync(admin);
        var (_, member) = await api.MemberWithPointsAsync(1_000);
        var first = (await ShopKit.RedeemOkAsync(member, productId)).GetProperty("id").GetString()!;
        var second = (await ShopKit.RedeemOkAsync(member, productId)).GetProperty("id").GetString()!;
        var csv = $"""
            订单号,快递公司,运单号
            {first},顺丰,SF1000000001
            "{second}","中通",ZT2000000002
            no-such-order,圆通,YT3000000003
            {first},顺丰,

            """;

        var result = await ShipAsync(admin, csv);

        Assert.Equal((2, 2), (result.GetProperty("shipped").GetInt32(), result.GetProperty("refused").GetInt32()));
        var lines = result.GetProperty("lines").EnumerateArray().ToList();
        Assert.Equal([true, true, false, false], lines.Select(l => l.GetProperty("shipped").GetBoolean()));
        Assert.Equal(["not_found", "validation_failed"], lines.Skip(2).Select(l => l.GetProperty("code").GetString()));
        Assert.Equal([2, 3, 4, 5], lines.Select(l => l.GetProperty("row").GetInt32()));
        var shipped = await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/orders/{second}");
        Assert.Equal(("Shipped", "中通", "ZT2000000002"), (shipped.GetProperty("status").GetString(), shipped.GetProperty("carrier").GetString(), shipped.GetProperty("trackingNumber").GetString()));

        // The same file again: the two orders answer as shipped with the same tracking numbers, nothing changes.
        var again = await ShipAsync(admin, csv);
        Assert.Equal(2, again.GetProperty("shipped").GetInt32());
        var history = (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/orders/{first}")).GetProperty("history").GetArrayLength();
        var conflicting = await ShipAsync(admin, $"orderId,carrier,trackingNumber\n{first},EMS,EMS999999\n");
        Assert.Equal("conflict", conflicting.GetProperty("lines")[0].GetProperty("code").GetString());
        Assert.Equal(history, (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/orders/{first}")).GetProperty("history").GetArrayLength());
    }

    [Fact]
    public async Task A_file_without_the_header_is_refused_whole_and_ships_nothing()
    {
        using var admin = await api.AdminClientAsync();
        var productId = await ShopKit.CreateProductAsync(admin);
        var (_, member) = await api.MemberWithPointsAsync(1_000);
        var orderId = (await ShopKit.RedeemOkAsync(member, productId)).GetProperty("id").GetString()!;

        var refused = await admin.PostAsJsonAsync("/api/v1/admin/orders/ship-bulk", new { csv = $"{orderId},顺丰,SF1\n" });

        var problem = await ShopKit.AssertProblemAsync(refused, HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(problem.GetProperty("errors").TryGetProperty("csv", out _), problem.ToString());
        Assert.Equal("PendingShipment", (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/orders/{orderId}")).GetProperty("status").GetString());
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/orders/ship-bulk", new { csv = "" }), HttpStatusCode.BadRequest, "validation_failed");
    }

    private static async Task<JsonElement> ShipAsync(HttpClient admin, string csv)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/orders/ship-bulk", new { csv });
        await ApiFactory.EnsureAsync(response, "ship in bulk");
        return await ShopKit.JsonAsync(response);
    }
}

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Playwright;
using PointsMall.Web.Tests.Support;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace PointsMall.Web.Tests.Admin;

/// <summary>
/// The warehouse's day: the packing list shows where each order goes, its CSV comes back with carriers and tracking
/// numbers, and uploading it ships the orders.
/// </summary>
public sealed class ShippingTests(WebAppFixture app, ITestOutputHelper output) : IClassFixture<WebAppFixture>
{
    [Fact]
    public async Task The_packing_list_shows_the_address_and_its_filled_in_csv_ships_the_orders()
    {
        var (orderA, orderB) = await TwoOrdersToShipAsync();
        var admin = await app.NewPageAsync();
        await AdminConsole.SignInAsync(admin);
        await admin.GetByRole(AriaRole.Link, new() { Name = "订单发货 Orders" }).ClickAsync();
        await admin.GetByTestId("packing-list").ClickAsync();

        var row = admin.Locator($"[data-testid=packing-row][data-order-id='{orderA}']");
        await Expect(row).ToContainTextAsync("李四");
        await Expect(row).ToContainTextAsync("人民路 8 号");
        var download = await admin.RunAndWaitForDownloadAsync(() => admin.GetByTestId("packing-csv").ClickAsync());
        var csv = await File.ReadAllTextAsync(await download.PathAsync());
        Assert.Contains(orderA, csv, StringComparison.Ordinal);
        output.WriteLine($"screenshot: {await WebAppFixture.ScreenshotAsync(admin, "admin-packing-list")}");

        // The warehouse fills in carrier and tracking number; the console uploads it.
        await admin.GetByRole(AriaRole.Link, new() { Name = "订单发货 Orders" }).ClickAsync();
        await admin.GetByTestId("bulk-ship").ClickAsync();
        await admin.GetByTestId("bulk-ship-csv").FillAsync($"orderId,carrier,trackingNumber\n{orderA},顺丰,SF5550001\n{orderB},中通,ZT5550002\n");
        await admin.Locator("dialog.modal").GetByRole(AriaRole.Button, new() { Name = "发货 Ship" }).ClickAsync();
        await Expect(admin.Locator(".toast").Filter(new() { HasText = "已发货 2 shipped" })).ToBeVisibleAsync();
        await admin.GotoAsync("/admin/orders?status=Shipped");
        await Expect(admin.Locator($"[data-testid=order-tracking][data-order-id='{orderA}']")).ToContainTextAsync("SF5550001");
        await Expect(admin.Locator($"[data-testid=order-tracking][data-order-id='{orderB}']")).ToContainTextAsync("ZT5550002");
        Assert.Empty(app.CspViolations);
    }

    /// <summary>A physical product and a member with an address who redeems it twice, through the API.</summary>
    private async Task<(string, string)> TwoOrdersToShipAsync()
    {
        using var http = new HttpClient { BaseAddress = app.BaseAddress };
        var admin = await TokenAsync(http, "admin", WebAppFixture.AdminPassword);
        var product = await PostAsync(http, admin, "api/v1/admin/products", new { name = $"发货测试 Ship {Guid.NewGuid().ToString("n")[..4]}", category = "Physical", pointsPrice = 10, stock = 10 });
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        await PostAsync(http, null, "api/v1/auth/register", new { phone, password = "member-e2e-password", displayName = "李四" });
        var member = await TokenAsync(http, phone, "member-e2e-password");
        var memberId = (await GetAsync(http, member, "api/v1/me")).GetProperty("id").GetString()!;
        await PostAsync(http, admin, $"api/v1/admin/members/{memberId}/points", new { amount = 100, reason = "e2e" });
        await PostAsync(http, member, "api/v1/me/addresses", new { recipient = "李四", phone, region = "杭州市 上城区", detail = "人民路 8 号", isDefault = true });
        var productId = product.GetProperty("id").GetString()!;
        var a = (await PostAsync(http, member, "api/v1/redemptions", new { productId })).GetProperty("id").GetString()!;
        var b = (await PostAsync(http, member, "api/v1/redemptions", new { productId })).GetProperty("id").GetString()!;
        return (a, b);
    }

    private static async Task<string> TokenAsync(HttpClient http, string login, string password)
        => (await PostAsync(http, null, "api/v1/auth/login", new { login, password })).GetProperty("accessToken").GetString()!;

    private static async Task<JsonElement> PostAsync(HttpClient http, string? token, string path, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = token is null ? null : new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"POST {path}: {(int)response.StatusCode} {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<JsonElement> GetAsync(HttpClient http, string token, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"GET {path}: {(int)response.StatusCode} {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}

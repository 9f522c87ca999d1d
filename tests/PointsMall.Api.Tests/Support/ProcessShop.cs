using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using Xunit;

namespace PointsMall.Api.Tests.Support;

/// <summary>An order as the admin list shows it.</summary>
internal sealed record ShopOrder(string Id, string MemberId, int Quantity, long Points, string Status);

/// <summary>
/// A shop driven over HTTP against a host process, as an operator and shoppers would: the admin's client, a product,
/// shoppers made in bulk, the order list, and the invariant audit after a fault or a restore.
/// </summary>
internal sealed class ProcessShop(HttpClient admin, Uri address) : IDisposable
{
    public const long StartingPoints = 1_000;
    public const long Price = 10;

    public HttpClient Admin => admin;

    public static async Task<ProcessShop> SignInAsync(Uri address, string adminPassword)
    {
        var client = new HttpClient { BaseAddress = address };
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = "admin", password = adminPassword });
        Assert.True(login.IsSuccessStatusCode, $"admin sign-in answered {(int)login.StatusCode}: {await login.Content.ReadAsStringAsync()}");
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", (await login.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("accessToken").GetString());
        return new ProcessShop(client, address);
    }

    /// <summary>A virtual product (its points-only orders complete at once) with plenty of stock.</summary>
    public Task<string> ProductAsync(string name)
        => ShopKit.CreateProductAsync(admin, new { name, brand = "PM", category = "Virtual", pointsPrice = Price, stock = 10_000 });

    /// <summary>Shoppers with <see cref="StartingPoints"/> each, each with a client that carries its token.</summary>
    public async Task<List<HttpClient>> ShoppersAsync(int count)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/members/bulk", new { count, startingPoints = StartingPoints, displayNamePrefix = "shopper" });
        await ApiFactory.EnsureAsync(response, "bulk members");
        return [.. (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("members").EnumerateArray().Select(m =>
        {
            var client = new HttpClient { BaseAddress = address };
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", m.GetProperty("accessToken").GetString());
            return client;
        })];
    }

    public async Task<List<ShopOrder>> OrdersAsync()
    {
        var all = new List<ShopOrder>();
        for (var page = 1; ; page++)
        {
            var body = await ShopKit.GetJsonAsync(admin, string.Create(CultureInfo.InvariantCulture, $"/api/v1/admin/orders?page={page}&pageSize=100"));
            var items = body.GetProperty("items");
            all.AddRange(items.EnumerateArray().Select(o => new ShopOrder(o.GetProperty("id").GetString()!, o.GetProperty("memberId").GetString()!,
                o.GetProperty("quantity").GetInt32(), o.GetProperty("points").GetInt64(), o.GetProperty("status").GetString()!)));
            if (items.GetArrayLength() < 100)
            {
                return all;
            }
        }
    }

    /// <summary>
    /// Waits for every order to rest (sagas caught mid-way resume by their reminders), then checks the invariants:
    /// nothing left reserved, stock sold = completed orders, each member's spending = its completed orders, and
    /// every ledger reconciles. Returns the orders.
    /// </summary>
    public async Task<List<ShopOrder>> AuditAsync(string productId, int seconds = 90)
    {
        await ShopKit.EventuallyAsync(
            async () => (await OrdersAsync()).All(o => o.Status is "Completed" or "Cancelled"),
            "every order to rest (sagas caught mid-way resume by their reminders)", seconds);

        var orders = await OrdersAsync();
        var completed = orders.Where(o => o.Status == "Completed").ToList();
        var stock = (await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/products/{productId}")).GetProperty("stock");
        Assert.Equal(0, stock.GetProperty("reserved").GetInt64());
        Assert.Equal(completed.Sum(o => (long)o.Quantity), stock.GetProperty("sold").GetInt64());
        Assert.Equal(stock.GetProperty("total").GetInt64(), stock.GetProperty("available").GetInt64() + stock.GetProperty("sold").GetInt64());

        foreach (var member in orders.Select(o => o.MemberId).Distinct())
        {
            var view = await ShopKit.GetJsonAsync(admin, $"/api/v1/admin/members/{member}");
            Assert.True(view.GetProperty("reconciles").GetBoolean(), $"{member}'s ledger does not reconcile");
            var spent = StartingPoints - view.GetProperty("member").GetProperty("balance").GetInt64();
            Assert.Equal(completed.Where(o => o.MemberId == member).Sum(o => o.Points), spent);
        }

        return orders;
    }

    /// <summary>GET /health/ready's status code.</summary>
    public async Task<HttpStatusCode> ReadinessAsync()
    {
        using var probe = new HttpClient { BaseAddress = address };
        return (await probe.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode;
    }

    public void Dispose() => admin.Dispose();
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Members;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Members;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

/// <summary>Catalogue and order helpers for the API tests: products, points, redemptions and reading problems.</summary>
internal static class ShopKit
{

    /// <summary>Creates a product as the admin; defaults: physical, 100 points, stock 10.</summary>
    public static async Task<string> CreateProductAsync(HttpClient admin, object? body = null)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/products", body ?? new { name = "测试商品 Test product", brand = "PM", category = "Physical", pointsPrice = 100, stock = 10 });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var id = (await JsonAsync(response)).GetProperty("id").GetString()!;
        Assert.Equal($"/api/v1/admin/products/{id}", response.Headers.Location?.OriginalString);
        return id;
    }

    /// <summary>An operator's grant (no tier credit), straight at the member grain.</summary>
    public static async Task GrantAsync(this WebApplicationFactory<Program> api, string memberId, long amount)
    {
        var result = await api.Grains().GetGrain<IMemberGrain>(memberId).AdjustAsync(new AdjustPoints(Guid.NewGuid().ToString("n"), amount, "test grant"));
        Assert.Null(result.Refusal);
    }

    public static async Task<long> BalanceAsync(this WebApplicationFactory<Program> api, string memberId)
        => (await api.Grains().GetGrain<IMemberGrain>(memberId).GetAsync())!.Balance;

    public static async Task<ProductView> StockAsync(this WebApplicationFactory<Program> api, string productId)
        => (await api.Grains().GetGrain<IProductGrain>(productId).GetAsync())!;

    /// <summary>A shopper: a member with points and a default shipping address, signed in.</summary>
    public static async Task<(string MemberId, HttpClient Client)> MemberWithPointsAsync(this ApiFactory api, long points)
    {
        var (memberId, client) = await api.NewMemberAsync();
        await AddAddressAsync(client);
        if (points > 0)
        {
            await api.GrantAsync(memberId, points);
        }

        return (memberId, client);
    }

    /// <summary>
    /// Shoppers made by the operator's provisioning (no password to hash), each with <paramref name="points"/> and a
    /// default shipping address; ids are "m-<paramref name="prefix"/>-run-i".
    /// </summary>
    public static async Task<string[]> ProvisionShoppersAsync(IGrainFactory grains, string prefix, int count, long points)
    {
        var run = Guid.NewGuid().ToString("n")[..8];
        var ids = Enumerable.Range(0, count).Select(i => $"m-{prefix}-{run}-{i}").ToArray();
        var address = new SaveAddress("home", "张三", "13800000000", "广东省 深圳市 南山区", "科技园 1 号", IsDefault: true);
        var results = await Task.WhenAll(ids.Select((id, i) => grains.GetGrain<IMemberGrain>(id)
            .ProvisionAsync(new ProvisionMember(null, $"{prefix}-{run}-{i}@example.test", $"Shopper {i}", points) { Address = address })));
        Assert.All(results, r => Assert.Null(r.Refusal));
        return ids;
    }

    /// <summary>Adds a shipping address to the signed-in member's address book; returns its id.</summary>
    public static async Task<string> AddAddressAsync(HttpClient member, string region = "广东省 深圳市 南山区", bool isDefault = true)
    {
        var response = await member.PostAsJsonAsync("/api/v1/me/addresses", new { recipient = "张三", phone = "13800000000", region, detail = "科技园 1 号", isDefault });
        await ApiFactory.EnsureAsync(response, "add an address");
        return (await JsonAsync(response)).GetProperty("id").GetString()!;
    }

    public static async Task<HttpResponseMessage> RedeemAsync(HttpClient client, string productId, int quantity = 1, string payment = "points", string? key = null, string? addressId = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/redemptions")
        {
            Content = JsonContent.Create(new { productId, quantity, payment, addressId }),
        };
        if (key is not null)
        {
            request.Headers.Add("Idempotency-Key", key);
        }

        return await client.SendAsync(request);
    }

    /// <summary>Redeems and insists on 201; returns the order.</summary>
    public static async Task<JsonElement> RedeemOkAsync(HttpClient client, string productId, int quantity = 1, string payment = "points", string? key = null, string? addressId = null)
    {
        var response = await RedeemAsync(client, productId, quantity, payment, key, addressId);
        await ApiFactory.EnsureAsync(response, $"redeem {productId}");
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await JsonAsync(response);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
        => await response.Content.ReadFromJsonAsync<JsonElement>();

    public static async Task<JsonElement> GetJsonAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        await ApiFactory.EnsureAsync(response, $"GET {url}");
        return await JsonAsync(response);
    }

    /// <summary>Asserts a problem+json with this status and stable code.</summary>
    public static Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string code) => Problems.AssertAsync(response, status, code);

    /// <summary>Starts <paramref name="count"/> calls held at one gate and releases them together (no blocked threads).</summary>
    public static async Task<T[]> AllAtOnceAsync<T>(int count, Func<int, Task<T>> call)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count).Select(async i =>
        {
            await gate.Task;
            return await call(i);
        }).ToArray();
        gate.SetResult();
        return await Task.WhenAll(calls);
    }

    /// <summary>
    /// Waits for a projection (catalogue index, order board, alerts) fed by streams to catch up: polls the condition
    /// until it holds or the deadline passes, failing with what was awaited.
    /// </summary>
    public static async Task EventuallyAsync(Func<Task<bool>> condition, string what, int seconds = 20)
    {
        var deadline = DateTime.UtcNow.AddSeconds(seconds);
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Timed out after {seconds} s waiting for {what}.");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>A bearer token for a member, in a session of its own, as the bulk-members route issues them (for members made without a password).</summary>
    public static Task<string> TokenForAsync(this WebApplicationFactory<Program> api, string memberId)
        => api.Services.GetRequiredService<MemberTokens>().IssueAsync(memberId);

    public static async Task<HttpClient> ClientForAsync(this WebApplicationFactory<Program> api, string memberId) => api.ClientWithToken(await api.TokenForAsync(memberId));

    /// <summary>A client for each member, in the members' order.</summary>
    public static Task<HttpClient[]> ClientsForAsync(this WebApplicationFactory<Program> api, IEnumerable<string> memberIds)
        => Task.WhenAll(memberIds.Select(api.ClientForAsync));

    public static HttpClient ClientWithToken(this WebApplicationFactory<Program> api, string token)
    {
        var client = api.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }
}

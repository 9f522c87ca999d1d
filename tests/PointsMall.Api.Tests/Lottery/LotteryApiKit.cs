using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Catalog;
using Xunit;

namespace PointsMall.Api.Tests.Lottery;

/// <summary>
/// Set-up for lottery tests through the grains directly (products and starting balances belong to other features'
/// routes), and the lottery calls over HTTP.
/// </summary>
internal static class LotteryApiKit
{

    /// <summary>A prize product in the catalogue (a prize need only exist).</summary>
    public static async Task<string> PrizeProductAsync(ApiFactory factory, string name = "奖品 Prize")
    {
        var id = "p-prize-" + Guid.NewGuid().ToString("n")[..10];
        var product = new Product(id, name, "Acme", "", "", "", [], "A prize", ProductCategory.Physical, new Price(1000, 0), null, null, null, null, true, null);
        var created = await factory.Grains().GetGrain<IProductGrain>(id).CreateAsync(new CreateProduct(product, 100, 0));
        Assert.True(created.Succeeded, created.Refusal?.ToString());
        return id;
    }

    public static async Task GrantAsync(ApiFactory factory, string memberId, long points)
    {
        var granted = await factory.Grains().GetGrain<IMemberGrain>(memberId).AdjustAsync(new AdjustPoints("test-grant-" + Guid.NewGuid().ToString("n"), points, "test grant"));
        Assert.True(granted.Succeeded, granted.Refusal?.ToString());
    }

    public static async Task<long> BalanceAsync(ApiFactory factory, string memberId)
    {
        var audit = await factory.Grains().GetGrain<IMemberGrain>(memberId).AuditAsync();
        Assert.True(audit.Reconciles, audit.ToString());
        return audit.Balance;
    }

    public static object Tier(string name, string? prizeProductId, double probability, int stock, string? id = null)
        => new { id, name, prizeProductId, probability, stock };

    /// <summary>Creates a lottery as the admin and returns its id.</summary>
    public static async Task<string> CreateLotteryAsync(HttpClient admin, long cost, params object[] tiers)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/lotteries", new { name = "测试抽奖 Test lottery", cost, participationPoints = 0, tiers });
        await ApiFactory.EnsureAsync(response, "create a lottery");
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
    }

    public static Task<HttpResponseMessage> DrawAsync(HttpClient member, string lotteryId, string? key = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/api/v1/lotteries/{lotteryId}/draws");
        if (key is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", key);
        }

        return member.SendAsync(request);
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
        => await response.Content.ReadFromJsonAsync<JsonElement>();

    /// <summary>The problem's stable code, asserting the status first (with the body in the message).</summary>
    public static Task AssertProblemAsync(HttpResponseMessage response, int status, string code) => Problems.AssertAsync(response, (HttpStatusCode)status, code);
}

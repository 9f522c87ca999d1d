using System.Net;
using Microsoft.AspNetCore.Mvc.Testing;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using Xunit;

namespace PointsMall.Api.Tests.Orders;

/// <summary>The headline: a drop hammered by a thousand shoppers at once over HTTP, with the shopper rate limits off (as for a load generator).</summary>
public sealed class FlashSaleConcurrencyTests : IClassFixture<ApiFactory>
{
    private const int Shoppers = 1000;
    private const int Stock = 100;
    private const long StartingPoints = 1000;
    private const long Price = 300;

    private readonly WebApplicationFactory<Program> _api;

    public FlashSaleConcurrencyTests(ApiFactory fixture)
    {
        // Derived from the fixture (same temp database), which disposes it.
        ArgumentNullException.ThrowIfNull(fixture);
        _api = fixture.WithWebHostBuilder(b =>
        {
            b.UseSetting("RateLimits:PerIp", "0");
            b.UseSetting("RateLimits:PerMember", "0");
        });
    }

    [Fact]
    public async Task A_thousand_concurrent_redemptions_of_a_hundred_units_make_exactly_a_hundred_orders_and_exact_balances()
    {
        var admin = _api.ClientWithToken(await AdminTokenAsync());
        var product = await ShopKit.CreateProductAsync(admin, new { name = "秒杀 Flash kettle", pointsPrice = Price, stock = Stock, isFlashSale = true, startsAt = DateTimeOffset.UtcNow.AddSeconds(-1), perMemberLimit = 1 });
        var members = await ProvisionAsync(Shoppers);
        var clients = await _api.ClientsForAsync(members);

        var responses = await ShopKit.AllAtOnceAsync(Shoppers, i => ShopKit.RedeemAsync(clients[i], product, key: "drop"));

        var byStatus = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        var statuses = string.Join(", ", byStatus.Select(s => $"{s.Key}={s.Value}"));
        Assert.True(byStatus.GetValueOrDefault(HttpStatusCode.Created) == Stock, $"Expected {Stock} created; statuses: {statuses}; first refusal: {await FirstBodyAsync(responses, HttpStatusCode.Created)}");
        Assert.Equal(Shoppers - Stock, byStatus.GetValueOrDefault(HttpStatusCode.Conflict));
        foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict).Take(5))
        {
            await ShopKit.AssertProblemAsync(refused, HttpStatusCode.Conflict, "sold_out");
        }

        var stock = await _api.StockAsync(product);
        Assert.Equal((0L, 0L, (long)Stock), (stock.Available, stock.Reserved, stock.Committed));

        var grains = _api.Grains();
        var winners = 0;
        foreach (var memberId in members)
        {
            var orderId = OrderIds.For(memberId, "drop");
            var order = await grains.GetGrain<IOrderGrain>(orderId).GetAsync();
            var won = order?.Status == "PendingShipment";
            winners += won ? 1 : 0;
            var audit = await grains.GetGrain<IMemberGrain>(memberId).AuditAsync();
            Assert.Equal(won ? StartingPoints - Price : StartingPoints, audit.Balance);
            Assert.Equal(audit.Balance, audit.OpenLots);
            Assert.Equal(audit.Balance, audit.LedgerSum);
        }

        Assert.Equal(Stock, winners);
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_concurrently_by_one_member_makes_one_order()
    {
        var admin = _api.ClientWithToken(await AdminTokenAsync());
        var product = await ShopKit.CreateProductAsync(admin, new { name = "Double tap", pointsPrice = Price, stock = Stock });
        var memberId = (await ProvisionAsync(1))[0];
        var client = await _api.ClientForAsync(memberId);

        var responses = await ShopKit.AllAtOnceAsync(50, _ => ShopKit.RedeemAsync(client, product, key: "tap"));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var ids = await Task.WhenAll(responses.Select(async r => (await ShopKit.JsonAsync(r)).GetProperty("orderId").GetString()));
        Assert.Single(ids.Distinct());
        Assert.Equal(StartingPoints - Price, await _api.BalanceAsync(memberId));
        Assert.Equal(Stock - 1, (await _api.StockAsync(product)).Available);
    }

    private static async Task<string> FirstBodyAsync(IEnumerable<HttpResponseMessage> responses, HttpStatusCode except)
        => responses.FirstOrDefault(r => r.StatusCode != except) is { } other ? await other.Content.ReadAsStringAsync() : "(none)";

    private Task<string[]> ProvisionAsync(int count) => ShopKit.ProvisionShoppersAsync(_api.Grains(), "flash", count, StartingPoints);

    private async Task<string> AdminTokenAsync()
    {
        var client = _api.CreateClient();
        await ApiFactory.SignInAsync(client, "admin", ApiFactory.AdminPassword);
        return client.DefaultRequestHeaders.Authorization!.Parameter!;
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using Xunit;

namespace PointsMall.Api.Tests.Split;

/// <summary>The API in the <c>api</c> role, an Orleans client sending every grain call to the silo's gateway.</summary>
public sealed class SplitTests(SplitHosts hosts) : IClassFixture<SplitHosts>
{
    private const long StartingPoints = 1000;
    private const long Price = 300;

    [Fact]
    public async Task The_api_role_hosts_no_grains_and_no_store_and_is_ready_when_the_silo_is()
    {
        // Grain calls go through the Orleans client; no silo runs here (a silo has its own details, as the silo's host shows).
        Assert.NotNull(hosts.Api.Services.GetService<IClusterClient>());
        Assert.Null(hosts.Api.Services.GetService<ILocalSiloDetails>());
        Assert.NotNull(hosts.Silo.Services.GetService<ILocalSiloDetails>());
        Assert.Null(hosts.Api.Services.GetService<PointsMall.Storage.IGrainStore>());

        using var client = hosts.Api.CreateClient();
        var ready = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.False(Directory.Exists(Path.GetDirectoryName(hosts.Api.Services.GetRequiredService<IConfiguration>()["Storage:Sqlite:Path"])));
    }

    [Fact]
    public async Task Register_and_login_work_over_the_split_and_the_member_lives_in_the_silo()
    {
        using var client = hosts.Api.CreateClient();
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";

        var registered = await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "split-password-1", displayName = "分体 Split" });
        await ApiFactory.EnsureAsync(registered, "register over the split");
        var memberId = (await registered.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("memberId").GetString()!;
        await ApiFactory.SignInAsync(client, phone, "split-password-1");
        var wrong = await client.PostAsJsonAsync("/api/v1/auth/login", new { login = phone, password = "not-it-at-all" });
        await ApiFactory.SignInAsync(client, "admin", ApiFactory.AdminPassword);

        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var inSilo = await hosts.Silo.Services.GetRequiredService<IGrainFactory>().GetGrain<IMemberGrain>(memberId).GetAsync();
        Assert.Equal("分体 Split", inSilo?.DisplayName);
    }

    [Fact]
    public async Task A_thousand_concurrent_redemptions_of_a_hundred_units_through_the_split_make_exactly_a_hundred_orders()
    {
        const int shoppers = 1000;
        const int stock = 100;
        var api = hosts.Api;
        var admin = api.CreateClient();
        await ApiFactory.SignInAsync(admin, "admin", ApiFactory.AdminPassword);
        var product = await ShopKit.CreateProductAsync(admin, new { name = "分体秒杀 Split drop", pointsPrice = Price, stock, isFlashSale = true, startsAt = DateTimeOffset.UtcNow.AddSeconds(-1), perMemberLimit = 1 });
        var members = await ShopKit.ProvisionShoppersAsync(api.Grains(), "split", shoppers, StartingPoints);
        var clients = await api.ClientsForAsync(members);

        var responses = await ShopKit.AllAtOnceAsync(shoppers, i => ShopKit.RedeemAsync(clients[i], product, key: "split-drop"));

        var byStatus = responses.GroupBy(r => r.StatusCode).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(byStatus.GetValueOrDefault(HttpStatusCode.Created) == stock, $"statuses: {string.Join(", ", byStatus.Select(s => $"{s.Key}={s.Value}"))}");
        Assert.Equal(shoppers - stock, byStatus.GetValueOrDefault(HttpStatusCode.Conflict));

        // Checked in the silo itself, not through the API: exactly the stock was sold, and every balance is exact.
        var silo = hosts.Silo.Services.GetRequiredService<IGrainFactory>();
        var product_ = await silo.GetGrain<PointsMall.Contracts.Catalog.IProductGrain>(product).GetAsync();
        Assert.Equal((0L, 0L, (long)stock), (product_!.Available, product_.Reserved, product_.Committed));
        var winners = 0;
        foreach (var memberId in members)
        {
            var order = await silo.GetGrain<IOrderGrain>(OrderIds.For(memberId, "split-drop")).GetAsync();
            var won = order?.Status == "PendingShipment";
            winners += won ? 1 : 0;
            var audit = await silo.GetGrain<IMemberGrain>(memberId).AuditAsync();
            Assert.Equal(won ? StartingPoints - Price : StartingPoints, audit.Balance);
            Assert.True(audit.Reconciles, $"member {memberId} does not reconcile: {audit}");
        }

        Assert.Equal(stock, winners);
    }
}

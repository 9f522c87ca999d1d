using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using PointsMall.Api.Demo;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Catalog;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;
using PointsMall.Testing;

namespace PointsMall.Api.Tests.Demo;

/// <summary>The host with demo data on (Demo:Seed=true) over a SQLite file that outlives it, so a restart can be tested.</summary>
internal sealed class DemoFactory(string directory) : WebApplicationFactory<Program>
{
    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseFreeOrleansPorts();
        builder.UseSetting("Storage:Provider", "sqlite");
        builder.UseSetting("Storage:Sqlite:Path", Path.Combine(directory, "demo.db"));
        builder.UseSetting("DataProtection:KeysPath", Path.Combine(directory, "keys"));
        builder.UseSetting("Admin:Password", ApiFactory.AdminPassword);
        builder.UseSetting("Demo:Seed", "true");
    }

    public IGrainFactory Grains => Services.GetRequiredService<IGrainFactory>();
}

public sealed class DemoDataTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "pointsmall-api-tests", "demo-" + Guid.NewGuid().ToString("n"));

    [Fact]
    public async Task The_demo_data_is_seeded_on_first_start_and_never_duplicated_by_a_restart()
    {
        DemoSnapshot first;
        await using (var host = new DemoFactory(_directory))
        {
            using var client = host.CreateClient();
            first = await SnapshotAsync(host.Grains);

            // The demo shopper logs in with the documented login and sees the lottery and the campaign.
            await ApiFactory.SignInAsync(client, "13800000001", DemoCatalogue.Password);
            var lottery = await JsonAsync(await client.GetAsync($"/api/v1/lotteries/{DemoCatalogue.LotteryId}"));
            Assert.Equal(3, lottery.GetProperty("tiers").GetArrayLength());
            Assert.True(lottery.GetProperty("noPrizeProbability").GetDouble() > 0);
            var rules = await JsonAsync(await client.GetAsync("/api/v1/rules"));
            Assert.Contains(rules.GetProperty("activeCampaigns").EnumerateArray(), c => c.GetProperty("id").GetString() == DemoCatalogue.CampaignId);
        }

        await using (var restarted = new DemoFactory(_directory))
        {
            using var client = restarted.CreateClient();
            var again = await SnapshotAsync(restarted.Grains);
            var report = await restarted.Services.GetServices<IHostedService>().OfType<DemoSeeder>().Single().SeedAsync();

            Assert.Equal(first, again);
            Assert.False(report.CreatedAnything, report.ToString());
            Assert.Equal(first, await SnapshotAsync(restarted.Grains));
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsync("/api/v1/auth/login", System.Net.Http.Json.JsonContent.Create(new { login = "13800000002", password = DemoCatalogue.Password }))).StatusCode);
        }
    }

    [Fact]
    public async Task The_demo_catalogue_spans_every_category_with_a_live_and_an_upcoming_flash_drop()
    {
        await using var host = new DemoFactory(_directory);
        using var client = host.CreateClient();
        var now = DateTimeOffset.UtcNow;

        var products = new List<ProductView>();
        foreach (var item in DemoCatalogue.Products(now))
        {
            products.Add((await host.Grains.GetGrain<IProductGrain>(item.Product.Id).GetAsync())!);
        }

        Assert.All(products, Assert.NotNull);
        Assert.Equal([ProductCategory.Physical, ProductCategory.Virtual, ProductCategory.Service],
            products.Select(p => p.Product.Category).Distinct().Order());
        Assert.All(products, p => Assert.Matches(@"\p{IsCJKUnifiedIdeographs}.*[A-Za-z]", p.Product.Name));
        // Each product's picture is a file the shop serves, in a section the shop lists; some are featured.
        foreach (var picture in products.Select(p => p.Product.Images[0]).Distinct())
        {
            using var served = await client.GetAsync(new Uri(picture, UriKind.Relative));
            Assert.True(served.IsSuccessStatusCode && served.Content.Headers.ContentType?.MediaType == "image/svg+xml", $"{picture}: {(int)served.StatusCode} {served.Content.Headers.ContentType}");
        }

        var sections = await client.GetFromJsonAsync<JsonElement>(new Uri("/api/v1/sections", UriKind.Relative));
        Assert.Equal(DemoCatalogue.Sections.Select(s => s.Id), sections.EnumerateArray().Select(s => s.GetProperty("id").GetString()));
        Assert.All(products, p => Assert.Contains(p.Product.Section, DemoCatalogue.Sections.Select(s => s.Id)));
        Assert.Contains(products, p => p.Product.Featured);
        var upcoming = products.Single(p => p.Product.Id == DemoCatalogue.UpcomingDropId).Product;
        var live = products.Single(p => p.Product.Id == DemoCatalogue.LiveDropId).Product;
        Assert.True(upcoming.Flash!.StartsAt > now, "the upcoming drop starts after startup");
        Assert.True(live.Flash!.StartsAt <= now, "the live drop has started");
        Assert.Equal((1, 1), (upcoming.EffectivePerMemberLimit, live.EffectivePerMemberLimit));

        // Demo members start with a points history and the first one with an order.
        foreach (var member in DemoCatalogue.Members)
        {
            var grain = host.Grains.GetGrain<IMemberGrain>(member.Id);
            Assert.True((await grain.GetLedgerAsync(1, 50)).Total >= 2, $"{member.Id} has a points history");
            Assert.True((await grain.AuditAsync()).Reconciles);
        }

        Assert.NotEmpty((await host.Grains.GetGrain<IMemberOrdersGrain>(DemoCatalogue.Members[0].Id).ListAsync(null, 1, 10)).Items);
    }

    /// <summary>Counts that a duplicated seeding would change.</summary>
    private static async Task<DemoSnapshot> SnapshotAsync(IGrainFactory grains)
    {
        var ledgers = new List<string>();
        foreach (var member in DemoCatalogue.Members)
        {
            var grain = grains.GetGrain<IMemberGrain>(member.Id);
            var audit = await grain.AuditAsync();
            ledgers.Add($"{member.Id}:{(await grain.GetLedgerAsync(1, 100)).Total}:{audit.Balance}");
        }

        var stock = new List<string>();
        foreach (var item in DemoCatalogue.Products(DateTimeOffset.UtcNow))
        {
            var view = await grains.GetGrain<IProductGrain>(item.Product.Id).GetAsync();
            stock.Add($"{item.Product.Id}:{view?.Total}:{view?.Product.Flash?.StartsAt:O}");
        }

        var rules = await grains.GetGrain<IProgramGrain>(Programs.Default).GetAsync();
        var lotteries = await grains.GetGrain<ILotteryDirectoryGrain>(LotteryKeys.Directory).ListAsync();
        var lottery = await grains.GetGrain<ILotteryGrain>(DemoCatalogue.LotteryId).GetAsync();
        var orders = (await grains.GetGrain<IMemberOrdersGrain>(DemoCatalogue.Members[0].Id).ListAsync(null, 1, 100)).Items.Select(o => o.Id).ToList();
        return new DemoSnapshot(
            string.Join("|", ledgers),
            string.Join("|", stock),
            rules.Earn.Campaigns.Length,
            rules.Version,
            lotteries.Count,
            lottery?.Table.Version ?? 0,
            orders.Count);
    }

    private sealed record DemoSnapshot(string Ledgers, string Stock, int Campaigns, int RulesVersion, int Lotteries, int LotteryVersion, int Orders);

    public void Dispose()
    {
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: the temp cleaner gets the rest.
        }
    }
}

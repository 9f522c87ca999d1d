using PointsMall.Contracts.Catalog;
using PointsMall.Contracts.Coupons;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Tasks;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Orders;
using PointsMall.Contracts.Rules;
using PointsMall.Domain.Members;

namespace PointsMall.Api.Demo;

public static class DemoData
{
    /// <summary>Seeds the demo data on start when <c>Demo:Seed</c> is true (the default in appsettings.json).</summary>
    public static WebApplicationBuilder AddDemoData(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (builder.Configuration.GetValue("Demo:Seed", false))
        {
            // Registered after the silo's hosted services, so grain calls work by the time this starts.
            builder.Services.AddHostedService<DemoSeeder>();
        }

        return builder;
    }
}

/// <summary>What one seeding run created; all zero on a start over already-seeded storage.</summary>
public sealed record DemoSeedReport(int Products, bool Lottery, bool Campaign, int Members)
{
    public bool CreatedAnything => Products > 0 || Lottery || Campaign || Members > 0;
}

/// <summary>
/// Seeds the demo catalogue, flash drops, lottery, double-points campaign and members, through grain calls only (so
/// it works against a remote silo too). Idempotent across restarts: every item has a fixed id and is created only
/// when absent; every points operation has a fixed operation id, so a second start adds nothing.
/// </summary>
public sealed partial class DemoSeeder(IGrainFactory grains, TimeProvider time, ILogger<DemoSeeder> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            var report = await SeedAsync(cancellationToken);
            if (report.Members > 0)
            {
                // Printed once, when the members are created; later starts only log that the demo data is there.
                Console.WriteLine(DemoLogins());
            }

            LogSeeded(logger, report.Products, report.Lottery, report.Campaign, report.Members);
        }
#pragma warning disable CA1031 // Demo data is a convenience: a failure is logged and the mall still starts.
        catch (Exception ex) when (ex is not OperationCanceledException)
#pragma warning restore CA1031
        {
            LogFailed(logger, ex);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static string DemoLogins()
        => "Demo shopper logins (password " + DemoCatalogue.Password + "): "
           + string.Join(", ", DemoCatalogue.Members.Select(m => $"{m.Phone} ({m.DisplayName})"));

    /// <summary>Creates whatever of the demo data is missing.</summary>
    public async Task<DemoSeedReport> SeedAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var sections = grains.GetGrain<ISectionsGrain>(CatalogKeys.All);
        var existing = await sections.ListAsync();
        foreach (var section in DemoCatalogue.Sections.Where(s => !existing.Any(e => e.Id == s.Id)))
        {
            if ((await sections.SaveAsync(section)).Refusal is { } refusal)
            {
                LogRefused(logger, section.Id, refusal.Code, refusal.Detail);
            }
        }

        var products = 0;
        foreach (var item in DemoCatalogue.Products(now))
        {
            cancellationToken.ThrowIfCancellationRequested();
            var product = grains.GetGrain<IProductGrain>(item.Product.Id);
            if (await product.GetAsync() is not null)
            {
                continue;
            }

            var created = await product.CreateAsync(new CreateProduct(item.Product, item.Stock, item.LowStockThreshold));
            if (created.Succeeded)
            {
                products++;
            }
            else if (created.Refusal!.Code != "conflict")
            {
                LogRefused(logger, item.Product.Id, created.Refusal.Code, created.Refusal.Detail);
            }
        }

        var lottery = grains.GetGrain<ILotteryGrain>(DemoCatalogue.LotteryId);
        var lotteryCreated = false;
        if (await lottery.GetAsync() is null)
        {
            var configured = await lottery.ConfigureAsync(new ConfigureLottery(DemoCatalogue.LotteryName, DemoCatalogue.LotteryTable(), null, null));
            lotteryCreated = configured.Succeeded;
            if (configured.Refusal is { } refusal)
            {
                LogRefused(logger, DemoCatalogue.LotteryId, refusal.Code, refusal.Detail);
            }
        }

        // The campaign goes in before the members earn, so their purchases show double points in the history.
        var program = grains.GetGrain<IProgramGrain>(Programs.Default);
        var rules = await program.GetAsync();
        var campaignCreated = false;
        if (rules.Earn.Campaigns.IsDefault || !rules.Earn.Campaigns.Any(c => c.Id == DemoCatalogue.CampaignId))
        {
            var saved = await program.SaveCampaignAsync(DemoCatalogue.DoublePoints(now));
            campaignCreated = saved.Succeeded;
        }

        var coupon = grains.GetGrain<ICouponGrain>(DemoCatalogue.CouponId);
        if (await coupon.GetAsync() is null && (await coupon.ConfigureAsync(DemoCatalogue.WelcomeCoupon())).Refusal is { } couponRefused)
        {
            LogRefused(logger, DemoCatalogue.CouponId, couponRefused.Code, couponRefused.Detail);
        }

        var quiz = grains.GetGrain<ISurveyGrain>(DemoCatalogue.QuizId);
        if (await quiz.GetAsync() is null && (await quiz.ConfigureAsync(DemoCatalogue.PointsQuiz())).Refusal is { } quizRefused)
        {
            LogRefused(logger, DemoCatalogue.QuizId, quizRefused.Code, quizRefused.Detail);
        }

        var members = 0;
        foreach (var member in DemoCatalogue.Members)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (await SeedMemberAsync(member))
            {
                members++;
            }
        }

        return new DemoSeedReport(products, lotteryCreated, campaignCreated, members);
    }

    /// <summary>Registers the member unless its phone is taken, then replays its history (each step keyed, so applied once).</summary>
    private async Task<bool> SeedMemberAsync(DemoMember demo)
    {
        var login = ContactValidation.NormalisePhone(demo.Phone)!;
        var owner = await grains.GetGrain<ILoginGrain>(login).GetOwnerAsync();
        if (owner is not null && owner != demo.Id)
        {
            return false; // Someone registered this phone for real: leave it alone.
        }

        var member = grains.GetGrain<IMemberGrain>(demo.Id);
        var created = false;
        if (owner is null)
        {
            var registered = await member.RegisterAsync(new RegisterMember(demo.Phone, null, DemoCatalogue.Password, demo.DisplayName));
            if (registered.Refusal is { } refusal)
            {
                LogRefused(logger, demo.Id, refusal.Code, refusal.Detail);
                return false;
            }

            created = true;

            // A shopper of physical goods has somewhere to ship them.
            await member.SaveAddressAsync(new SaveAddress("demo-home", demo.DisplayName, demo.Phone, "上海市 上海市 浦东新区", "世纪大道 100 号", IsDefault: true));
        }

        await member.EarnAsync(new EarnPoints("demo:welcome", demo.WelcomeBonus, "activity", "新会员礼 Welcome bonus"));
        for (var i = 0; i < demo.PurchasesFen.Length; i++)
        {
            await member.EarnForPurchaseAsync(new EarnForPurchase($"demo:purchase:{i + 1}", demo.PurchasesFen[i], $"门店消费 In-store purchase #{1001 + i}"));
        }

        if (demo.Grant > 0)
        {
            await member.AdjustAsync(new AdjustPoints("demo:grant", demo.Grant, "客服补偿 Service goodwill"));
        }

        if (demo.Id == DemoCatalogue.Members[0].Id)
        {
            // One completed redemption, so "my orders" is not empty. Keyed like any client retry: placed once.
            await grains.GetGrain<IOrderGrain>(OrderIds.For(demo.Id, "demo-order-1"))
                .PlaceAsync(new PlaceOrder(demo.Id, "demo-starbucks", 1, "points", null));
        }

        return created;
    }

    [LoggerMessage(EventId = 4200, Level = LogLevel.Information, Message = "Demo data: {Products} products, lottery {Lottery}, campaign {Campaign}, {Members} members created (zero/false when already seeded)")]
    private static partial void LogSeeded(ILogger logger, int products, bool lottery, bool campaign, int members);

    [LoggerMessage(EventId = 4201, Level = LogLevel.Warning, Message = "Demo data: {Id} was refused ({Code}: {Detail})")]
    private static partial void LogRefused(ILogger logger, string id, string code, string detail);

    [LoggerMessage(EventId = 4202, Level = LogLevel.Error, Message = "Demo data could not be seeded; the mall starts without it")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}

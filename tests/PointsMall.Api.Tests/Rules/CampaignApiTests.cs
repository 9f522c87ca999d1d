using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Members;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;

namespace PointsMall.Api.Tests.Rules;

/// <summary>Double-points campaigns; a class of its own because a campaign changes earning for its whole host.</summary>
public sealed class CampaignApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_campaign_doubles_earning_within_its_window_only_and_can_be_removed()
    {
        using var admin = await factory.AdminClientAsync();
        var now = DateTimeOffset.UtcNow;

        var future = await admin.PostAsJsonAsync("/api/v1/admin/campaigns", new { id = "next-month", name = "下月双倍 Next month", multiplier = 2.0m, startsAt = now.AddDays(30), endsAt = now.AddDays(31) });
        Assert.Equal(HttpStatusCode.Created, future.StatusCode);
        var (early, _) = await factory.NewMemberAsync();
        Assert.Equal(10, await EarnAsync(early, 100_00));

        var live = await admin.PostAsJsonAsync("/api/v1/admin/campaigns", new { name = "双倍积分 Double points", multiplier = 2.0m, startsAt = now.AddHours(-1), endsAt = now.AddHours(1) });
        Assert.Equal(HttpStatusCode.Created, live.StatusCode);
        var campaign = await JsonAsync(live);
        var liveId = campaign.GetProperty("id").GetString()!;
        Assert.True(campaign.GetProperty("active").GetBoolean());

        // Members activated now read the rules with the live campaign: ¥100 earns 2 × 10.
        var (during, _) = await factory.NewMemberAsync();
        Assert.Equal(20, await EarnAsync(during, 100_00));

        var rules = await JsonAsync(await factory.CreateClient().GetAsync("/api/v1/rules"));
        Assert.Equal([liveId], rules.GetProperty("activeCampaigns").EnumerateArray().Select(c => c.GetProperty("id").GetString()));
        Assert.Equal(2m, rules.GetProperty("campaignMultiplier").GetDecimal());
        var listed = await JsonAsync(await admin.GetAsync("/api/v1/admin/campaigns"));
        Assert.Equal(["next-month", liveId], listed.GetProperty("items").EnumerateArray().Select(c => c.GetProperty("id").GetString()));

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/campaigns/{liveId}")).StatusCode);
        await AssertProblemAsync(await admin.DeleteAsync($"/api/v1/admin/campaigns/{liveId}"), 404, "not_found");
        var (afterwards, _) = await factory.NewMemberAsync();
        Assert.Equal(10, await EarnAsync(afterwards, 100_00));
        Assert.Equal(1m, (await JsonAsync(await factory.CreateClient().GetAsync("/api/v1/rules"))).GetProperty("campaignMultiplier").GetDecimal());
    }

    [Fact]
    public async Task A_campaign_may_be_for_sign_in_and_tasks_of_some_tiers_and_bad_scopes_or_tiers_are_refused()
    {
        using var admin = await factory.AdminClientAsync();
        var now = DateTimeOffset.UtcNow;
        var before = (await JsonAsync(await admin.GetAsync("/api/v1/admin/campaigns"))).GetProperty("items").GetArrayLength();

        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/campaigns",
            new { name = "x", multiplier = 2.0m, startsAt = now, endsAt = now.AddDays(1), appliesTo = new[] { "dancing" } }), 400, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/campaigns",
            new { name = "x", multiplier = 2.0m, startsAt = now, endsAt = now.AddDays(1), appliesTo = Array.Empty<string>() }), 400, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/campaigns",
            new { name = "x", multiplier = 2.0m, startsAt = now, endsAt = now.AddDays(1), tiers = new[] { "Platinum" } }), 400, "validation_failed");
        Assert.Equal(before, (await JsonAsync(await admin.GetAsync("/api/v1/admin/campaigns"))).GetProperty("items").GetArrayLength());

        var created = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/campaigns",
            new { id = "gold-sign-in", name = "金卡签到双倍 Gold sign-in", multiplier = 2.0m, startsAt = now.AddDays(10), endsAt = now.AddDays(11), appliesTo = new[] { "sign_in", "tasks" }, tiers = new[] { "Gold" } }));
        Assert.Equal(["sign_in", "tasks"], created.GetProperty("appliesTo").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(["Gold"], created.GetProperty("tiers").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync("/api/v1/admin/campaigns/gold-sign-in")).StatusCode);
    }

    private async Task<long> EarnAsync(string memberId, long fen)
    {
        var earned = await factory.Grains().GetGrain<IMemberGrain>(memberId).EarnForPurchaseAsync(new EarnForPurchase("purchase-" + Guid.NewGuid().ToString("n"), fen, "test purchase"));
        Assert.True(earned.Succeeded, earned.Refusal?.ToString());
        return earned.Amount;
    }
}

using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Members;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;

namespace PointsMall.Api.Tests.Rules;

/// <summary>Rule edits that take effect; a class of its own because they change the programme for its whole host.</summary>
public sealed class RulesUpdateTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_rules_update_changes_what_purchases_earn_and_what_shoppers_read()
    {
        using var admin = await factory.AdminClientAsync();
        var (before, _) = await factory.NewMemberAsync();
        var earnedBefore = await EarnAsync(before, 100_00);
        var current = await JsonAsync(await admin.GetAsync("/api/v1/admin/rules"));
        var version = current.GetProperty("version").GetInt32();

        var response = await admin.PutAsJsonAsync("/api/v1/admin/rules", new
        {
            version,
            purchase = new { fenPerStep = 100, pointsPerStep = 1 },
            signIn = new { ladder = new long[] { 10, 20, 30 }, streakBonus = 100, bonusEveryDays = 3 },
            birthdayPoints = 388,
        });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var updated = await JsonAsync(response);
        Assert.Equal(version + 1, updated.GetProperty("version").GetInt32());

        // A member activated after the change earns by the new ratio: ¥100 at 1 point per ¥1 is 100 (it was 10).
        var (after, _) = await factory.NewMemberAsync();
        Assert.Equal(10, earnedBefore);
        Assert.Equal(100, await EarnAsync(after, 100_00));

        var summary = await JsonAsync(await factory.CreateClient().GetAsync("/api/v1/rules"));
        Assert.Equal(1m, summary.GetProperty("pointsPerYuan").GetDecimal());
        Assert.Equal([10L, 20, 30], summary.GetProperty("signIn").GetProperty("ladder").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(100, summary.GetProperty("signIn").GetProperty("streakBonus").GetInt64());
        Assert.Equal(388, summary.GetProperty("birthdayPoints").GetInt64());

        // Sections left out keep their values; tiers can be re-levelled.
        var tiers = await admin.PutAsJsonAsync("/api/v1/admin/rules", new
        {
            tiers = new[] { new { tier = "Regular", minPoints = 0, multiplier = 1.0m }, new { tier = "Gold", minPoints = 2000, multiplier = 3.0m } },
        });
        Assert.Equal(HttpStatusCode.OK, tiers.StatusCode);
        var relevelled = await JsonAsync(tiers);
        Assert.Equal(["Regular", "Gold"], relevelled.GetProperty("tiers").EnumerateArray().Select(t => t.GetProperty("tier").GetString()));
        Assert.Equal((100L, 388L), (relevelled.GetProperty("purchase").GetProperty("fenPerStep").GetInt64(), relevelled.GetProperty("birthdayPoints").GetInt64()));
    }

    private async Task<long> EarnAsync(string memberId, long fen)
    {
        var earned = await factory.Grains().GetGrain<IMemberGrain>(memberId).EarnForPurchaseAsync(new EarnForPurchase("purchase-" + Guid.NewGuid().ToString("n"), fen, "test purchase"));
        Assert.True(earned.Succeeded, earned.Refusal?.ToString());
        return earned.Amount;
    }
}

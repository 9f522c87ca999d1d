using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;

namespace PointsMall.Api.Tests.Rules;

/// <summary>The rules editor's preview: the server's own earning rule applied to a draft, with nothing saved.</summary>
public sealed class RulesPreviewTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task The_preview_applies_the_draft_and_a_draft_campaign_and_changes_nothing()
    {
        using var admin = await api.AdminClientAsync();
        var before = await ShopKit.GetJsonAsync(admin, "/api/v1/admin/rules");
        var now = DateTimeOffset.UtcNow;

        var current = await PreviewAsync(admin, new { purchaseAmount = 230m, tier = "Gold" });
        var draft = await PreviewAsync(admin, new { draft = new { purchase = new { fenPerStep = 100, pointsPerStep = 1 } }, purchaseAmount = 230m, tier = "金卡" });
        var campaign = await PreviewAsync(admin, new
        {
            campaign = new { name = "三倍 Triple", multiplier = 3m, startsAt = now.AddDays(1), endsAt = now.AddDays(2) },
            purchaseAmount = 230m,
            tier = "Gold",
        });

        // ¥10 → 1 point by default: 23 × 1.5 = 34.5 → 34; at ¥1 → 1: 345; in a ×3 campaign: 103.5 → 103.
        Assert.Equal((34L, 23m, 1.5m, 1m), (current.GetProperty("points").GetInt64(), current.GetProperty("basePoints").GetDecimal(),
            current.GetProperty("tierMultiplier").GetDecimal(), current.GetProperty("campaignMultiplier").GetDecimal()));
        Assert.Contains("金卡会员消费 ¥230.00 得 34 积分", current.GetProperty("sentence").GetString(), StringComparison.Ordinal);
        Assert.Equal([5L, 8, 12, 17, 23, 30, 38 + 50], current.GetProperty("signInDays").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal(345, draft.GetProperty("points").GetInt64());
        Assert.Equal((103L, 3m), (campaign.GetProperty("points").GetInt64(), campaign.GetProperty("campaignMultiplier").GetDecimal()));

        Assert.Equal(before.ToString(), (await ShopKit.GetJsonAsync(admin, "/api/v1/admin/rules")).ToString());
        var audit = await ShopKit.GetJsonAsync(admin, "/api/v1/admin/audit?action=PreviewRules");
        Assert.Equal(0, audit.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task A_draft_the_rules_would_refuse_is_a_validation_problem()
    {
        using var admin = await api.AdminClientAsync();

        var invalid = await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/rules/preview",
            new { draft = new { tiers = new[] { new { tier = "Regular", minPoints = 0, multiplier = 1m }, new { tier = "Regular", minPoints = 100, multiplier = 2m } } }, purchaseAmount = 10m, tier = "Gold" }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(invalid.GetProperty("errors").TryGetProperty("draft.tiers", out _) || invalid.GetProperty("errors").TryGetProperty("draft", out _), invalid.ToString());
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/rules/preview", new { purchaseAmount = -1m, tier = "Gold" }), HttpStatusCode.BadRequest, "validation_failed");
        await ShopKit.AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/rules/preview", new { purchaseAmount = 1m, tier = "Platinum" }), HttpStatusCode.BadRequest, "validation_failed");
        var (_, member) = await api.MemberWithPointsAsync(0);
        await ShopKit.AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/admin/rules/preview", new { purchaseAmount = 1m, tier = "Gold" }), HttpStatusCode.Forbidden, "forbidden");
    }

    private static async Task<JsonElement> PreviewAsync(HttpClient admin, object body)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/rules/preview", body);
        await ApiFactory.EnsureAsync(response, "preview the rules");
        return await ShopKit.JsonAsync(response);
    }
}

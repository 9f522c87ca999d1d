using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;

namespace PointsMall.Api.Tests.Rules;

/// <summary>Reading the rules and refused edits; nothing here changes the rules (see <see cref="RulesUpdateTests"/>).</summary>
public sealed class RulesApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Anyone_reads_the_public_summary_of_the_programme()
    {
        using var anonymous = factory.CreateClient();

        var response = await anonymous.GetAsync("/api/v1/rules");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var rules = await JsonAsync(response);
        Assert.Equal((1000L, 1L), (rules.GetProperty("purchase").GetProperty("fenPerStep").GetInt64(), rules.GetProperty("purchase").GetProperty("pointsPerStep").GetInt64()));
        Assert.Equal(0.1m, rules.GetProperty("pointsPerYuan").GetDecimal());
        Assert.Equal([5L, 8, 12, 17, 23, 30, 38], rules.GetProperty("signIn").GetProperty("ladder").EnumerateArray().Select(d => d.GetInt64()));
        Assert.Equal((50L, 7), (rules.GetProperty("signIn").GetProperty("streakBonus").GetInt64(), rules.GetProperty("signIn").GetProperty("bonusEveryDays").GetInt32()));
        Assert.Equal([("Regular", 0L, 1.0m), ("Silver", 1000L, 1.2m), ("Gold", 5000L, 1.5m), ("Diamond", 10000L, 2.0m)],
            rules.GetProperty("tiers").EnumerateArray().Select(t => (t.GetProperty("tier").GetString(), t.GetProperty("minPoints").GetInt64(), t.GetProperty("multiplier").GetDecimal())));
        Assert.Empty(rules.GetProperty("activeCampaigns").EnumerateArray());
        Assert.Equal(1m, rules.GetProperty("campaignMultiplier").GetDecimal());
        Assert.Equal(100, rules.GetProperty("birthdayPoints").GetInt64());
    }

    [Fact]
    public async Task Invalid_rule_edits_are_refused_and_change_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        var before = await (await admin.GetAsync("/api/v1/admin/rules")).Content.ReadAsStringAsync();

        object[] invalid =
        [
            new { signIn = new { ladder = Array.Empty<long>() } },
            new { signIn = new { ladder = new long[] { 5, -1 } } },
            new { signIn = new { ladder = Enumerable.Repeat(5L, 40).ToArray() } },
            new { signIn = new { streakBonus = -5 } },
            new { tiers = new[] { new { tier = "Regular", minPoints = 0, multiplier = 1.0m }, new { tier = "Silver", minPoints = 0, multiplier = 1.2m } } },
            new { tiers = new[] { new { tier = "Regular", minPoints = 10, multiplier = 1.0m } } },
            new { tiers = new[] { new { tier = "Silver", minPoints = 0, multiplier = 1.0m }, new { tier = "Regular", minPoints = 100, multiplier = 1.2m } } },
            new { tiers = new[] { new { tier = "Regular", minPoints = 0, multiplier = 0m } } },
            new { purchase = new { fenPerStep = 0, pointsPerStep = 1 } },
            new { purchase = new { fenPerStep = 1000, pointsPerStep = -1 } },
            new { timeZone = "Mars/Olympus" },
            new { expiry = new { kind = "RollingDays", periods = 0 } },
            new { expiry = new { kind = "Sometimes", periods = 1 } },
            new { birthdayPoints = -1 },
            new { birthdayPoints = 2_000_000 },
        ];

        foreach (var body in invalid)
        {
            await AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/rules", body), 400, "validation_failed");
        }

        Assert.Equal(before, await (await admin.GetAsync("/api/v1/admin/rules")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_edit_based_on_a_stale_version_is_a_conflict()
    {
        using var admin = await factory.AdminClientAsync();
        var version = (await JsonAsync(await admin.GetAsync("/api/v1/admin/rules"))).GetProperty("version").GetInt32();

        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/rules", new { version = version + 5, signIn = new { streakBonus = 60 } }), 409, "conflict");
    }

    [Fact]
    public async Task Rule_and_campaign_administration_is_for_operators_only()
    {
        var (_, member) = await factory.NewMemberAsync();
        using var anonymous = factory.CreateClient();

        await AssertProblemAsync(await member.GetAsync("/api/v1/admin/rules"), 403, "forbidden");
        await AssertProblemAsync(await member.PutAsJsonAsync("/api/v1/admin/rules", new { }), 403, "forbidden");
        await AssertProblemAsync(await member.GetAsync("/api/v1/admin/campaigns"), 403, "forbidden");
        await AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/admin/campaigns", new { name = "x" }), 403, "forbidden");
        await AssertProblemAsync(await member.DeleteAsync("/api/v1/admin/campaigns/x"), 403, "forbidden");
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/admin/rules"), 401, "unauthorized");
        await AssertProblemAsync(await anonymous.DeleteAsync("/api/v1/admin/campaigns/x"), 401, "unauthorized");
        member.Dispose();
    }

    [Fact]
    public async Task Invalid_campaigns_are_refused_and_unknown_ones_are_not_found()
    {
        using var admin = await factory.AdminClientAsync();
        var now = DateTimeOffset.UtcNow;

        object[] invalid =
        [
            new { name = "No window", multiplier = 2.0m },
            new { name = "Backwards", multiplier = 2.0m, startsAt = now, endsAt = now.AddHours(-1) },
            new { name = "Zero", multiplier = 0m, startsAt = now, endsAt = now.AddHours(1) },
            new { name = "Absurd", multiplier = 50m, startsAt = now, endsAt = now.AddHours(1) },
            new { name = "", multiplier = 2.0m, startsAt = now, endsAt = now.AddHours(1) },
            new { id = "bad id!", name = "x", multiplier = 2.0m, startsAt = now, endsAt = now.AddHours(1) },
        ];

        foreach (var body in invalid)
        {
            await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/campaigns", body), 400, "validation_failed");
        }

        await AssertProblemAsync(await admin.DeleteAsync("/api/v1/admin/campaigns/c-missing"), 404, "not_found");
        Assert.Empty((await JsonAsync(await admin.GetAsync("/api/v1/admin/campaigns"))).GetProperty("items").EnumerateArray());
    }
}

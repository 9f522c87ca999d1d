using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using PointsMall.Domain.Lottery;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;

namespace PointsMall.Api.Tests.Lottery;

/// <summary>Provably fair draws, the operators' audit trail, daily draw limits and bonus points, over HTTP.</summary>
public sealed class FairLotteryApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_lottery_commits_to_its_seed_and_on_closing_publishes_it_and_every_draw_for_anyone_to_recompute()
    {
        using var admin = await factory.AdminClientAsync();
        var prize = await PrizeProductAsync(factory);
        var lottery = await CreateLotteryAsync(admin, 10, Tier("一等奖 First", prize, 0.3, 100), Tier("二等奖 Second", null, 0.3, 100));
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);
        for (var i = 0; i < 3; i++)
        {
            Assert.Equal(HttpStatusCode.Created, (await DrawAsync(member, lottery)).StatusCode);
        }

        using var anonymous = factory.CreateClient();
        var open = await JsonAsync(await anonymous.GetAsync($"/api/v1/lotteries/{lottery}/fairness"));
        var seedHash = open.GetProperty("seedHash").GetString()!;
        Assert.Equal((JsonValueKind.Null, false), (open.GetProperty("seed").ValueKind, open.GetProperty("closed").GetBoolean()));
        await AssertProblemAsync(await anonymous.GetAsync($"/api/v1/lotteries/{lottery}/draws"), 409, "conflict");

        var closing = await admin.PostAsync($"/api/v1/admin/lotteries/{lottery}/close", null);
        Assert.Equal(HttpStatusCode.OK, closing.StatusCode);
        Assert.Equal("ended", (await JsonAsync(closing)).GetProperty("status").GetString());

        var fairness = await JsonAsync(await anonymous.GetAsync($"/api/v1/lotteries/{lottery}/fairness"));
        var seed = fairness.GetProperty("seed").GetString()!;
        Assert.Equal(seedHash, Convert.ToHexStringLower(SHA256.HashData(Convert.FromHexString(seed))));
        var published = await JsonAsync(await anonymous.GetAsync($"/api/v1/lotteries/{lottery}/draws?member={memberId}"));
        var draws = published.GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(3, draws.Length);
        var history = (await JsonAsync(await member.GetAsync("/api/v1/me/draws"))).GetProperty("items").EnumerateArray().ToArray();
        Assert.Equal(history.Select(d => d.GetProperty("drawNumber").GetInt64()), draws.Select(d => d.GetProperty("drawNumber").GetInt64()));
        Assert.All(draws, draw => Assert.Equal(
            LotteryFairness.Value(seed, lottery, memberId, draw.GetProperty("drawNumber").GetInt64()),
            draw.GetProperty("randomValue").GetDouble()));

        await AssertProblemAsync(await DrawAsync(member, lottery), 422, "not_on_sale");
        var reopen = new { name = "Again", cost = 10, endsAt = DateTimeOffset.UtcNow.AddDays(1), tiers = new[] { Tier("一等奖 First", prize, 0.3, 100) } };
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/lotteries/{lottery}", reopen), 409, "conflict");
        member.Dispose();
    }

    [Fact]
    public async Task Operators_read_the_audit_trail_by_member_and_outcome()
    {
        using var admin = await factory.AdminClientAsync();
        var lottery = await CreateLotteryAsync(admin, 0, Tier("Always", null, 1.0, 2, id: "always"));
        var (first, firstClient) = await factory.NewMemberAsync();
        var (second, secondClient) = await factory.NewMemberAsync();
        foreach (var client in new[] { firstClient, secondClient, firstClient })
        {
            Assert.Equal(HttpStatusCode.Created, (await DrawAsync(client, lottery)).StatusCode);
        }

        // The total and the members of the page, newest first.
        async Task<string> TrailAsync(string query)
        {
            var page = await JsonAsync(await admin.GetAsync($"/api/v1/admin/lotteries/{lottery}/draws{query}"));
            return $"{page.GetProperty("total").GetInt32()}: " + string.Join(" ", page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("memberId").GetString()));
        }

        Assert.Equal($"3: {first} {second} {first}", await TrailAsync(""));
        Assert.Equal($"2: {first} {first}", await TrailAsync($"?member={first}"));
        Assert.Equal($"2: {second} {first}", await TrailAsync("?outcome=won"));
        Assert.Equal($"1: {first}", await TrailAsync("?outcome=lost"));
        Assert.Equal($"2: {second} {first}", await TrailAsync("?outcome=always"));
        Assert.Equal($"3: {second}", await TrailAsync("?page=2&pageSize=1"));
        firstClient.Dispose();
        secondClient.Dispose();
    }

    [Fact]
    public async Task A_member_over_the_daily_draw_limit_is_refused_and_keeps_the_points()
    {
        using var admin = await factory.AdminClientAsync();
        var response = await admin.PostAsJsonAsync("/api/v1/admin/lotteries",
            new { name = "Once a day", cost = 10, dailyDrawLimit = 1, tiers = new[] { new { name = "Points", probability = 0.5, stock = 10, bonusPoints = 50 } } });
        await ApiFactory.EnsureAsync(response, "create a lottery with a daily limit");
        var lottery = await JsonAsync(response);
        Assert.Equal((1, 50L), (lottery.GetProperty("dailyDrawLimit").GetInt32(), lottery.GetProperty("tiers")[0].GetProperty("bonusPoints").GetInt64()));
        var id = lottery.GetProperty("id").GetString()!;
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);

        var drawn = await JsonAsync(await DrawAsync(member, id, "once"));
        await AssertProblemAsync(await DrawAsync(member, id, "twice"), 422, "limit_exceeded");

        Assert.Equal(drawn.GetProperty("won").GetBoolean() ? 140 : 90, await BalanceAsync(factory, memberId));
        Assert.Equal(HttpStatusCode.Created, (await DrawAsync(member, id, "once")).StatusCode);
        member.Dispose();
    }

    [Fact]
    public async Task Bad_fairness_and_audit_requests_are_refused_and_change_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        using var anonymous = factory.CreateClient();
        var lottery = await CreateLotteryAsync(admin, 10, Tier("a", null, 0.1, 1));

        await AssertProblemAsync(await admin.GetAsync($"/api/v1/admin/lotteries/{lottery}/draws?member=not%20an%20id"), 400, "validation_failed");
        await AssertProblemAsync(await admin.GetAsync($"/api/v1/admin/lotteries/{lottery}/draws?outcome=won%7C"), 400, "validation_failed");
        await AssertProblemAsync(await admin.GetAsync($"/api/v1/admin/lotteries/{lottery}/draws?pageSize=1000"), 400, "validation_failed");
        await AssertProblemAsync(await admin.GetAsync("/api/v1/admin/lotteries/l-missing/draws"), 404, "not_found");
        await AssertProblemAsync(await admin.PostAsync("/api/v1/admin/lotteries/l-missing/close", null), 404, "not_found");
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/lotteries/l-missing/fairness"), 404, "not_found");
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/lotteries/l-missing/draws"), 404, "not_found");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/lotteries",
            new { name = "Bad limit", cost = 10, dailyDrawLimit = 0, tiers = new[] { Tier("a", null, 0.1, 1) } }), 400, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/lotteries",
            new { name = "Bad bonus", cost = 10, tiers = new[] { new { name = "a", probability = 0.1, stock = 1, bonusPoints = -5 } } }), 400, "validation_failed");

        var unchanged = await JsonAsync(await anonymous.GetAsync($"/api/v1/lotteries/{lottery}"));
        Assert.Equal(("active", JsonValueKind.Null), (unchanged.GetProperty("status").GetString(), unchanged.GetProperty("seed").ValueKind));
    }
}

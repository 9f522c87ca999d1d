using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Support;
using PointsMall.Contracts.Lottery;
using PointsMall.Contracts.Orders;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;

namespace PointsMall.Api.Tests.Lottery;

public sealed class LotteryApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task An_admin_creates_a_lottery_that_shoppers_list_and_read_with_remaining_stock_per_tier()
    {
        using var admin = await factory.AdminClientAsync();
        var prize = await PrizeProductAsync(factory);
        var id = await CreateLotteryAsync(admin, 30, Tier("一等奖 First", prize, 0.1, 2), Tier("二等奖 Second", prize, 0.2, 5));
        using var anonymous = factory.CreateClient();

        var list = await JsonAsync(await anonymous.GetAsync("/api/v1/lotteries"));
        var one = await anonymous.GetAsync($"/api/v1/lotteries/{id}");

        Assert.Contains(list.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetString() == id);
        Assert.Equal(HttpStatusCode.OK, one.StatusCode);
        var lottery = await JsonAsync(one);
        Assert.Equal((30, "active"), (lottery.GetProperty("cost").GetInt64(), lottery.GetProperty("status").GetString()));
        var tiers = lottery.GetProperty("tiers").EnumerateArray().ToArray();
        Assert.Equal([(1, "一等奖 First", 2), (2, "二等奖 Second", 5)],
            tiers.Select(t => (t.GetProperty("tier").GetInt32(), t.GetProperty("name").GetString(), t.GetProperty("remaining").GetInt32())));
        Assert.Equal(0.7, lottery.GetProperty("noPrizeProbability").GetDouble(), 9);
        var adminList = await JsonAsync(await admin.GetAsync("/api/v1/admin/lotteries"));
        Assert.Contains(adminList.GetProperty("items").EnumerateArray(), l => l.GetProperty("id").GetString() == id);
    }

    [Fact]
    public async Task Invalid_lotteries_are_refused_field_by_field()
    {
        using var admin = await factory.AdminClientAsync();
        var prize = await PrizeProductAsync(factory);

        object[] invalid =
        [
            new { name = "Too likely", cost = 10, tiers = new[] { Tier("a", prize, 0.7, 1), Tier("b", prize, 0.4, 1) } },
            new { name = "No tiers", cost = 10, tiers = Array.Empty<object>() },
            new { name = "Negative cost", cost = -1, tiers = new[] { Tier("a", prize, 0.1, 1) } },
            new { name = "", cost = 10, tiers = new[] { Tier("a", prize, 0.1, 1) } },
            new { name = "Unknown prize", cost = 10, tiers = new[] { Tier("a", "p-does-not-exist", 0.1, 1) } },
            new { name = "Bad probability", cost = 10, tiers = new[] { Tier("a", prize, 1.5, 1) } },
            new { name = "Negative stock", cost = 10, tiers = new[] { Tier("a", prize, 0.1, -3) } },
            new { name = "Duplicate tier ids", cost = 10, tiers = new[] { Tier("a", prize, 0.1, 1, "x"), Tier("b", prize, 0.1, 1, "x") } },
            new { name = "Backwards", cost = 10, startsAt = DateTimeOffset.UtcNow, endsAt = DateTimeOffset.UtcNow.AddDays(-1), tiers = new[] { Tier("a", prize, 0.1, 1) } },
        ];

        foreach (var body in invalid)
        {
            await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/lotteries", body), 400, "validation_failed");
        }

        await AssertProblemAsync(await admin.PostAsync("/api/v1/admin/lotteries", new StringContent("{\"name\": 12", System.Text.Encoding.UTF8, "application/json")), 400, "validation_failed");
    }

    [Fact]
    public async Task Admin_lottery_routes_refuse_members_and_anonymous_callers()
    {
        var (_, member) = await factory.NewMemberAsync();
        using var anonymous = factory.CreateClient();
        var body = new { name = "x", cost = 1, tiers = new[] { Tier("a", null, 0.1, 1) } };

        await AssertProblemAsync(await member.GetAsync("/api/v1/admin/lotteries"), 403, "forbidden");
        await AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/admin/lotteries", body), 403, "forbidden");
        await AssertProblemAsync(await member.PutAsJsonAsync("/api/v1/admin/lotteries/any", body), 403, "forbidden");
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/admin/lotteries"), 401, "unauthorized");
        await AssertProblemAsync(await DrawAsync(anonymous, "any"), 401, "unauthorized");
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/me/draws"), 401, "unauthorized");
        member.Dispose();
    }

    [Fact]
    public async Task Unknown_lotteries_are_not_found()
    {
        using var admin = await factory.AdminClientAsync();
        var (_, member) = await factory.NewMemberAsync();
        using var anonymous = factory.CreateClient();

        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/lotteries/l-missing"), 404, "not_found");
        await AssertProblemAsync(await anonymous.GetAsync("/api/v1/lotteries/not%20an%20id"), 404, "not_found");
        await AssertProblemAsync(await DrawAsync(member, "l-missing"), 404, "not_found");
        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/lotteries/l-missing", new { name = "x", cost = 1, tiers = new[] { Tier("a", null, 0.1, 1) } }), 404, "not_found");
        member.Dispose();
    }

    [Fact]
    public async Task A_win_spends_the_cost_and_creates_a_zero_cost_prize_order_the_member_can_read()
    {
        using var admin = await factory.AdminClientAsync();
        var prize = await PrizeProductAsync(factory, "小米手环 Mi Band");
        var lottery = await CreateLotteryAsync(admin, 40, Tier("一等奖 First", prize, 1.0, 3));
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);

        var response = await DrawAsync(member, lottery, "draw-1");

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var draw = await JsonAsync(response);
        Assert.True(draw.GetProperty("won").GetBoolean());
        Assert.Equal((1, "一等奖 First", "小米手环 Mi Band", 40L),
            (draw.GetProperty("tier").GetInt32(), draw.GetProperty("tierName").GetString(), draw.GetProperty("prizeName").GetString(), draw.GetProperty("pointsSpent").GetInt64()));
        Assert.Equal(60, await BalanceAsync(factory, memberId));
        var orderId = draw.GetProperty("orderId").GetString()!;
        var order = await factory.Grains().GetGrain<IOrderGrain>(orderId).GetAsync();
        Assert.NotNull(order);
        Assert.Equal((memberId, prize, 0L), (order.MemberId, order.ProductId, order.Points));
        var visible = await member.GetAsync($"/api/v1/orders/{orderId}");
        Assert.Equal(HttpStatusCode.OK, visible.StatusCode);
        Assert.Equal(orderId, (await JsonAsync(visible)).GetProperty("id").GetString());
        Assert.Equal(2, (await JsonAsync(await member.GetAsync($"/api/v1/lotteries/{lottery}"))).GetProperty("tiers")[0].GetProperty("remaining").GetInt32());
        member.Dispose();
    }

    [Fact]
    public async Task A_member_without_enough_points_is_refused_and_keeps_the_balance()
    {
        using var admin = await factory.AdminClientAsync();
        var lottery = await CreateLotteryAsync(admin, 500, Tier("a", await PrizeProductAsync(factory), 1.0, 3));
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);

        await AssertProblemAsync(await DrawAsync(member, lottery), 409, "insufficient_points");

        Assert.Equal(100, await BalanceAsync(factory, memberId));
        Assert.Equal(0, (await JsonAsync(await member.GetAsync("/api/v1/me/draws"))).GetProperty("total").GetInt32());
        Assert.Equal(3, (await JsonAsync(await member.GetAsync($"/api/v1/lotteries/{lottery}"))).GetProperty("tiers")[0].GetProperty("remaining").GetInt32());
        member.Dispose();
    }

    [Fact]
    public async Task A_sold_out_tier_is_never_won()
    {
        using var admin = await factory.AdminClientAsync();
        var lottery = await CreateLotteryAsync(admin, 10, Tier("only one", await PrizeProductAsync(factory), 1.0, 1));
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);

        var outcomes = new List<JsonElement>();
        for (var i = 0; i < 4; i++)
        {
            var response = await DrawAsync(member, lottery);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            outcomes.Add(await JsonAsync(response));
        }

        Assert.Single(outcomes, o => o.GetProperty("won").GetBoolean());
        Assert.True(outcomes[0].GetProperty("won").GetBoolean());
        Assert.All(outcomes.Skip(1), o => Assert.Equal(JsonValueKind.Null, o.GetProperty("orderId").ValueKind));
        var view = await JsonAsync(await member.GetAsync($"/api/v1/lotteries/{lottery}"));
        Assert.Equal((0, 4L, 1L), (view.GetProperty("tiers")[0].GetProperty("remaining").GetInt32(), view.GetProperty("draws").GetInt64(), view.GetProperty("wins").GetInt64()));
        Assert.Equal(60, await BalanceAsync(factory, memberId));
        member.Dispose();
    }

    [Fact]
    public async Task The_same_idempotency_key_sent_concurrently_draws_and_deducts_once()
    {
        using var admin = await factory.AdminClientAsync();
        var lottery = await CreateLotteryAsync(admin, 25, Tier("a", await PrizeProductAsync(factory), 0.5, 100));
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);

        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ => DrawAsync(member, lottery, "same-key")));
        var draws = await Task.WhenAll(responses.Select(JsonAsync));

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        Assert.Single(draws.Select(d => d.GetProperty("drawId").GetString()).Distinct());
        Assert.Single(draws.Select(d => (d.GetProperty("won").GetBoolean(), d.GetProperty("randomValue").GetDouble())).Distinct());
        Assert.Single(draws, d => !d.GetProperty("replayed").GetBoolean());
        Assert.Equal(75, await BalanceAsync(factory, memberId));
        Assert.Equal(1, (await JsonAsync(await member.GetAsync($"/api/v1/lotteries/{lottery}"))).GetProperty("draws").GetInt64());
        Assert.Equal(DrawIds.For(memberId, "same-key"), draws[0].GetProperty("drawId").GetString());

        // Later, the same key still answers the first draw.
        var again = await JsonAsync(await DrawAsync(member, lottery, "same-key"));
        Assert.Equal(draws[0].GetProperty("randomValue").GetDouble(), again.GetProperty("randomValue").GetDouble());
        Assert.Equal(75, await BalanceAsync(factory, memberId));
        member.Dispose();
    }

    [Fact]
    public async Task Idempotency_keys_are_scoped_per_member_and_validated()
    {
        using var admin = await factory.AdminClientAsync();
        var prize = await PrizeProductAsync(factory);
        var lottery = await CreateLotteryAsync(admin, 10, Tier("a", prize, 0.5, 100));
        var other = await CreateLotteryAsync(admin, 10, Tier("a", prize, 0.5, 100));
        var (aId, a) = await factory.NewMemberAsync();
        var (bId, b) = await factory.NewMemberAsync();
        await GrantAsync(factory, aId, 100);
        await GrantAsync(factory, bId, 100);

        var drawA = await JsonAsync(await DrawAsync(a, lottery, "k-1"));
        var drawB = await JsonAsync(await DrawAsync(b, lottery, "k-1"));

        Assert.NotEqual(drawA.GetProperty("drawId").GetString(), drawB.GetProperty("drawId").GetString());
        Assert.Equal((90L, 90L), (await BalanceAsync(factory, aId), await BalanceAsync(factory, bId)));
        await AssertProblemAsync(await DrawAsync(a, other, "k-1"), 409, "conflict");
        await AssertProblemAsync(await DrawAsync(a, lottery, new string('k', 101)), 400, "validation_failed");
        await AssertProblemAsync(await DrawAsync(a, lottery, "two words"), 400, "validation_failed");
        Assert.Equal(90, await BalanceAsync(factory, aId));
        a.Dispose();
        b.Dispose();
    }

    [Fact]
    public async Task The_draw_history_is_the_members_own_newest_first_and_paged()
    {
        using var admin = await factory.AdminClientAsync();
        var lottery = await CreateLotteryAsync(admin, 5, Tier("a", await PrizeProductAsync(factory), 0.5, 100));
        var (memberId, member) = await factory.NewMemberAsync();
        var (_, stranger) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);
        var ids = new List<string>();
        foreach (var key in new[] { "h-1", "h-2", "h-3" })
        {
            ids.Add((await JsonAsync(await DrawAsync(member, lottery, key))).GetProperty("drawId").GetString()!);
        }

        var first = await JsonAsync(await member.GetAsync("/api/v1/me/draws?page=1&pageSize=2"));
        var second = await JsonAsync(await member.GetAsync("/api/v1/me/draws?page=2&pageSize=2"));

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal([ids[2], ids[1]], first.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("drawId").GetString()));
        Assert.Equal([ids[0]], second.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("drawId").GetString()));
        Assert.Equal((lottery, 5L), (first.GetProperty("items")[0].GetProperty("lotteryId").GetString(), first.GetProperty("items")[0].GetProperty("pointsSpent").GetInt64()));
        Assert.Equal(0, (await JsonAsync(await stranger.GetAsync("/api/v1/me/draws"))).GetProperty("total").GetInt32());
        await AssertProblemAsync(await member.GetAsync("/api/v1/me/draws?page=0"), 400, "validation_failed");
        await AssertProblemAsync(await member.GetAsync("/api/v1/me/draws?pageSize=1000"), 400, "validation_failed");
        member.Dispose();
        stranger.Dispose();
    }

    [Fact]
    public async Task An_admin_update_changes_the_cost_and_keeps_remaining_stock_and_a_lottery_not_started_refuses_draws()
    {
        using var admin = await factory.AdminClientAsync();
        var prize = await PrizeProductAsync(factory);
        var lottery = await CreateLotteryAsync(admin, 10, Tier("a", prize, 1.0, 5, "a"));
        var (memberId, member) = await factory.NewMemberAsync();
        await GrantAsync(factory, memberId, 100);
        Assert.Equal(HttpStatusCode.Created, (await DrawAsync(member, lottery)).StatusCode);

        var updated = await admin.PutAsJsonAsync($"/api/v1/admin/lotteries/{lottery}", new { name = "涨价 Dearer", cost = 30, tiers = new[] { Tier("a", prize, 1.0, 5, "a") } });

        Assert.Equal(HttpStatusCode.OK, updated.StatusCode);
        var view = await JsonAsync(updated);
        Assert.Equal((30L, 2, 4), (view.GetProperty("cost").GetInt64(), view.GetProperty("version").GetInt32(), view.GetProperty("tiers")[0].GetProperty("remaining").GetInt32()));
        var draw = await JsonAsync(await DrawAsync(member, lottery));
        Assert.Equal(30, draw.GetProperty("pointsSpent").GetInt64());
        Assert.Equal(100 - 10 - 30, await BalanceAsync(factory, memberId));
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/lotteries/{lottery}", new { name = "x", cost = 30, tiers = new[] { Tier("a", prize, 2.0, 5) } }), 400, "validation_failed");

        var later = await admin.PostAsJsonAsync("/api/v1/admin/lotteries", new { name = "Next week", cost = 1, startsAt = DateTimeOffset.UtcNow.AddDays(7), tiers = new[] { Tier("a", prize, 0.5, 5) } });
        var laterId = (await JsonAsync(later)).GetProperty("id").GetString()!;
        Assert.Equal("upcoming", (await JsonAsync(await member.GetAsync($"/api/v1/lotteries/{laterId}"))).GetProperty("status").GetString());
        await AssertProblemAsync(await DrawAsync(member, laterId), 422, "not_on_sale");
        Assert.Equal(60, await BalanceAsync(factory, memberId));
        member.Dispose();
    }

    [Fact]
    public async Task Creating_a_lottery_with_a_taken_id_is_a_conflict()
    {
        using var admin = await factory.AdminClientAsync();
        var body = new { id = "l-fixed-" + Guid.NewGuid().ToString("n")[..6], name = "Fixed", cost = 1, tiers = new[] { Tier("a", null, 0.5, 5) } };

        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsJsonAsync("/api/v1/admin/lotteries", body)).StatusCode);
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/lotteries", body), 409, "conflict");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/lotteries", body with { id = "bad id!" }), 400, "validation_failed");
    }
}

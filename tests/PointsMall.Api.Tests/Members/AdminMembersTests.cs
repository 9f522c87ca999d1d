using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Members.MembersApi;

namespace PointsMall.Api.Tests.Members;

public sealed class AdminMembersTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData("GET", "/api/v1/admin/members")]
    [InlineData("GET", "/api/v1/admin/members/m-1")]
    [InlineData("GET", "/api/v1/admin/members/m-1/points")]
    [InlineData("POST", "/api/v1/admin/members/m-1/points")]
    [InlineData("POST", "/api/v1/admin/members/bulk")]
    [InlineData("POST", "/api/v1/admin/earn")]
    public async Task Admin_member_routes_refuse_members_with_forbidden_and_anonymous_callers_with_unauthorized(string method, string url)
    {
        var (_, member) = await api.NewMemberAsync();
        object? body = method == "GET" ? null : new { amount = 100, reason = "x", count = 1, memberId = "m-1", purchaseAmount = 10, reference = "r" };

        await ProblemAsync(await SendJsonAsync(member, new HttpMethod(method), url, body), HttpStatusCode.Forbidden, "forbidden");
        await ProblemAsync(await SendJsonAsync(api.CreateClient(), new HttpMethod(method), url, body), HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Theory]
    [InlineData("%20")]
    [InlineData("%09")]
    [InlineData("a%2Fb")]
    [InlineData("%E4%B8%AD")]
    public async Task A_blank_or_odd_member_id_is_not_found_on_every_admin_member_route(string id)
    {
        using var admin = await api.AdminClientAsync();

        foreach (var url in new[] { $"/api/v1/admin/members/{id}", $"/api/v1/admin/members/{id}/points" })
        {
            var response = await admin.GetAsync(new Uri(url, UriKind.Relative));
            Assert.True(response.StatusCode == HttpStatusCode.NotFound, $"{url} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Fact]
    public async Task A_grant_and_a_deduction_change_the_balance_and_appear_in_the_members_ledger()
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();

        var granted = await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = 1000, reason = "客服补偿" }));
        var deducted = await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = -300, reason = "误发回收" }));

        Assert.Equal(1000, granted.GetProperty("balance").GetInt64());
        Assert.Equal(700, deducted.GetProperty("balance").GetInt64());
        Assert.Equal(700, await BalanceAsync(member));
        var ledger = Items(await JsonAsync(await member.GetAsync("/api/v1/me/points"))).ToList();
        Assert.Equal([-300L, 1000L], ledger.Select(e => e.GetProperty("amount").GetInt64()));
        Assert.Equal(["误发回收", "客服补偿"], ledger.Select(e => e.GetProperty("reason").GetString()));
        Assert.All(ledger, e => Assert.Equal("adjust", e.GetProperty("kind").GetString()));

        var detail = await JsonAsync(await admin.GetAsync($"/api/v1/admin/members/{memberId}"));
        Assert.Equal(700, detail.GetProperty("member").GetProperty("balance").GetInt64());
        Assert.True(detail.GetProperty("reconciles").GetBoolean());
        Assert.Equal(2, (await JsonAsync(await admin.GetAsync($"/api/v1/admin/members/{memberId}/points"))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task A_deduction_below_zero_is_refused_with_insufficient_points_and_changes_nothing()
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();
        await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = 100, reason = "grant" }));

        var refused = await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = -101, reason = "too much" });

        await ProblemAsync(refused, HttpStatusCode.Conflict, "insufficient_points");
        Assert.Equal(100, await BalanceAsync(member));
        Assert.Equal(1, (await JsonAsync(await member.GetAsync("/api/v1/me/points"))).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task An_adjustment_repeated_with_its_operation_id_applies_once()
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();
        var body = new { amount = 500, reason = "活动奖励", operationId = "campaign-42" };

        var first = await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", body));
        var retry = await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", body));

        Assert.False(first.GetProperty("replayed").GetBoolean());
        Assert.True(retry.GetProperty("replayed").GetBoolean());
        Assert.Equal(500, retry.GetProperty("balance").GetInt64());
        Assert.Equal(500, await BalanceAsync(member));
    }

    [Theory]
    [InlineData("{\"amount\":0,\"reason\":\"r\"}")]
    [InlineData("{\"amount\":100}")]
    [InlineData("{\"amount\":100,\"reason\":\"   \"}")]
    [InlineData("{\"amount\":1000000000,\"reason\":\"r\"}")]
    [InlineData("{\"amount\":100,\"reason\":\"r\",\"operationId\":\"has space\"}")]
    [InlineData("{\"amount\":\"lots\",\"reason\":\"r\"}")]
    [InlineData("{\"amount\":1.5,\"reason\":\"r\"}")]
    [InlineData("{\"amount\":")]
    public async Task Invalid_adjustments_are_validation_problems(string json)
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();

        await ProblemAsync(await SendRawAsync(admin, HttpMethod.Post, $"/api/v1/admin/members/{memberId}/points", json), HttpStatusCode.BadRequest, "validation_failed");
        Assert.Equal(0, await BalanceAsync(member));
    }

    [Fact]
    public async Task Unknown_members_are_not_found()
    {
        var admin = await api.AdminClientAsync();

        await ProblemAsync(await admin.GetAsync("/api/v1/admin/members/m-nobody"), HttpStatusCode.NotFound, "not_found");
        await ProblemAsync(await admin.GetAsync("/api/v1/admin/members/m-nobody/points"), HttpStatusCode.NotFound, "not_found");
        await ProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/members/m-nobody/points", new { amount = 5, reason = "r" }), HttpStatusCode.NotFound, "not_found");
        await ProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/earn", new { memberId = "m-nobody", purchaseAmount = 100, reference = "o-1" }), HttpStatusCode.NotFound, "not_found");
    }

    [Fact]
    public async Task The_member_search_finds_members_by_phone_name_email_and_id_with_live_balances()
    {
        var admin = await api.AdminClientAsync();
        var client = api.CreateClient();
        var phone = $"137{Random.Shared.Next(10_000_000, 99_999_999)}";
        var email = $"search-{Guid.NewGuid():n}@example.com";
        var register = await client.PostAsJsonAsync("/api/v1/auth/register", new { phone, email, password = "member-password-1", displayName = "搜索测试员" });
        var memberId = (await JsonAsync(register, HttpStatusCode.Created)).GetProperty("memberId").GetString()!;
        await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = 42, reason = "r" }));

        var byPhone = await SearchUntilAsync(admin, $"/api/v1/admin/members?q={phone}", p => Items(p).Any(i => i.GetProperty("id").GetString() == memberId), "the member by phone");
        var byEmail = await JsonAsync(await admin.GetAsync($"/api/v1/admin/members?q={Uri.EscapeDataString(email.ToUpperInvariant())}"));
        var byName = await JsonAsync(await admin.GetAsync($"/api/v1/admin/members?q={Uri.EscapeDataString("搜索测试")}"));
        var byId = await JsonAsync(await admin.GetAsync($"/api/v1/admin/members?q={memberId}"));
        var nobody = await JsonAsync(await admin.GetAsync("/api/v1/admin/members?q=no-such-member-anywhere"));

        var found = Assert.Single(Items(byPhone));
        Assert.Equal(42, found.GetProperty("balance").GetInt64());
        Assert.Equal("Regular", found.GetProperty("tier").GetString());
        Assert.Equal(email, found.GetProperty("email").GetString());
        Assert.Equal(memberId, Assert.Single(Items(byEmail)).GetProperty("id").GetString());
        Assert.Contains(Items(byName), i => i.GetProperty("id").GetString() == memberId);
        Assert.Equal(memberId, Assert.Single(Items(byId)).GetProperty("id").GetString());
        Assert.Equal(0, nobody.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task The_member_list_pages_through_everyone_without_repeats()
    {
        var admin = await api.AdminClientAsync();
        var bulk = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/members/bulk", new { count = 7, startingPoints = 0, displayNamePrefix = "翻页" }));
        var ids = bulk.GetProperty("members").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToHashSet();

        await SearchUntilAsync(admin, "/api/v1/admin/members?q=翻页&pageSize=100", p => p.GetProperty("total").GetInt32() == 7, "the 7 bulk members");
        var seen = new List<string?>();
        for (var page = 1; page <= 3; page++)
        {
            var result = await JsonAsync(await admin.GetAsync($"/api/v1/admin/members?q=翻页&page={page}&pageSize=3"));
            Assert.Equal(7, result.GetProperty("total").GetInt32());
            seen.AddRange(Items(result).Select(i => i.GetProperty("id").GetString()));
        }

        Assert.Equal(7, seen.Count);
        Assert.True(ids.SetEquals(seen));
    }

    [Theory]
    [InlineData("/api/v1/admin/members?pageSize=0")]
    [InlineData("/api/v1/admin/members?pageSize=101")]
    [InlineData("/api/v1/admin/members?page=-1")]
    [InlineData("/api/v1/admin/members?page=x")]
    [InlineData("/api/v1/admin/members?page=501")]
    public async Task Invalid_searches_are_validation_problems(string url)
    {
        var admin = await api.AdminClientAsync();

        await ProblemAsync(await admin.GetAsync(url), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Bulk_members_get_their_starting_points_and_tokens_the_api_accepts_as_members()
    {
        var admin = await api.AdminClientAsync();

        var bulk = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/members/bulk", new { count = 25, startingPoints = 500 }));

        var members = bulk.GetProperty("members").EnumerateArray().ToList();
        Assert.Equal(25, members.Count);
        Assert.Equal(25, members.Select(m => m.GetProperty("id").GetString()).Distinct().Count());
        foreach (var m in members.Take(3))
        {
            var client = WithToken(api, m.GetProperty("accessToken").GetString()!);
            var me = await JsonAsync(await client.GetAsync("/api/v1/me"));
            Assert.Equal(m.GetProperty("id").GetString(), me.GetProperty("id").GetString());
            Assert.Equal(500, me.GetProperty("balance").GetInt64());
            Assert.Equal("Regular", me.GetProperty("tier").GetString());
            await JsonAsync(await client.PostAsync("/api/v1/me/sign-in", null));
            await ProblemAsync(await client.GetAsync("/api/v1/admin/members"), HttpStatusCode.Forbidden, "forbidden");
        }

        var detail = await JsonAsync(await admin.GetAsync($"/api/v1/admin/members/{members[0].GetProperty("id").GetString()}"));
        Assert.True(detail.GetProperty("provisioned").GetBoolean());
        Assert.True(detail.GetProperty("reconciles").GetBoolean());
    }

    [Fact]
    public async Task Bulk_members_can_be_opened_with_a_default_shipping_address()
    {
        var admin = await api.AdminClientAsync();
        var address = new { recipient = "王五", phone = "13700000007", region = "浙江省 杭州市 西湖区", detail = "文三路 7 号" };

        var bulk = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/members/bulk", new { count = 2, startingPoints = 0, shippingAddress = address }));

        foreach (var m in bulk.GetProperty("members").EnumerateArray())
        {
            var addresses = await JsonAsync(await WithToken(api, m.GetProperty("accessToken").GetString()!).GetAsync("/api/v1/me/addresses"));
            var only = Assert.Single(addresses.EnumerateArray());
            Assert.Equal(("王五", "文三路 7 号", true), (only.GetProperty("recipient").GetString(), only.GetProperty("detail").GetString(), only.GetProperty("isDefault").GetBoolean()));
        }

        var invalid = await ProblemAsync(
            await admin.PostAsJsonAsync("/api/v1/admin/members/bulk", new { count = 2, shippingAddress = address with { phone = "12345" } }), HttpStatusCode.BadRequest, "validation_failed");
        Assert.True(invalid.GetProperty("errors").TryGetProperty("shippingAddress.phone", out _), invalid.ToString());
    }

    [Theory]
    [InlineData("{\"count\":0}")]
    [InlineData("{\"count\":10001}")]
    [InlineData("{\"count\":5,\"startingPoints\":-1}")]
    [InlineData("{\"count\":\"many\"}")]
    [InlineData("{\"count\":5,\"displayNamePrefix\":\"\"}")]
    public async Task Invalid_bulk_requests_are_validation_problems(string json)
    {
        var admin = await api.AdminClientAsync();

        await ProblemAsync(await SendRawAsync(admin, HttpMethod.Post, "/api/v1/admin/members/bulk", json), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task A_purchase_earns_by_the_programme_ratio_once_per_reference()
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();
        var purchase = new { memberId, purchaseAmount = 258.50m, reference = "POS-20261122-0001" };

        var first = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/earn", purchase));
        var retry = await JsonAsync(await admin.PostAsJsonAsync("/api/v1/admin/earn", purchase));

        // ¥10 → 1 point, floored: ¥258.50 → 25.
        Assert.Equal(25, first.GetProperty("pointsAwarded").GetInt64());
        Assert.False(first.GetProperty("replayed").GetBoolean());
        Assert.True(retry.GetProperty("replayed").GetBoolean());
        Assert.Equal(25, await BalanceAsync(member));
        var entry = Assert.Single(Items(await JsonAsync(await member.GetAsync("/api/v1/me/points"))));
        Assert.Equal("purchase", entry.GetProperty("source").GetString());
        Assert.Equal(25, (await JsonAsync(await member.GetAsync("/api/v1/me"))).GetProperty("lifetimeEarned").GetInt64());
    }

    [Theory]
    [InlineData("{\"memberId\":\"m-1\",\"purchaseAmount\":0,\"reference\":\"r\"}")]
    [InlineData("{\"memberId\":\"m-1\",\"purchaseAmount\":-5,\"reference\":\"r\"}")]
    [InlineData("{\"memberId\":\"m-1\",\"purchaseAmount\":10.005,\"reference\":\"r\"}")]
    [InlineData("{\"memberId\":\"m-1\",\"purchaseAmount\":100}")]
    [InlineData("{\"purchaseAmount\":100,\"reference\":\"r\"}")]
    [InlineData("{\"memberId\":\"m-1\",\"purchaseAmount\":\"a lot\",\"reference\":\"r\"}")]
    public async Task Invalid_purchases_are_validation_problems(string json)
    {
        var admin = await api.AdminClientAsync();

        await ProblemAsync(await SendRawAsync(admin, HttpMethod.Post, "/api/v1/admin/earn", json), HttpStatusCode.BadRequest, "validation_failed");
    }
}

public sealed class MemberIsolationTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_member_never_sees_or_changes_another_members_data()
    {
        var (aliceId, alice) = await api.NewMemberAsync();
        var (bobId, bob) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();
        await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{bobId}/points", new { amount = 777, reason = "bob only" }));
        var bobsAddress = await JsonAsync(
            await bob.PostAsJsonAsync("/api/v1/me/addresses", new { recipient = "Bob", phone = "13800000001", region = "上海市 浦东新区", detail = "世纪大道 1 号" }),
            HttpStatusCode.Created);
        var bobsAddressId = bobsAddress.GetProperty("id").GetString();

        var aliceMe = await JsonAsync(await alice.GetAsync("/api/v1/me"));
        var aliceLedger = await JsonAsync(await alice.GetAsync("/api/v1/me/points"));
        var aliceAddresses = await JsonAsync(await alice.GetAsync("/api/v1/me/addresses"));
        var deleteBobs = await alice.DeleteAsync($"/api/v1/me/addresses/{bobsAddressId}");
        var replaceBobs = await alice.PutAsJsonAsync($"/api/v1/me/addresses/{bobsAddressId}", new { recipient = "Eve", phone = "13800000002", region = "上海市", detail = "x" });

        Assert.Equal(aliceId, aliceMe.GetProperty("id").GetString());
        Assert.Equal(0, aliceMe.GetProperty("balance").GetInt64());
        Assert.Equal(0, aliceLedger.GetProperty("total").GetInt32());
        Assert.Equal(0, aliceAddresses.GetArrayLength());
        await ProblemAsync(deleteBobs, HttpStatusCode.NotFound, "not_found");
        await ProblemAsync(replaceBobs, HttpStatusCode.NotFound, "not_found");

        var bobsView = await JsonAsync(await bob.GetAsync("/api/v1/me/addresses"));
        Assert.Equal("Bob", Assert.Single(bobsView.EnumerateArray()).GetProperty("recipient").GetString());
        Assert.Equal(777, await BalanceAsync(bob));
    }
}

using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Members.MembersApi;

namespace PointsMall.Api.Tests.Members;

public sealed class MeTests(ApiFactory api) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Me_shows_the_callers_own_profile_balance_and_the_way_to_the_next_tier()
    {
        var (memberId, member) = await api.NewMemberAsync();

        var me = await JsonAsync(await member.GetAsync("/api/v1/me"));

        Assert.Equal(memberId, me.GetProperty("id").GetString());
        Assert.Equal("测试会员", me.GetProperty("displayName").GetString());
        Assert.StartsWith("+86139", me.GetProperty("phone").GetString(), StringComparison.Ordinal);
        Assert.Equal(0, me.GetProperty("balance").GetInt64());
        Assert.Equal("Regular", me.GetProperty("tier").GetString());
        Assert.Equal("Silver", me.GetProperty("nextTier").GetString());
        Assert.Equal(1000, me.GetProperty("pointsToNextTier").GetInt64());
        Assert.False(me.GetProperty("signedInToday").GetBoolean());
    }

    [Fact]
    public async Task A_member_changes_the_password_with_the_current_one_and_signs_in_again_with_the_new()
    {
        var (_, member) = await api.NewMemberAsync("member-password-1");
        var phone = (await JsonAsync(await member.GetAsync("/api/v1/me"))).GetProperty("phone").GetString()!;

        await Problems.AssertAsync(await member.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = "wrong-one", newPassword = "member-password-2" }),
            HttpStatusCode.UnprocessableEntity, "wrong_password");
        await Problems.AssertAsync(await member.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = "member-password-1", newPassword = "short" }),
            HttpStatusCode.BadRequest, "validation_failed");

        var changed = await member.PostAsJsonAsync("/api/v1/me/password", new { currentPassword = "member-password-1", newPassword = "member-password-2" });

        Assert.Equal(HttpStatusCode.NoContent, changed.StatusCode);
        await Problems.AssertAsync(await member.GetAsync("/api/v1/me"), HttpStatusCode.Unauthorized, "unauthorized");
        using var fresh = api.CreateClient();
        await Problems.AssertAsync(await fresh.PostAsJsonAsync("/api/v1/auth/login", new { login = phone, password = "member-password-1" }), HttpStatusCode.Unauthorized, "unauthorized");
        await ApiFactory.SignInAsync(fresh, phone, "member-password-2");
        Assert.Equal(HttpStatusCode.OK, (await fresh.GetAsync("/api/v1/me")).StatusCode);
    }

    [Theory]
    [InlineData("GET", "/api/v1/me")]
    [InlineData("GET", "/api/v1/me/points")]
    [InlineData("GET", "/api/v1/me/points/expiring")]
    [InlineData("POST", "/api/v1/me/sign-in")]
    [InlineData("GET", "/api/v1/me/sign-in")]
    [InlineData("PUT", "/api/v1/me/profile")]
    [InlineData("GET", "/api/v1/me/addresses")]
    [InlineData("POST", "/api/v1/me/addresses")]
    [InlineData("PUT", "/api/v1/me/addresses/a1")]
    [InlineData("DELETE", "/api/v1/me/addresses/a1")]
    [InlineData("POST", "/api/v1/me/surveys/s1/answers")]
    public async Task Member_routes_without_a_token_are_unauthorized(string method, string url)
    {
        var response = await SendJsonAsync(api.CreateClient(), new HttpMethod(method), url, method is "GET" or "DELETE" ? null : new { });

        await ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task A_garbage_token_is_unauthorized()
    {
        var response = await WithToken(api, "not-a-token").GetAsync("/api/v1/me");

        await ProblemAsync(response, HttpStatusCode.Unauthorized, "unauthorized");
    }

    [Fact]
    public async Task The_ledger_is_paged_newest_first_with_running_balances()
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();
        foreach (var amount in new[] { 100, 200, 300 })
        {
            await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount, reason = $"grant {amount}" }));
        }

        var first = await JsonAsync(await member.GetAsync("/api/v1/me/points?page=1&pageSize=2"));
        var second = await JsonAsync(await member.GetAsync("/api/v1/me/points?page=2&pageSize=2"));

        Assert.Equal(3, first.GetProperty("total").GetInt32());
        Assert.Equal([300L, 200L], Items(first).Select(i => i.GetProperty("amount").GetInt64()));
        Assert.Equal([600L, 300L], Items(first).Select(i => i.GetProperty("balanceAfter").GetInt64()));
        Assert.Equal("grant 300", Items(first).First().GetProperty("reason").GetString());
        Assert.Equal([100L], Items(second).Select(i => i.GetProperty("amount").GetInt64()));
    }

    [Theory]
    [InlineData("/api/v1/me/points?pageSize=0")]
    [InlineData("/api/v1/me/points?pageSize=101")]
    [InlineData("/api/v1/me/points?page=0")]
    [InlineData("/api/v1/me/points?page=abc")]
    [InlineData("/api/v1/me/points/expiring?days=0")]
    [InlineData("/api/v1/me/points/expiring?days=99999")]
    public async Task Out_of_range_paging_and_windows_are_validation_problems(string url)
    {
        var (_, member) = await api.NewMemberAsync();

        await ProblemAsync(await member.GetAsync(url), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Fact]
    public async Task Expiring_points_list_the_lots_that_expire_within_the_window_and_their_total()
    {
        var (memberId, member) = await api.NewMemberAsync();
        var admin = await api.AdminClientAsync();
        await JsonAsync(await admin.PostAsJsonAsync($"/api/v1/admin/members/{memberId}/points", new { amount = 250, reason = "welcome" }));

        // The default policy expires a lot 12 months after it is earned.
        var soon = await JsonAsync(await member.GetAsync("/api/v1/me/points/expiring?days=30"));
        var withinTheYear = await JsonAsync(await member.GetAsync("/api/v1/me/points/expiring?days=400"));

        Assert.Equal(0, soon.GetProperty("total").GetInt64());
        Assert.Equal(250, withinTheYear.GetProperty("total").GetInt64());
        var lot = Assert.Single(Items(withinTheYear));
        Assert.Equal(250, lot.GetProperty("amount").GetInt64());
        Assert.True(lot.GetProperty("expiresAt").GetDateTimeOffset() > lot.GetProperty("earnedAt").GetDateTimeOffset().AddDays(300));
    }

    [Fact]
    public async Task Signing_in_twice_a_day_pays_once_and_the_calendar_shows_the_day()
    {
        var (_, member) = await api.NewMemberAsync();

        var first = await JsonAsync(await member.PostAsync("/api/v1/me/sign-in", null));
        var second = await member.PostAsync("/api/v1/me/sign-in", null);
        var calendar = await JsonAsync(await member.GetAsync("/api/v1/me/sign-in"));

        Assert.Equal(1, first.GetProperty("streakDay").GetInt32());
        Assert.Equal(5, first.GetProperty("pointsAwarded").GetInt64());
        Assert.Equal(5, first.GetProperty("balance").GetInt64());
        var refusal = await ProblemAsync(second, HttpStatusCode.Conflict, "conflict");
        Assert.Equal("already_signed_in", refusal.GetProperty("reason").GetString());
        Assert.Equal(5, await BalanceAsync(member));

        Assert.True(calendar.GetProperty("signedInToday").GetBoolean());
        Assert.Equal(1, calendar.GetProperty("streak").GetInt32());
        var today = calendar.GetProperty("today").GetString();
        Assert.Equal([today], calendar.GetProperty("days").EnumerateArray().Select(d => d.GetString()));
        Assert.Equal([5L, 8L, 12L, 17L, 23L, 30L, 38L], calendar.GetProperty("ladder").EnumerateArray().Select(s => s.GetProperty("points").GetInt64()));
        Assert.Equal(50, calendar.GetProperty("ladder")[6].GetProperty("bonus").GetInt64());
        Assert.Equal(8, calendar.GetProperty("nextPoints").GetInt64());
    }

    [Fact]
    public async Task Profile_changes_are_applied_and_invalid_values_are_refused_per_field()
    {
        var (_, member) = await api.NewMemberAsync();

        var updated = await JsonAsync(await member.PutAsJsonAsync("/api/v1/me/profile", new { displayName = "韩梅梅", gender = "female", birthday = "1995-03-08" }));
        var badGender = await ProblemAsync(await member.PutAsJsonAsync("/api/v1/me/profile", new { gender = "robot" }), HttpStatusCode.BadRequest, "validation_failed");
        await ProblemAsync(await member.PutAsJsonAsync("/api/v1/me/profile", new { displayName = new string('x', 41) }), HttpStatusCode.BadRequest, "validation_failed");
        await ProblemAsync(await member.PutAsJsonAsync("/api/v1/me/profile", new { }), HttpStatusCode.BadRequest, "validation_failed");
        await ProblemAsync(await member.PutAsJsonAsync("/api/v1/me/profile", new { birthday = "2999-01-01" }), HttpStatusCode.BadRequest, "validation_failed");

        Assert.Equal("韩梅梅", updated.GetProperty("displayName").GetString());
        Assert.Equal("female", updated.GetProperty("gender").GetString());
        Assert.Equal("1995-03-08", updated.GetProperty("birthday").GetString());
        Assert.True(badGender.GetProperty("errors").TryGetProperty("gender", out _));
        Assert.Equal("韩梅梅", (await JsonAsync(await member.GetAsync("/api/v1/me"))).GetProperty("displayName").GetString());
    }

    [Fact]
    public async Task Addresses_can_be_added_listed_replaced_and_removed()
    {
        var (_, member) = await api.NewMemberAsync();
        var home = new { recipient = "韩梅梅", phone = "139 0000 0004", province = "广东省", city = "深圳市", district = "南山区", detail = "科技园 1 号", postalCode = "518000" };

        var created = await JsonAsync(await member.PostAsJsonAsync("/api/v1/me/addresses", home), HttpStatusCode.Created);
        var retried = await JsonAsync(await member.PostAsJsonAsync("/api/v1/me/addresses", home), HttpStatusCode.Created);
        var office = await JsonAsync(
            await member.PostAsJsonAsync("/api/v1/me/addresses", new { recipient = "李雷", phone = "13800000000", region = "北京市 朝阳区", detail = "建国路 2 号", isDefault = true }),
            HttpStatusCode.Created);
        var id = created.GetProperty("id").GetString();

        Assert.Equal(id, retried.GetProperty("id").GetString());
        Assert.Equal("广东省", created.GetProperty("province").GetString());
        Assert.Equal("南山区", created.GetProperty("district").GetString());
        Assert.Equal("+8613900000004", created.GetProperty("phone").GetString());
        Assert.Equal("518000", created.GetProperty("postalCode").GetString());
        Assert.True(office.GetProperty("isDefault").GetBoolean());

        var replaced = await JsonAsync(await member.PutAsJsonAsync($"/api/v1/me/addresses/{id}", home with { detail = "科技园 9 号" }));
        Assert.Equal("科技园 9 号", replaced.GetProperty("detail").GetString());
        await ProblemAsync(await member.PutAsJsonAsync("/api/v1/me/addresses/nope", home), HttpStatusCode.NotFound, "not_found");

        var list = await JsonAsync(await member.GetAsync("/api/v1/me/addresses"));
        Assert.Equal(2, list.GetArrayLength());

        Assert.Equal(HttpStatusCode.NoContent, (await member.DeleteAsync($"/api/v1/me/addresses/{id}")).StatusCode);
        await ProblemAsync(await member.DeleteAsync($"/api/v1/me/addresses/{id}"), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(1, (await JsonAsync(await member.GetAsync("/api/v1/me/addresses"))).GetArrayLength());
    }

    [Fact]
    public async Task Invalid_addresses_are_refused_with_the_faulty_fields()
    {
        var (_, member) = await api.NewMemberAsync();

        var problem = await ProblemAsync(
            await member.PostAsJsonAsync("/api/v1/me/addresses", new { recipient = "", phone = "123", detail = "", postalCode = "12" }),
            HttpStatusCode.BadRequest, "validation_failed");

        var errors = problem.GetProperty("errors");
        foreach (var field in new[] { "recipient", "phone", "province", "detail", "postalCode" })
        {
            Assert.True(errors.TryGetProperty(field, out _), $"no error for {field}: {errors}");
        }

        Assert.Equal(0, (await JsonAsync(await member.GetAsync("/api/v1/me/addresses"))).GetArrayLength());
    }

    [Fact]
    public async Task A_member_cannot_report_its_own_task_for_points()
    {
        var (_, member) = await api.NewMemberAsync();

        // Surveys, quizzes and shares are scored or signed by the server's side; nothing takes the member's word.
        await ProblemAsync(await member.PostAsJsonAsync("/api/v1/me/tasks", new { task = "share", reference = "post-1" }), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await BalanceAsync(member));
    }

    [Fact]
    public async Task A_member_registering_through_an_invitation_earns_the_inviter_the_invitation_once()
    {
        var (inviterId, inviter) = await api.NewMemberAsync();
        using var friend = api.CreateClient();
        var phone = $"138{Random.Shared.Next(10_000_000, 99_999_999)}";

        var registered = await friend.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "friend-password-1", displayName = "好友", referredBy = inviterId });
        await ApiFactory.EnsureAsync(registered, "register through the invitation");
        var again = await friend.PostAsJsonAsync("/api/v1/auth/register", new { phone, password = "friend-password-1", displayName = "好友", referredBy = inviterId });
        await ProblemAsync(again, HttpStatusCode.Conflict, "conflict");

        await Orders.ShopKit.EventuallyAsync(async () => await BalanceAsync(inviter) == 50, "the inviter's invitation points");
        var ledger = await JsonAsync(await inviter.GetAsync("/api/v1/me/points"));
        Assert.Single(ledger.GetProperty("items").EnumerateArray(), e => e.GetProperty("reason").GetString() == "InviteMember");
        var inbox = await JsonAsync(await inviter.GetAsync("/api/v1/me/inbox"));
        Assert.Single(inbox.GetProperty("items").EnumerateArray(), m => m.GetProperty("kind").GetString() == "invitation_credited");
    }

    [Theory]
    [InlineData("PUT", "/api/v1/me/profile", "{\"displayName\": ")]
    [InlineData("PUT", "/api/v1/me/profile", "{\"birthday\": 12}")]
    [InlineData("PUT", "/api/v1/me/profile", "{\"birthday\": \"8 March\"}")]
    [InlineData("POST", "/api/v1/me/addresses", "[1,2,3]")]
    [InlineData("POST", "/api/v1/me/addresses", "{\"isDefault\": \"yes\"}")]
    public async Task Malformed_json_and_wrong_types_are_validation_problems_never_server_errors(string method, string url, string json)
    {
        var (_, member) = await api.NewMemberAsync();

        await ProblemAsync(await SendRawAsync(member, new HttpMethod(method), url, json), HttpStatusCode.BadRequest, "validation_failed");
    }
}

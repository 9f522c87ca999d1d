using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using PointsMall.Api.Tests.Orders;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Lottery.LotteryApiKit;

namespace PointsMall.Api.Tests.Messages;

/// <summary>The member's inbox and the operators' announcements, over HTTP.</summary>
public sealed class InboxApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_member_is_told_of_a_prize_in_its_inbox_and_marks_it_read()
    {
        using var admin = await factory.AdminClientAsync();
        var lottery = await CreateLotteryAsync(admin, 0, Tier("Mug", await PrizeProductAsync(factory, "马克杯 Mug"), 1.0, 5));
        var (_, member) = await factory.NewMemberAsync();
        Assert.Equal(HttpStatusCode.Created, (await DrawAsync(member, lottery)).StatusCode);

        JsonElement inbox = default;
        await ShopKit.EventuallyAsync(async () => (inbox = await InboxAsync(member)).GetProperty("unread").GetInt32() > 0, "the prize notice in the inbox");
        var notice = inbox.GetProperty("items").EnumerateArray().Single(m => m.GetProperty("kind").GetString() == "prize_won");
        Assert.Contains("Mug", notice.GetProperty("body").GetString());
        Assert.False(notice.GetProperty("read").GetBoolean());

        var read = await member.PostAsJsonAsync("/api/v1/me/inbox/read", new { ids = new[] { notice.GetProperty("id").GetString() } });
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal(0, (await JsonAsync(read)).GetProperty("unread").GetInt32());
        Assert.Equal(0, (await InboxAsync(member, "?unread=true")).GetProperty("total").GetInt32());
        member.Dispose();
    }

    [Fact]
    public async Task Operators_announce_to_every_member_or_to_some_tiers_and_may_withdraw()
    {
        using var admin = await factory.AdminClientAsync();
        var everyone = await PublishAsync(admin, new { title = "双十一 Singles' day", body = "Double points all week" });
        var diamond = await PublishAsync(admin, new { title = "钻石专享 Diamond only", body = "A private sale", tiers = new[] { "Diamond" } });
        var (_, member) = await factory.NewMemberAsync();

        var seen = (await InboxAsync(member)).GetProperty("items").EnumerateArray().Select(m => m.GetProperty("id").GetString()).ToArray();
        Assert.Contains(everyone, seen);
        Assert.DoesNotContain(diamond, seen);
        var listed = await JsonAsync(await admin.GetAsync("/api/v1/admin/announcements"));
        Assert.Contains(listed.GetProperty("items").EnumerateArray(), a => a.GetProperty("id").GetString() == diamond);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/announcements/{everyone}")).StatusCode);
        Assert.DoesNotContain((await InboxAsync(member)).GetProperty("items").EnumerateArray(), m => m.GetProperty("id").GetString() == everyone);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/announcements/{diamond}")).StatusCode);
        member.Dispose();
    }

    [Fact]
    public async Task Bad_inbox_and_announcement_requests_are_refused_and_change_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        var (_, member) = await factory.NewMemberAsync();
        var before = (await JsonAsync(await admin.GetAsync("/api/v1/admin/announcements"))).GetProperty("items").GetArrayLength();

        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/announcements", new { body = "no title" }), 400, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/announcements", new { title = "x", body = "y", tiers = new[] { "Platinum" } }), 400, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/announcements", new { title = new string('x', 101), body = "y" }), 400, "validation_failed");
        await AssertProblemAsync(await admin.PostAsJsonAsync("/api/v1/admin/announcements",
            new { title = "x", body = "y", expiresAt = DateTimeOffset.UtcNow.AddDays(-1) }), 400, "validation_failed");
        await AssertProblemAsync(await admin.DeleteAsync("/api/v1/admin/announcements/an-missing"), 404, "not_found");
        await AssertProblemAsync(await member.GetAsync("/api/v1/me/inbox?pageSize=51"), 400, "validation_failed");
        await AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/me/inbox/read", new { ids = Enumerable.Range(0, 51).Select(i => $"n-{i}") }), 400, "validation_failed");
        await AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/admin/announcements", new { title = "x", body = "y" }), 403, "forbidden");

        Assert.Equal(before, (await JsonAsync(await admin.GetAsync("/api/v1/admin/announcements"))).GetProperty("items").GetArrayLength());
        member.Dispose();
    }

    private static async Task<JsonElement> InboxAsync(HttpClient member, string query = "")
        => await JsonAsync(await member.GetAsync("/api/v1/me/inbox" + query));

    private static async Task<string> PublishAsync(HttpClient admin, object body)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/announcements", body);
        await ApiFactory.EnsureAsync(response, "publish an announcement");
        return (await JsonAsync(response)).GetProperty("id").GetString()!;
    }
}

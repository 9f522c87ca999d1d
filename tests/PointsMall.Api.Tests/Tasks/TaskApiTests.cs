using System.Net;
using System.Net.Http.Json;
using PointsMall.Api.Tasks;
using PointsMall.Api.Tests.Support;
using Xunit;
using static PointsMall.Api.Tests.Orders.ShopKit;

namespace PointsMall.Api.Tests.Tasks;

/// <summary>Earning the server verifies, over HTTP: quizzes it scores, shares the partner signs.</summary>
public sealed class TaskApiTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly object[] Questions =
    [
        new { text = "1 + 1 = ?", options = new[] { "1", "2", "3" }, answer = 1 },
        new { text = "积分会过期吗？Do points expire?", options = new[] { "会 Yes", "不会 No" }, answer = 0 },
        new { text = "Capital of China?", options = new[] { "上海", "北京" }, answer = 1 },
    ];

    [Fact]
    public async Task A_quiz_pays_what_the_server_scores_once_and_its_ranking_bonus_after_it_ends()
    {
        using var admin = await factory.AdminClientAsync();
        var quiz = await SurveyAsync(admin, new { kind = "quiz", title = "积分知识问答 Points quiz", questions = Questions, points = 5, rankingBonus = new[] { 100L, 50L } });
        var (best, bestClient) = await factory.MemberWithPointsAsync(0);
        var (second, secondClient) = await factory.MemberWithPointsAsync(0);

        // Members never see the correct options.
        var shown = await GetJsonAsync(bestClient, $"/api/v1/surveys/{quiz}");
        Assert.All(shown.GetProperty("questions").EnumerateArray(), q => Assert.Equal(System.Text.Json.JsonValueKind.Null, q.GetProperty("answer").ValueKind));

        var answered = await JsonAsync(await bestClient.PostAsJsonAsync($"/api/v1/me/surveys/{quiz}/answers", new { answers = new[] { 1, 0, 1 } }));
        Assert.Equal((3, 15L, false), (answered.GetProperty("correct").GetInt32(), answered.GetProperty("points").GetInt64(), answered.GetProperty("replayed").GetBoolean()));
        var again = await JsonAsync(await bestClient.PostAsJsonAsync($"/api/v1/me/surveys/{quiz}/answers", new { answers = new[] { 1, 0, 1 } }));
        Assert.True(again.GetProperty("replayed").GetBoolean());
        await ApiFactory.EnsureAsync(await secondClient.PostAsJsonAsync($"/api/v1/me/surveys/{quiz}/answers", new { answers = new[] { 1, 1, 0 } }), "the second member answers");
        Assert.Equal((15L, 5L), (await factory.BalanceAsync(best), await factory.BalanceAsync(second)));

        // The bonus waits for the end: ending the quiz now (its questions stay) lets it be paid, once.
        await AssertProblemAsync(await admin.PostAsync($"/api/v1/admin/surveys/{quiz}/award", null), HttpStatusCode.Conflict, "conflict");
        await ApiFactory.EnsureAsync(await admin.PutAsJsonAsync($"/api/v1/admin/surveys/{quiz}",
            new { kind = "quiz", title = "积分知识问答 Points quiz", questions = Questions, points = 5, rankingBonus = new[] { 100L, 50L }, endsAt = DateTimeOffset.UtcNow }), "end the quiz");
        var award = await JsonAsync(await admin.PostAsync($"/api/v1/admin/surveys/{quiz}/award", null));
        var awardAgain = await JsonAsync(await admin.PostAsync($"/api/v1/admin/surveys/{quiz}/award", null));

        Assert.Equal([best, second], award.GetProperty("items").EnumerateArray().Select(r => r.GetProperty("memberId").GetString()));
        Assert.All(awardAgain.GetProperty("items").EnumerateArray(), r => Assert.True(r.GetProperty("replayed").GetBoolean()));
        Assert.Equal((115L, 55L), (await factory.BalanceAsync(best), await factory.BalanceAsync(second)));
        var (_, late) = await factory.MemberWithPointsAsync(0);
        await AssertProblemAsync(await late.PostAsJsonAsync($"/api/v1/me/surveys/{quiz}/answers", new { answers = new[] { 1, 0, 1 } }), HttpStatusCode.UnprocessableEntity, "not_on_sale");
        bestClient.Dispose();
        secondClient.Dispose();
        late.Dispose();
    }

    [Fact]
    public async Task A_share_earns_only_through_the_partners_signed_callback_once_per_share()
    {
        var (memberId, member) = await factory.MemberWithPointsAsync(0);
        var callback = new ShareCallback(memberId, "share-" + Guid.NewGuid().ToString("n")[..8], "wechat", DateTimeOffset.UtcNow);
        object Body(string signature) => new { callback.MemberId, callback.ShareId, callback.Channel, callback.SharedAt, signature };
        using var partner = factory.CreateClient();

        await AssertProblemAsync(await partner.PostAsJsonAsync("/api/v1/partners/shares", Body(callback.Sign("not-the-secret"))), HttpStatusCode.Unauthorized, "unauthorized");
        Assert.Equal(0, await factory.BalanceAsync(memberId));

        var first = await JsonAsync(await partner.PostAsJsonAsync("/api/v1/partners/shares", Body(callback.Sign(ApiFactory.ShareSecret))));
        var again = await JsonAsync(await partner.PostAsJsonAsync("/api/v1/partners/shares", Body(callback.Sign(ApiFactory.ShareSecret))));

        Assert.Equal((5L, false), (first.GetProperty("pointsAwarded").GetInt64(), first.GetProperty("replayed").GetBoolean()));
        Assert.True(again.GetProperty("replayed").GetBoolean());
        Assert.Equal(5, await factory.BalanceAsync(memberId));

        // A callback about a member that does not exist is not found; one altered after signing does not verify.
        var stranger = callback with { MemberId = "m-nobody" };
        await AssertProblemAsync(await partner.PostAsJsonAsync("/api/v1/partners/shares",
            new { stranger.MemberId, stranger.ShareId, stranger.Channel, stranger.SharedAt, signature = stranger.Sign(ApiFactory.ShareSecret) }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await partner.PostAsJsonAsync("/api/v1/partners/shares",
            new { callback.MemberId, shareId = "share-other", callback.Channel, callback.SharedAt, signature = callback.Sign(ApiFactory.ShareSecret) }), HttpStatusCode.Unauthorized, "unauthorized");
        member.Dispose();
    }

    [Fact]
    public async Task Bad_survey_requests_are_refused_with_stable_codes_and_change_nothing()
    {
        using var admin = await factory.AdminClientAsync();
        var survey = await SurveyAsync(admin, new { kind = "survey", title = "满意度调查 Satisfaction", questions = new[] { new { text = "满意吗？", options = new[] { "满意", "一般", "不满意" } } }, points = 10 });
        var (memberId, member) = await factory.MemberWithPointsAsync(0);

        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/surveys/{survey}", new { kind = "poll", title = "x", questions = Questions }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/surveys/q-bad", new { kind = "quiz", title = "x", questions = new[] { new { text = "?", options = new[] { "a", "b" }, answer = 5 } } }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await admin.PutAsJsonAsync("/api/v1/admin/surveys/s-bad", new { kind = "survey", title = "x", questions = Questions }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await member.PutAsJsonAsync($"/api/v1/admin/surveys/{survey}", new { kind = "survey", title = "x", questions = Questions }), HttpStatusCode.Forbidden, "forbidden");
        await AssertProblemAsync(await member.PostAsJsonAsync($"/api/v1/me/surveys/{survey}/answers", new { answers = new[] { 0, 1 } }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await member.PostAsJsonAsync($"/api/v1/me/surveys/{survey}/answers", new { answers = new[] { 7 } }), HttpStatusCode.BadRequest, "validation_failed");
        await AssertProblemAsync(await member.PostAsJsonAsync("/api/v1/me/surveys/no-such-survey/answers", new { answers = new[] { 0 } }), HttpStatusCode.NotFound, "not_found");
        await AssertProblemAsync(await member.GetAsync("/api/v1/surveys/no-such-survey"), HttpStatusCode.NotFound, "not_found");
        Assert.Equal(0, await factory.BalanceAsync(memberId));

        await ApiFactory.EnsureAsync(await member.PostAsJsonAsync($"/api/v1/me/surveys/{survey}/answers", new { answers = new[] { 2 } }), "answer the survey");
        await AssertProblemAsync(await admin.PutAsJsonAsync($"/api/v1/admin/surveys/{survey}",
            new { kind = "survey", title = "满意度调查 Satisfaction", questions = new[] { new { text = "换个问题？", options = new[] { "是", "否" } } }, points = 10 }), HttpStatusCode.Conflict, "conflict");
        Assert.Equal(10, await factory.BalanceAsync(memberId));
        var mine = await GetJsonAsync(member, "/api/v1/me/surveys");
        Assert.Equal(survey, Assert.Single(mine.GetProperty("items").EnumerateArray()).GetProperty("surveyId").GetString());
        member.Dispose();
    }

    private static async Task<string> SurveyAsync(HttpClient admin, object body)
    {
        var id = "sv-" + Guid.NewGuid().ToString("n")[..10];
        await ApiFactory.EnsureAsync(await admin.PutAsJsonAsync($"/api/v1/admin/surveys/{id}", body), "configure a survey");
        return id;
    }
}

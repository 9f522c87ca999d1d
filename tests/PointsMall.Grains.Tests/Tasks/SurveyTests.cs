using System.Collections.Immutable;
using PointsMall.Contracts.Tasks;
using PointsMall.Domain.Tasks;
using PointsMall.Grains.Tests.Orders;
using PointsMall.Grains.Tests.Support;
using Xunit;
using static PointsMall.Grains.Tests.Orders.OrderTestKit;

namespace PointsMall.Grains.Tests.Tasks;

/// <summary>Surveys and quizzes: the server scores the answers, and each member is paid once per survey.</summary>
public sealed class SurveyTests
{
    private static readonly Survey Quiz = new(SurveyKind.Quiz, "积分问答 Quiz",
    [
        new SurveyQuestion("1 + 1", ["1", "2"], 1),
        new SurveyQuestion("2 + 2", ["4", "5"], 0),
        new SurveyQuestion("3 + 3", ["7", "6"], 1),
    ], 5, [100, 50], null, null);

    [Fact]
    public async Task Two_concurrent_answers_by_one_member_are_scored_and_paid_once()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "quiz-1", Quiz);
        var member = await MemberAsync(silo, "m1", 0);
        var answers = silo.Grain<ISurveyAnswersGrain>("m1");

        var results = await Task.WhenAll(
            answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0, 1])),
            answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [0, 1, 0])));

        Assert.All(results, r => Assert.True(r.Succeeded, r.Refusal?.ToString()));
        Assert.Single(results, r => r.Replayed);
        var paid = Assert.Single(await answers.GetAnsweredSurveysAsync());
        Assert.Equal(paid.Points, await BalanceAsync(member));
        Assert.Equal(1, (await silo.Grain<ISurveyGrain>("quiz-1").GetAsync())!.Answers);
    }

    [Fact]
    public async Task A_quiz_ranks_more_correct_answers_first_and_then_who_answered_first()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "quiz-1", Quiz);
        foreach (var (member, given) in new[] { ("m-slow", new[] { 1, 0, 1 }), ("m-weak", new[] { 1, 1, 0 }), ("m-late", new[] { 1, 0, 1 }) })
        {
            await MemberAsync(silo, member, 0);
            var answered = await silo.Grain<ISurveyAnswersGrain>(member).AnswerSurveyAsync(new AnswerSurvey("quiz-1", given));
            Assert.True(answered.Succeeded, answered.Refusal?.ToString());
            silo.Time.Advance(TimeSpan.FromSeconds(1));
        }

        var ranking = await silo.Grain<ISurveyCatalogGrain>(ISurveyCatalogGrain.Key).RankingAsync("quiz-1", 10);

        Assert.Equal(["m-slow", "m-late", "m-weak"], ranking.Select(r => r.MemberId));
        Assert.Equal([3, 3, 1], ranking.Select(r => r.Correct));
        Assert.Equal(5, await BalanceAsync(silo.Grain<Contracts.Members.IMemberGrain>("m-weak")));
    }

    [Fact]
    public async Task A_survey_pays_its_points_for_any_complete_answer_and_a_quiz_with_nothing_right_pays_nothing_but_counts()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "survey-1", new Survey(SurveyKind.Survey, "满意度 Satisfaction", [new SurveyQuestion("满意吗？", ["是", "否"])], 20, [], null, null));
        await ConfigureAsync(silo, "quiz-1", Quiz);
        var member = await MemberAsync(silo, "m1", 0);
        var answers = silo.Grain<ISurveyAnswersGrain>("m1");

        Assert.Equal(20, (await answers.AnswerSurveyAsync(new AnswerSurvey("survey-1", [1]))).Answered!.Points);
        var wrong = await answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [0, 1, 0]));
        var retry = await answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0, 1]));

        Assert.Equal((0, 0L), (wrong.Answered!.Correct, wrong.Answered.Points));
        Assert.True(retry.Replayed);
        Assert.Equal(0, retry.Answered!.Points);
        Assert.Equal(20, await BalanceAsync(member));
    }

    [Fact]
    public async Task Answers_outside_the_window_or_not_fitting_the_questions_are_refused_and_pay_nothing()
    {
        await using var silo = await StartAsync(new SagaSignals());
        var now = silo.Time.GetUtcNow();
        await ConfigureAsync(silo, "quiz-1", Quiz with { StartsAt = now.AddHours(1), EndsAt = now.AddHours(2) });
        var member = await MemberAsync(silo, "m1", 0);
        var answers = silo.Grain<ISurveyAnswersGrain>("m1");

        Assert.Equal("survey_closed", (await answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0, 1]))).Refusal!.Detail);
        silo.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal("validation_failed", (await answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0]))).Refusal!.Code);
        Assert.Equal("validation_failed", (await answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0, 2]))).Refusal!.Code);
        Assert.Equal("not_found", (await answers.AnswerSurveyAsync(new AnswerSurvey("no-such-quiz", [1]))).Refusal!.Code);
        Assert.Equal(0, await BalanceAsync(member));
        Assert.Empty(await answers.GetAnsweredSurveysAsync());

        silo.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal("survey_closed", (await answers.AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0, 1]))).Refusal!.Detail);
    }

    [Fact]
    public async Task Once_answered_a_surveys_questions_are_fixed_but_its_window_may_change()
    {
        await using var silo = await StartAsync(new SagaSignals());
        await ConfigureAsync(silo, "quiz-1", Quiz);
        await MemberAsync(silo, "m1", 0);
        Assert.True((await silo.Grain<ISurveyAnswersGrain>("m1").AnswerSurveyAsync(new AnswerSurvey("quiz-1", [1, 0, 1]))).Succeeded);
        var survey = silo.Grain<ISurveyGrain>("quiz-1");

        var changed = await survey.ConfigureAsync(Quiz with { Questions = Quiz.Questions.SetItem(0, new SurveyQuestion("1 + 1", ["1", "2"], 0)) });
        var ended = await survey.ConfigureAsync(Quiz with { EndsAt = silo.Time.GetUtcNow() });

        Assert.Equal(("conflict", "survey_answered"), (changed.Refusal!.Code, changed.Refusal.Detail));
        Assert.True(ended.Succeeded, ended.Refusal?.ToString());
        Assert.Equal("validation_failed", (await survey.ConfigureAsync(Quiz with { Questions = ImmutableArray<SurveyQuestion>.Empty })).Refusal!.Code);
    }

    private static async Task ConfigureAsync(GrainsSilo silo, string id, Survey survey)
    {
        var configured = await silo.Grain<ISurveyGrain>(id).ConfigureAsync(survey);
        Assert.True(configured.Succeeded, configured.Refusal?.ToString());
    }
}

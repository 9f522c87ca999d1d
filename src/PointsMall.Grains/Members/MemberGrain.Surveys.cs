using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Contracts.Tasks;
using PointsMall.Domain.Common;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>
/// Surveys and quizzes a member answers. The survey scores the answers; the member earns what they are worth and
/// records the survey as answered in the same turn and write, so each survey pays a member once, whatever it scored
/// (a quiz with no correct answer earns nothing and is still answered).
/// </summary>
public sealed partial class MemberGrain : ISurveyAnswersGrain
{
    /// <summary>More surveys than a member answers in years; the oldest record goes first.</summary>
    public const int MaxAnsweredSurveys = 1_000;

    public const string SurveySource = "task";

    public async Task<SurveyAnswerResult> AnswerSurveyAsync(AnswerSurvey command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (Account is not { } account)
        {
            return new SurveyAnswerResult(null, 0, false, new Problem(RefusalCodes.Name(RefusalCode.NotFound), "member_not_found"));
        }

        if (string.IsNullOrWhiteSpace(command.SurveyId) || command.Answers is null)
        {
            return new SurveyAnswerResult(null, 0, false, new Problem(RefusalCodes.Name(RefusalCode.ValidationFailed), "answers name a survey and give one option per question"));
        }

        var now = time.GetUtcNow();
        if (state.State.Surveys.Find(s => s.SurveyId == command.SurveyId) is { } answered)
        {
            return new SurveyAnswerResult(answered, account.Balance(now), true, null);
        }

        var score = await GrainFactory.GetGrain<ISurveyGrain>(command.SurveyId).ScoreAsync(new ScoreAnswers(GrainKey, command.Answers));
        if (score.Refusal is { } refusal)
        {
            return new SurveyAnswerResult(null, account.Balance(now), false, refusal);
        }

        // A campaign for tasks (and the member's tier) multiplies what the answers are worth.
        var rules = await RulesAsync(now);
        var points = rules.Earn.Boosted(score.Points, CampaignScope.Task, rules.Tiers.Evaluate(account, now), now);
        if (points > 0)
        {
            var earned = await EarnAsync(new EarnPoints($"survey:{command.SurveyId}", points, SurveySource, score.Title));
            if (earned.Refusal is { } notEarned)
            {
                return new SurveyAnswerResult(null, earned.Balance, false, notEarned);
            }
        }

        var record = new SurveyAnswered(command.SurveyId, score.Title, score.Correct, score.Total, points, now);
        var surveys = state.State.Surveys.Insert(0, record);
        state.State = state.State with { Surveys = surveys.Count > MaxAnsweredSurveys ? surveys.RemoveAt(surveys.Count - 1) : surveys };
        return new SurveyAnswerResult(record, state.State.Account!.Balance(now), false, null);
    }

    public Task<IReadOnlyList<SurveyAnswered>> GetAnsweredSurveysAsync() => Task.FromResult<IReadOnlyList<SurveyAnswered>>(state.State.Surveys);
}

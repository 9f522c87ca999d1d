using Microsoft.Extensions.DependencyInjection;
using Orleans.Concurrency;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Tasks;
using PointsMall.Domain.Common;
using PointsMall.Domain.Tasks;
using PointsMall.GroupCommit;

namespace PointsMall.Grains.Tasks;

public sealed record SurveyGrainState
{
    public Survey? Survey { get; init; }

    /// <summary>How many answers were scored (a member answering again after a lost reply counts again).</summary>
    public int Answers { get; init; }

    public DateTimeOffset CreatedAt { get; init; }
}

/// <summary>
/// One survey or quiz. Scoring is a pure in-memory turn, so a popular quiz is answered at the rate of in-memory turns;
/// a quiz's score goes into its ranking index with the answer count, in the same commit. The member's grain, not this
/// one, decides whether the member is paid (once per survey).
/// </summary>
[Reentrant]
[GrainType("survey")]
public sealed class SurveyGrain([PipelinedState("state", GrainStorage.Name)] IPipelinedState<SurveyGrainState> state, [FromKeyedServices(GrainClock.Key)] TimeProvider time)
    : MallGrain, ISurveyGrain
{
    public Task<SurveyResult> ConfigureAsync(Survey survey)
    {
        ArgumentNullException.ThrowIfNull(survey);
        var trimmed = survey with { Title = survey.Title?.Trim() ?? "", RankingBonus = survey.RankingBonus.IsDefault ? [] : survey.RankingBonus };
        if (trimmed.Validate() is { Count: > 0 } errors)
        {
            return Task.FromResult(Refused(RefusalCode.ValidationFailed, string.Join("; ", errors)));
        }

        // Answers already scored must stay right: once answered, only the title, window, points and bonus may change.
        if (state.State is { Survey: { } current, Answers: > 0 } && !SameQuestions(current, trimmed))
        {
            return Task.FromResult(Refused(RefusalCode.Conflict, "survey_answered"));
        }

        Keep(state.State with { Survey = trimmed, CreatedAt = state.State.Survey is null ? time.GetUtcNow() : state.State.CreatedAt });
        return Task.FromResult(new SurveyResult(View(), null));
    }

    public Task<SurveyView?> GetAsync() => Task.FromResult(View());

    public Task<SurveyScore> ScoreAsync(ScoreAnswers command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (state.State.Survey is not { } survey)
        {
            return Task.FromResult(Score(RefusalCode.NotFound, "survey_not_found"));
        }

        var now = time.GetUtcNow();
        if (!survey.IsOpen(now))
        {
            return Task.FromResult(Score(RefusalCode.NotOnSale, "survey_closed"));
        }

        if (string.IsNullOrWhiteSpace(command.MemberId) || command.Answers is null)
        {
            return Task.FromResult(Score(RefusalCode.ValidationFailed, "answers need the member and one option per question"));
        }

        var (correct, points, refusal) = survey.Score(command.Answers);
        if (refusal is not null)
        {
            return Task.FromResult(new SurveyScore(survey.Title, 0, 0, 0, Problem.From(refusal)));
        }

        Keep(state.State with { Answers = state.State.Answers + 1 });
        if (survey.Kind == SurveyKind.Quiz)
        {
            // Keyed by survey and member: one entry per member, whichever survey.
            AddToIndex(ISurveyCatalogGrain.RankingIndex, $"{GrainKey}/{command.MemberId}", new QuizRank(command.MemberId, correct, now), Survey.RankKey(correct, now), partition: GrainKey);
        }

        return Task.FromResult(new SurveyScore(survey.Title, correct, survey.Questions.Length, points, null));
    }

    private static bool SameQuestions(Survey current, Survey proposed)
        => current.Kind == proposed.Kind
           && current.Questions.Length == proposed.Questions.Length
           && current.Questions.Zip(proposed.Questions).All(p => p.First.Text == p.Second.Text && p.First.Answer == p.Second.Answer && p.First.Options.SequenceEqual(p.Second.Options));

    /// <summary>The new state, and the survey's catalogue entry with it (newest first).</summary>
    private void Keep(SurveyGrainState next)
    {
        state.State = next;
        UpdateIndex(ISurveyCatalogGrain.Index, View()!, next.CreatedAt.UtcTicks, partition: ISurveyCatalogGrain.Key);
    }

    private SurveyView? View() => state.State.Survey is { } survey ? new SurveyView(GrainKey, survey, state.State.Answers, state.State.CreatedAt) : null;

    private SurveyResult Refused(RefusalCode code, string detail) => new(View(), new Problem(RefusalCodes.Name(code), detail));

    private static SurveyScore Score(RefusalCode code, string detail) => new("", 0, 0, 0, new Problem(RefusalCodes.Name(code), detail));
}

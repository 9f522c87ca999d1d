using PointsMall.Contracts.Common;
using PointsMall.Domain.Tasks;

namespace PointsMall.Contracts.Tasks;

/// <summary>
/// A survey or quiz (key: survey id): its questions, and the scoring of a member's answers. Members answer through
/// their own grain (<see cref="ISurveyAnswersGrain"/>), which pays the points once.
/// </summary>
[Alias("survey")]
public interface ISurveyGrain : IGrainWithStringKey
{
    /// <summary>Creates the survey or replaces it; <c>conflict</c> (<c>survey_answered</c>) for new questions once members have answered.</summary>
    Task<SurveyResult> ConfigureAsync(Survey survey);

    /// <summary>The survey with its correct options (for operators), or null when never configured.</summary>
    Task<SurveyView?> GetAsync();

    /// <summary>
    /// Scores a member's answers: <c>not_on_sale</c> (<c>survey_closed</c>) outside its window, <c>validation_failed</c>
    /// for answers that do not fit. A quiz's score goes into its ranking.
    /// </summary>
    Task<SurveyScore> ScoreAsync(ScoreAnswers command);
}

/// <summary>The surveys (key: <see cref="Key"/>), newest first: a query of the index each survey writes.</summary>
[Alias("survey-catalog")]
public interface ISurveyCatalogGrain : IGrainWithStringKey
{
    public const string Key = "all";

    public const string Index = "surveys";

    /// <summary>The index of a quiz's scores (partition: survey id; key: member id; best first).</summary>
    public const string RankingIndex = "quiz-ranking";

    public const int MaxPageSize = 100;

    Task<SurveyPage> ListAsync(int page, int pageSize);

    /// <summary>A quiz's best scores, best first (ties: who answered first).</summary>
    Task<IReadOnlyList<QuizRank>> RankingAsync(string surveyId, int count);
}

/// <summary>A member's answers to surveys (key: member id), held by the member's grain.</summary>
[Alias("survey-answers")]
public interface ISurveyAnswersGrain : IGrainWithStringKey
{
    /// <summary>
    /// Answers a survey: the survey scores the answers and the member earns what they are worth, once (answering
    /// again replays the first outcome). <c>not_found</c> for an unregistered member or an unknown survey.
    /// </summary>
    Task<SurveyAnswerResult> AnswerSurveyAsync(AnswerSurvey command);

    /// <summary>The surveys this member answered, newest first.</summary>
    Task<IReadOnlyList<SurveyAnswered>> GetAnsweredSurveysAsync();
}

[GenerateSerializer, Immutable]
public sealed record SurveyView([property: Id(0)] string Id, [property: Id(1)] Survey Survey, [property: Id(2)] int Answers, [property: Id(3)] DateTimeOffset CreatedAt);

[GenerateSerializer, Immutable]
public sealed record SurveyResult([property: Id(0)] SurveyView? Survey, [property: Id(1)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record SurveyPage([property: Id(0)] IReadOnlyList<SurveyView> Items, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

[GenerateSerializer, Immutable]
public sealed record ScoreAnswers([property: Id(0)] string MemberId, [property: Id(1)] IReadOnlyList<int> Answers);

[GenerateSerializer, Immutable]
public sealed record SurveyScore([property: Id(0)] string Title, [property: Id(1)] int Correct, [property: Id(2)] int Total, [property: Id(3)] long Points, [property: Id(4)] Problem? Refusal);

[GenerateSerializer, Immutable]
public sealed record QuizRank([property: Id(0)] string MemberId, [property: Id(1)] int Correct, [property: Id(2)] DateTimeOffset AnsweredAt);

[GenerateSerializer, Immutable]
public sealed record AnswerSurvey([property: Id(0)] string SurveyId, [property: Id(1)] IReadOnlyList<int> Answers);

/// <summary>What a member's answers earned.</summary>
[GenerateSerializer, Immutable]
public sealed record SurveyAnswered([property: Id(0)] string SurveyId, [property: Id(1)] string Title, [property: Id(2)] int Correct, [property: Id(3)] int Total, [property: Id(4)] long Points, [property: Id(5)] DateTimeOffset At);

[GenerateSerializer, Immutable]
public sealed record SurveyAnswerResult([property: Id(0)] SurveyAnswered? Answered, [property: Id(1)] long Balance, [property: Id(2)] bool Replayed, [property: Id(3)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

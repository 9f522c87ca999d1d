using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Tasks;

[JsonConverter(typeof(JsonStringEnumConverter<SurveyKind>))]
public enum SurveyKind
{
    /// <summary>问卷: every complete answer earns <see cref="Survey.Points"/>.</summary>
    Survey,

    /// <summary>答题: each correct answer earns <see cref="Survey.Points"/>; the best scores may share a ranking bonus.</summary>
    Quiz,
}

/// <summary>A question and its options; <see cref="Answer"/> is the correct option's index (quizzes only).</summary>
public sealed record SurveyQuestion(string Text, ImmutableArray<string> Options, int? Answer = null);

/// <summary>
/// A survey or quiz an operator writes (积分任务: 问卷 / 答题). The server scores the answers, so what a member is paid
/// never comes from the member's own claim; each member is paid once per survey.
/// </summary>
public sealed record Survey(
    SurveyKind Kind,
    string Title,
    ImmutableArray<SurveyQuestion> Questions,
    long Points,
    ImmutableArray<long> RankingBonus,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt)
{
    public const int MaxQuestions = 50;
    public const int MaxOptions = 10;
    public const long MaxPoints = 10_000;
    public const int MaxRanks = 10;

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Title) || Title.Trim().Length > 100)
        {
            errors.Add("a title of 1 to 100 characters");
        }

        if (Questions.IsDefaultOrEmpty || Questions.Length > MaxQuestions)
        {
            errors.Add($"1 to {MaxQuestions} questions");
        }
        else
        {
            for (var i = 0; i < Questions.Length; i++)
            {
                errors.AddRange(Check(Questions[i]).Select(e => $"question {i + 1}: {e}"));
            }
        }

        if (Points is < 0 or > MaxPoints)
        {
            errors.Add($"points from 0 to {MaxPoints}");
        }

        var bonus = RankingBonus.IsDefault ? [] : RankingBonus;
        if (bonus.Length > MaxRanks || bonus.Any(b => b is <= 0 or > MaxPoints * 10))
        {
            errors.Add($"at most {MaxRanks} ranking bonuses, each 1 to {MaxPoints * 10} points");
        }

        if (Kind == SurveyKind.Survey && bonus.Length > 0)
        {
            errors.Add("only a quiz has a ranking bonus");
        }

        if (StartsAt is { } starts && EndsAt is { } ends && ends <= starts)
        {
            errors.Add("it must end after it starts");
        }

        return errors;
    }

    private IEnumerable<string> Check(SurveyQuestion question)
    {
        if (string.IsNullOrWhiteSpace(question.Text) || question.Text.Length > 300)
        {
            yield return "a text of 1 to 300 characters";
        }

        if (question.Options.IsDefault || question.Options.Length is < 2 or > MaxOptions || question.Options.Any(o => string.IsNullOrWhiteSpace(o) || o.Length > 100))
        {
            yield return $"2 to {MaxOptions} options of 1 to 100 characters";
        }
        else if (Kind == SurveyKind.Quiz && (question.Answer is not { } answer || answer < 0 || answer >= question.Options.Length))
        {
            yield return "the index of its correct option";
        }
        else if (Kind == SurveyKind.Survey && question.Answer is not null)
        {
            yield return "no correct option (a survey asks opinions)";
        }
    }

    public bool IsOpen(DateTimeOffset now) => (StartsAt is not { } starts || now >= starts) && (EndsAt is not { } ends || now < ends);

    public bool HasEnded(DateTimeOffset now) => EndsAt is { } ends && now >= ends;

    /// <summary>
    /// Scores one option index per question: the correct answers (all of them for a survey) and the points they earn,
    /// or a refusal for answers that do not fit the questions.
    /// </summary>
    public (int Correct, long Points, Refusal? Refusal) Score(IReadOnlyList<int> answers)
    {
        ArgumentNullException.ThrowIfNull(answers);
        if (answers.Count != Questions.Length)
        {
            return (0, 0, new Refusal(RefusalCode.ValidationFailed, $"answer every question: {Questions.Length} answers expected"));
        }

        for (var i = 0; i < answers.Count; i++)
        {
            if (answers[i] < 0 || answers[i] >= Questions[i].Options.Length)
            {
                return (0, 0, new Refusal(RefusalCode.ValidationFailed, $"question {i + 1} has no option {answers[i]}"));
            }
        }

        if (Kind == SurveyKind.Survey)
        {
            return (answers.Count, Points, null);
        }

        var correct = answers.Where((a, i) => Questions[i].Answer == a).Count();
        return (correct, Points * correct, null);
    }

    /// <summary>
    /// The order of quiz results in the ranking (higher first): more correct answers, then the earlier answer. Fits a
    /// long for any plausible time (milliseconds since 1970 stay below 10^13 until the year 2286).
    /// </summary>
    public static long RankKey(int correct, DateTimeOffset answeredAt) => (correct * 10_000_000_000_000L) + (9_999_999_999_999L - answeredAt.ToUnixTimeMilliseconds());
}

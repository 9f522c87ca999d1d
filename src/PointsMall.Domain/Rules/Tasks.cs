using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Rules;

[JsonConverter(typeof(JsonStringEnumConverter<TaskKind>))]
public enum TaskKind
{
    SimpleSurvey,
    DetailedSurvey,
    Share,
    InviteMember,
    Quiz,
    LotteryParticipation,
}

/// <summary>
/// Points for a task or activity. Fixed tasks earn <see cref="Points"/>; the quiz earns
/// <see cref="PointsPerCorrectAnswer"/> per correct answer. <see cref="DailyCap"/> (completions per local day,
/// 0 = unlimited) stops farming.
/// </summary>
public sealed record TaskRule(TaskKind Kind, long Points, long PointsPerCorrectAnswer, int DailyCap)
{
    /// <summary>Simple survey 10 and detailed survey 30 are from the seed; the rest are our defaults.</summary>
    public static ImmutableArray<TaskRule> Defaults { get; } =
    [
        new(TaskKind.SimpleSurvey, 10, 0, 3),
        new(TaskKind.DetailedSurvey, 30, 0, 1),
        new(TaskKind.Share, 5, 0, 3),
        new(TaskKind.InviteMember, 50, 0, 10),
        new(TaskKind.Quiz, 0, 2, 1),
        new(TaskKind.LotteryParticipation, 1, 0, 20),
    ];

    public long PointsFor(int correctAnswers)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(correctAnswers);
        return Kind == TaskKind.Quiz ? PointsPerCorrectAnswer * correctAnswers : Points;
    }
}

/// <summary>Per-day completion counts of a member; reset when the local date changes.</summary>
public sealed record TaskCounters(DateOnly? Day, ImmutableDictionary<TaskKind, int> Completions)
{
    public static TaskCounters Empty { get; } = new(null, ImmutableDictionary<TaskKind, int>.Empty);

    public int CountOn(TaskKind kind, DateOnly day) => Day == day ? Completions.GetValueOrDefault(kind) : 0;

    /// <summary>
    /// Records a completion if the daily cap allows; returns the points to earn (or <c>limit_exceeded</c>).
    /// The caller earns the points with its own operation id, in the same grain turn, so both apply or neither.
    /// </summary>
    public TaskOutcome Complete(TaskRule rule, int correctAnswers, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var today = ZonedTime.LocalDate(now, zone);
        var done = CountOn(rule.Kind, today);
        if (rule.DailyCap > 0 && done >= rule.DailyCap)
        {
            return new TaskOutcome(this, 0, new Refusal(RefusalCode.LimitExceeded, "daily_task_cap"));
        }

        var counts = Day == today ? Completions : ImmutableDictionary<TaskKind, int>.Empty;
        return new TaskOutcome(new TaskCounters(today, counts.SetItem(rule.Kind, done + 1)), rule.PointsFor(correctAnswers), null);
    }
}

public sealed record TaskOutcome(TaskCounters Counters, long Points, Refusal? Refusal)
{
    public bool Succeeded => Refusal is null;
}

using System.Collections.Immutable;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Rules;

/// <summary>
/// Daily sign-in streak ladder: day 1 = 5, day 2 = 8, day 3 = 12, "and so on", plus 50 extra
/// on reaching a 7-day streak. The seed does not spell out days 4–7; we continue its pattern (the step grows
/// by one each day: +3, +4, +5, …) to 17, 23, 30, 38. Past the end of the ladder the last value repeats.
/// The bonus is paid every <see cref="BonusEveryDays"/> consecutive days (day 7, 14, 21, …).
/// </summary>
public sealed record SignInLadder(ImmutableArray<long> DailyPoints, long StreakBonus, int BonusEveryDays)
{
    public static SignInLadder Default { get; } = new([5, 8, 12, 17, 23, 30, 38], 50, 7);

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (DailyPoints.IsDefaultOrEmpty || DailyPoints.Any(p => p < 0))
        {
            errors.Add("sign-in ladder needs at least one non-negative step");
        }

        if (StreakBonus < 0 || BonusEveryDays < 0)
        {
            errors.Add("streak bonus must not be negative");
        }

        return errors;
    }

    public long PointsForDay(int streakDay)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(streakDay);
        return DailyPoints[Math.Min(streakDay, DailyPoints.Length) - 1];
    }

    public long BonusForDay(int streakDay) =>
        BonusEveryDays > 0 && streakDay % BonusEveryDays == 0 ? StreakBonus : 0;
}

/// <summary>A member's sign-in state: the last local date signed in and the current streak length.</summary>
public sealed record SignInState(DateOnly? LastDate, int Streak)
{
    public static SignInState None { get; } = new(null, 0);

    /// <summary>
    /// Signs in at <paramref name="now"/>, judged by the calendar date in the programme's zone. Signing in
    /// again the same day is refused (<c>conflict</c> / <c>already_signed_in</c>) and changes nothing; a missed
    /// day restarts the streak at day 1. The earn operation id is derived from the date so the points are
    /// credited at most once per day even if the grain retries.
    /// </summary>
    public SignInOutcome SignIn(string memberId, DateTimeOffset now, TimeZoneInfo zone, SignInLadder ladder)
    {
        ArgumentNullException.ThrowIfNull(ladder);
        var today = ZonedTime.LocalDate(now, zone);
        if (LastDate is { } last && last >= today)
        {
            return new SignInOutcome(this, today, Streak, 0, 0, null,
                new Refusal(RefusalCode.Conflict, "already_signed_in"));
        }

        var streak = LastDate is { } previous && previous.AddDays(1) == today ? Streak + 1 : 1;
        var operationId = $"signin:{memberId}:{today:yyyy-MM-dd}";
        return new SignInOutcome(new SignInState(today, streak), today, streak, ladder.PointsForDay(streak),
            ladder.BonusForDay(streak), operationId, null);
    }

    /// <summary>The streak as shown at <paramref name="now"/>: 0 once a day has been missed.</summary>
    public int CurrentStreak(DateTimeOffset now, TimeZoneInfo zone)
    {
        var today = ZonedTime.LocalDate(now, zone);
        return LastDate is { } last && (last == today || last.AddDays(1) == today) ? Streak : 0;
    }
}

public sealed record SignInOutcome(
    SignInState State, DateOnly Date, int StreakDay, long Points, long Bonus, string? EarnOperationId, Refusal? Refusal)
{
    public bool Succeeded => Refusal is null;

    public long TotalPoints => Points + Bonus;
}

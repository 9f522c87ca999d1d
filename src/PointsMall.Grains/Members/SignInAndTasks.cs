using System.Collections.Immutable;
using PointsMall.Contracts.Common;
using PointsMall.Contracts.Members;
using PointsMall.Domain.Common;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>Daily sign-in (streak, calendar) and task completions (daily caps), as steps over the member state.</summary>
internal static class SignInAndTasks
{
    /// <summary>How far back sign-in days are kept: enough for this month's calendar and last month's.</summary>
    private const int SignInDaysKept = 62;

    public static MemberStep<SignInResult> SignIn(
        MemberState current, string memberId, PointsAccount account, ProgramRules rules, DateTimeOffset now)
    {
        var zone = rules.TimeZone;
        var signIn = current.SignIn.SignIn(memberId, now, zone, rules.Earn.SignIn);
        if (!signIn.Succeeded)
        {
            return new(current, new SignInResult(current.SignIn.CurrentStreak(now, zone), 0, 0, account.Balance(now), Problem.From(signIn.Refusal!)));
        }

        // The day's points and the streak bonus are two lots (two ledger lines), so the history says which is which. A
        // campaign for sign-in (and the member's tier) multiplies both.
        var expiresAt = PointsCommit.ExpiresAt(rules, now);
        var expired = ImmutableArray<LedgerEntry>.Empty;
        var tier = rules.Tiers.Evaluate(account, now);
        var points = rules.Earn.Boosted(signIn.Points, CampaignScope.SignIn, tier, now);
        var streakBonus = rules.Earn.Boosted(signIn.Bonus, CampaignScope.SignIn, tier, now);
        if (points > 0)
        {
            var day = account.Earn(signIn.EarnOperationId!, points, MemberGrain.SignInSource, $"day {signIn.StreakDay}", now, expiresAt);
            account = day.Account;
            expired = expired.AddRange(day.Entries.Where(PointsCommit.IsRecordedExpiry));
        }

        if (streakBonus > 0)
        {
            var bonus = account.Earn(
                signIn.EarnOperationId + ":bonus", streakBonus, MemberGrain.SignInSource, $"{signIn.StreakDay}-day streak bonus", now, expiresAt);
            account = bonus.Account;
            expired = expired.AddRange(bonus.Entries.Where(PointsCommit.IsRecordedExpiry));
        }

        var keepFrom = signIn.Date.AddDays(-SignInDaysKept);
        var signedIn = current with
        {
            SignIn = signIn.State,
            SignInDays = current.SignInDays.RemoveAll(d => d < keepFrom).Add(signIn.Date),
        };
        return new(
            PointsCommit.Save(signedIn, memberId, account, expired, now),
            new SignInResult(signIn.StreakDay, points, streakBonus, account.Balance(now), null));
    }

    public static SignInCalendar Calendar(MemberState current, ProgramRules rules, DateTimeOffset now)
    {
        var zone = rules.TimeZone;
        var today = ZonedTime.LocalDate(now, zone);
        var signedToday = current.SignIn.LastDate == today;
        var streak = current.SignIn.CurrentStreak(now, zone);

        // The next sign-in (today's if not done yet, else tomorrow's) continues the streak as it stands now.
        var nextDay = streak + 1;
        var ladder = rules.Earn.SignIn;
        var days = current.SignInDays.Where(d => d.Year == today.Year && d.Month == today.Month).ToList();
        return new SignInCalendar(
            streak, signedToday, today, days, [.. ladder.DailyPoints], ladder.StreakBonus, ladder.BonusEveryDays,
            ladder.PointsForDay(nextDay), ladder.BonusForDay(nextDay));
    }

    /// <summary>
    /// A refusal, or the first answer to this operation id, both found without the rules: a retry after a campaign
    /// ended still replays. A completion that earned nothing has no ledger line; the state remembers it for the day.
    /// </summary>
    public static PointsResult? CheckTask(MemberState current, PointsAccount account, CompleteTask command, DateTimeOffset now)
    {
        var kind = ParseTask(command.Task);
        var invalid = PointsOperations.CheckOperationId(command.OperationId)
            ?? (kind is null ? $"unknown task '{command.Task}'" : null)
            ?? (command.CorrectAnswers is < 0 or > 10_000 ? "correct answers out of range" : null);
        if (invalid is not null)
        {
            return MemberRefusals.PointsInvalid(invalid, account, now);
        }

        if (PointsCommit.ReplayOf(account, command.OperationId, MemberGrain.TaskSource, now) is { } replay)
        {
            return replay;
        }

        return current.ZeroPointTasks.Contains(command.OperationId) ? new PointsResult(0, account.Balance(now), true, null) : null;
    }

    /// <summary>Completes a task that <see cref="CheckTask"/> let through.</summary>
    public static MemberStep<PointsResult> CompleteTask(
        MemberState current, string memberId, PointsAccount account, CompleteTask command, ProgramRules rules, DateTimeOffset now)
    {
        var kind = ParseTask(command.Task);
        if (rules.Earn.TaskRuleFor(kind!.Value) is not { } rule)
        {
            return new(current, new PointsResult(0, account.Balance(now), false, Problem.From(Refusal.Of(RefusalCode.NotFound, "task_not_configured"))));
        }

        var task = current.Tasks.Complete(rule, command.CorrectAnswers ?? 0, now, rules.TimeZone);
        if (!task.Succeeded)
        {
            return new(current, new PointsResult(0, account.Balance(now), false, Problem.From(task.Refusal!)));
        }

        var zeroPoint = task.Counters.Day == current.Tasks.Day ? current.ZeroPointTasks : [];
        if (task.Points == 0)
        {
            // Counts toward the cap (no retrying a quiz until it scores) but earns nothing.
            return new(
                current with { Tasks = task.Counters, ZeroPointTasks = zeroPoint.Add(command.OperationId) },
                new PointsResult(0, account.Balance(now), false, null));
        }

        var points = rules.Earn.Boosted(task.Points, CampaignScope.Task, rules.Tiers.Evaluate(account, now), now);
        var outcome = account.Earn(
            command.OperationId, points, MemberGrain.TaskSource, rule.Kind.ToString(), now, PointsCommit.ExpiresAt(rules, now));
        return PointsCommit.Commit(current with { Tasks = task.Counters, ZeroPointTasks = zeroPoint }, memberId, command.OperationId, outcome, now);
    }

    /// <summary>A <see cref="TaskKind"/> by name, ignoring case, underscores and hyphens (<c>simple_survey</c>).</summary>
    private static TaskKind? ParseTask(string? task)
    {
        var compact = task?.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal).Trim();
        foreach (var kind in Enum.GetValues<TaskKind>())
        {
            if (string.Equals(kind.ToString(), compact, StringComparison.OrdinalIgnoreCase))
            {
                return kind;
            }
        }

        return null;
    }
}

using PointsMall.Contracts.Members;
using PointsMall.Contracts.Messages;
using PointsMall.Domain.Common;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>
/// What the member grain tells on its own clock: points about to expire (a week ahead) and the birthday gift. Both
/// ride durable reminders kept with the state, so a restart neither loses nor repeats them: each notice and the gift
/// carry ids derived from what they are about (the expiry, the year).
/// </summary>
public sealed partial class MemberGrain
{
    public const string ExpiryNoticeReminder = "expiry-notice";
    public const string BirthdayReminder = "birthday";
    public const string BirthdaySource = "birthday";

    /// <summary>How long before points expire the member is told.</summary>
    public static readonly TimeSpan ExpiryNoticeAhead = TimeSpan.FromDays(7);

    /// <summary>A gift delayed past the birthday (the silos were down) is still given within this many days.</summary>
    private const int BirthdayGraceDays = 7;

    /// <summary>
    /// Keeps the expiry notice in step with the earliest expiry: its reminder a week before, or the notice now when that
    /// is already past. Cheap when nothing moved, as on most spends.
    /// </summary>
    private void KeepExpiryNotice(DateTimeOffset now)
    {
        var next = state.State.ExpiryReminderAt;
        if (next == state.State.ExpiryNoticeFor)
        {
            return;
        }

        if (next is not { } expiry)
        {
            if (state.State.ExpiryNoticeAt is not null)
            {
                RemoveReminder(ExpiryNoticeReminder);
                state.State = state.State with { ExpiryNoticeAt = null };
            }

            return;
        }

        var noticeAt = expiry - ExpiryNoticeAhead;
        if (noticeAt > now)
        {
            if (state.State.ExpiryNoticeAt != noticeAt)
            {
                SetReminder(ExpiryNoticeReminder, noticeAt);
                state.State = state.State with { ExpiryNoticeAt = noticeAt };
            }

            return;
        }

        // The notice names the local day, so it needs the programme's zone. A turn that never read the rules (a spend
        // on a fresh activation) does not wait for them: the reminder, due now, tells from its own turn, which can.
        if (_rules.Last is { } rules)
        {
            TellExpiring(expiry, now, rules.TimeZone);
        }
        else if (state.State.ExpiryNoticeAt != now)
        {
            SetReminder(ExpiryNoticeReminder, now);
            state.State = state.State with { ExpiryNoticeAt = now };
        }
    }

    private void TellExpiring(DateTimeOffset expiry, DateTimeOffset now, TimeZoneInfo zone)
    {
        var points = state.State.Account?.Lots.Where(l => l.Remaining > 0 && l.ExpiresAt > now && l.ExpiresAt <= now + ExpiryNoticeAhead).Sum(l => l.Remaining) ?? 0;
        if (points > 0)
        {
            var day = ZonedTime.LocalDate(expiry, zone);
            Notify(new MemberNotice($"expiring:{expiry.UtcTicks}", GrainKey, NoticeKinds.PointsExpiring, "积分即将过期 Points expiring soon",
                $"{points} 积分将于 {day:yyyy-MM-dd} 起过期 {points} points expire from {day:yyyy-MM-dd}", "/points", now));
        }

        if (state.State.ExpiryNoticeAt is not null)
        {
            RemoveReminder(ExpiryNoticeReminder);
        }

        state.State = state.State with { ExpiryNoticeFor = expiry, ExpiryNoticeAt = null };
    }

    private async Task ExpiryNoticeDueAsync()
    {
        var now = time.GetUtcNow();
        if (state.State.ExpiryReminderAt is { } expiry && expiry - ExpiryNoticeAhead <= now && expiry != state.State.ExpiryNoticeFor)
        {
            TellExpiring(expiry, now, (await RulesAsync(now)).TimeZone);
        }
        else
        {
            // Fired for an expiry that moved since: the notice follows the current one.
            RemoveReminder(ExpiryNoticeReminder);
            state.State = state.State with { ExpiryNoticeAt = null };
            KeepExpiryNotice(now);
        }
    }

    /// <summary>Sets the birthday reminder to the start of the member's next birthday (today's, when it is today), or removes it.</summary>
    private void KeepBirthdayReminder(ProgramRules rules, DateTimeOffset now, bool afterToday = false)
    {
        DateTimeOffset? due = null;
        if (state.State.Profile?.Birthday is { } birthday)
        {
            var today = ZonedTime.LocalDate(now, rules.TimeZone);
            var next = ZonedTime.Anniversary(birthday, today.Year);
            if (next < today || (afterToday && next == today))
            {
                next = ZonedTime.Anniversary(birthday, today.Year + 1);
            }

            due = ZonedTime.StartOfDay(next, rules.TimeZone);
        }

        if (due == state.State.BirthdayReminderAt)
        {
            return;
        }

        if (due is { } at)
        {
            SetReminder(BirthdayReminder, at);
        }
        else
        {
            RemoveReminder(BirthdayReminder);
        }

        state.State = state.State with { BirthdayReminderAt = due };
    }

    /// <summary>The birthday reminder: the year's gift (once, by its operation id) and its notice, then next year's reminder.</summary>
    private async Task BirthdayDueAsync()
    {
        var now = time.GetUtcNow();
        var rules = await RulesAsync(now);
        if (state.State.Profile?.Birthday is { } birthday && Account is { } account && rules.Earn.BirthdayPoints > 0)
        {
            var today = ZonedTime.LocalDate(now, rules.TimeZone);
            var day = ZonedTime.Anniversary(birthday, today.Year);
            if (today >= day && today.DayNumber - day.DayNumber < BirthdayGraceDays)
            {
                var operationId = $"birthday:{day.Year}";
                var gift = Apply(PointsOperations.Earn(state.State, GrainKey, account,
                    new EarnPoints(operationId, rules.Earn.BirthdayPoints, BirthdaySource, "生日礼 Birthday gift"), rules, now));
                if (gift is { Succeeded: true, Replayed: false })
                {
                    Notify(new MemberNotice(operationId, GrainKey, NoticeKinds.BirthdayGift, "生日快乐 Happy birthday",
                        $"送您 {gift.Amount} 积分生日礼 A birthday gift of {gift.Amount} points", "/points", now));
                }
            }
        }

        KeepBirthdayReminder(rules, now, afterToday: true);
    }
}

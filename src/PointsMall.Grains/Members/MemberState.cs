using System.Collections.Immutable;
using PointsMall.Contracts.Tasks;
using PointsMall.Domain.Coupons;
using PointsMall.Domain.Members;
using PointsMall.Domain.Rules;

namespace PointsMall.Grains.Members;

/// <summary>A member's stored state. <see cref="Profile"/> and <see cref="Account"/> are null until registration.</summary>
public sealed record MemberState
{
    public MemberProfile? Profile { get; init; }

    public PointsAccount? Account { get; init; }

    public SignInState SignIn { get; init; } = SignInState.None;

    public TaskCounters Tasks { get; init; } = TaskCounters.Empty;

    /// <summary>
    /// Operation ids of today's task completions that earned nothing (a quiz with no correct answer): they count
    /// toward the daily cap but leave no ledger entry, so this is their idempotency record. Reset with the day.
    /// </summary>
    public ImmutableList<string> ZeroPointTasks { get; init; } = [];

    /// <summary>Local dates signed in, oldest first, kept for the last couple of months (the calendar).</summary>
    public ImmutableList<DateOnly> SignInDays { get; init; } = [];

    /// <summary>Created by an operator without a password (bulk and demo members).</summary>
    public bool Provisioned { get; init; }

    /// <summary>What the member's orders bought, for per-member limits; an order's purchase goes with its refund.</summary>
    public Purchases Purchases { get; init; } = Purchases.None;

    /// <summary>The coupon wallet: a coupon is used with the points of its order, in the same write.</summary>
    public CouponWallet Coupons { get; init; } = CouponWallet.Empty;

    /// <summary>The surveys and quizzes answered, newest first (at most <see cref="MemberGrain.MaxAnsweredSurveys"/>): each pays once.</summary>
    public ImmutableList<SurveyAnswered> Surveys { get; init; } = [];

    /// <summary>When the "expiry" reminder is set for (the earliest open lot's expiry), so a turn only rewrites it when it moves.</summary>
    public DateTimeOffset? ExpiryReminderAt { get; init; }

    /// <summary>When the "expiry-notice" reminder is set for (a week before <see cref="ExpiryReminderAt"/>).</summary>
    public DateTimeOffset? ExpiryNoticeAt { get; init; }

    /// <summary>The expiry the member was last told of, so each is told once.</summary>
    public DateTimeOffset? ExpiryNoticeFor { get; init; }

    /// <summary>When the "birthday" reminder is set for (the start of the member's next birthday).</summary>
    public DateTimeOffset? BirthdayReminderAt { get; init; }
}

/// <summary>
/// Published on stream ("points", member id) when lot expiries are recorded in the ledger, in the same commit.
/// <paramref name="Points"/> is positive (what left the balance).
/// </summary>
public sealed record PointsExpired(string MemberId, long Points, ImmutableArray<string> LotIds, DateTimeOffset RecordedAt, long Balance);

using PointsMall.Contracts.Common;
using PointsMall.Domain.Members;

namespace PointsMall.Contracts.Members;

public sealed record RegisterMember(string? Phone, string? Email, string Password, string DisplayName);

public sealed record UpdateProfile(string? DisplayName, string? Gender, DateOnly? Birthday);

/// <summary>
/// Adds or replaces (by id) an address. <see cref="Region"/> is "province city district" in one string; when
/// <see cref="Province"/> and <see cref="City"/> are given they win over it (no guessing where the split is).
/// </summary>
public sealed record SaveAddress(string? AddressId, string Recipient, string Phone, string Region, string Detail, bool IsDefault)
{
    public string? Province { get; init; }

    public string? City { get; init; }

    public string? District { get; init; }

    /// <summary>Six digits, optional.</summary>
    public string? PostalCode { get; init; }
}

public sealed record AddressView(string Id, string Recipient, string Phone, string Region, string Detail, bool IsDefault)
{
    public string Province { get; init; } = "";

    public string City { get; init; } = "";

    public string District { get; init; } = "";

    public string? PostalCode { get; init; }
}

/// <summary>One logged profile change (who changed is the member or an operator; the log says what and when).</summary>
public sealed record ProfileChangeView(DateTimeOffset At, string Field, string? OldValue, string? NewValue);

public sealed record MemberView(
    string Id,
    string DisplayName,
    string? Phone,
    string? Email,
    long Balance,
    string Tier,
    long LifetimeEarned,
    DateTimeOffset RegisteredAt,
    int SignInStreak,
    DateOnly? LastSignIn,
    IReadOnlyList<AddressView> Addresses)
{
    public string? Gender { get; init; }

    public DateOnly? Birthday { get; init; }

    /// <summary>The points the tier is judged on (lifetime earned, or earned in the policy's window).</summary>
    public long TierPoints { get; init; }

    /// <summary>The next tier up, or null at the top.</summary>
    public string? NextTier { get; init; }

    /// <summary>Qualifying points still missing for <see cref="NextTier"/> (0 at the top).</summary>
    public long PointsToNextTier { get; init; }

    public bool SignedInToday { get; init; }

    /// <summary>Provisioned by an operator (bulk, demo): no password, signs in only with an issued token.</summary>
    public bool Provisioned { get; init; }

    /// <summary>The profile change log, oldest first (seed 000 §1.3.1).</summary>
    public IReadOnlyList<ProfileChangeView> Changes { get; init; } = [];
}

/// <summary>
/// A member created by an operator (bulk load-test members, demo members): no password, so no slow hash, and
/// <paramref name="StartingPoints"/> granted in the same turn as the registration.
/// </summary>
public sealed record ProvisionMember(string? Phone, string? Email, string DisplayName, long StartingPoints);

/// <summary>The sign-in calendar of the current local month, with the ladder that pays each streak day.</summary>
public sealed record SignInCalendar(
    int Streak,
    bool SignedInToday,
    DateOnly Today,
    IReadOnlyList<DateOnly> Days,
    IReadOnlyList<long> Ladder,
    long StreakBonus,
    int BonusEveryDays,
    long NextPoints,
    long NextBonus);

public sealed record MemberResult(MemberView? Member, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public sealed record EarnPoints(string OperationId, long Amount, string Source, string Reason);

public sealed record EarnForPurchase(string OperationId, long PurchaseAmountFen, string Reference);

public sealed record AdjustPoints(string OperationId, long Delta, string Reason);

/// <summary>
/// Spends <paramref name="Amount"/> points. With a <paramref name="Purchase"/> the member also records what the order
/// buys and refuses it with <c>limit_exceeded</c> when it would take the member past <paramref name="PurchaseLimit"/>
/// units of that product (the spend may then be of 0 points: a cash-only product still counts toward its limit).
/// </summary>
public sealed record SpendPoints(string OperationId, long Amount, string Reason, Purchase? Purchase = null, int? PurchaseLimit = null);

/// <summary>
/// Refunds <paramref name="Amount"/> (all of it when null) of spend <paramref name="SpendOperationId"/>; a full refund
/// also gives back the purchase recorded with that spend (its per-member allowance).
/// </summary>
public sealed record RefundPoints(string OperationId, string SpendOperationId, long? Amount, string Reason);

public sealed record CompleteTask(string OperationId, string Task, int? CorrectAnswers);

public sealed record PointsResult(long Amount, long Balance, bool Replayed, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public sealed record SignInResult(int Streak, long Points, long Bonus, long Balance, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public sealed record LedgerEntryView(DateTimeOffset At, string Kind, string Source, string Reason, long Amount, long RunningBalance, string OperationId);

public sealed record LedgerPage(IReadOnlyList<LedgerEntryView> Entries, int Page, int PageSize, int Total);

public sealed record LotView(string Id, long Amount, long Remaining, string Source, DateTimeOffset EarnedAt, DateTimeOffset? ExpiresAt);

public sealed record PointsAudit(long Balance, long OpenLots, long LedgerSum, long LifetimeEarned)
{
    public bool Reconciles => Balance == OpenLots && OpenLots == LedgerSum && Balance >= 0;
}

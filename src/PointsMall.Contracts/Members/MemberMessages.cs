using PointsMall.Contracts.Common;
using PointsMall.Contracts.Sessions;
using PointsMall.Domain.Catalog;
using PointsMall.Domain.Members;

namespace PointsMall.Contracts.Members;

/// <summary>A member's own registration; <see cref="ReferredBy"/> is the member id of whoever invited it, if anyone.</summary>
[GenerateSerializer, Immutable]
public sealed record RegisterMember(
    [property: Id(0)] string? Phone,
    [property: Id(1)] string? Email,
    [property: Id(2)] string Password,
    [property: Id(3)] string DisplayName,
    [property: Id(4)] string? ReferredBy = null);

/// <summary>
/// Published on stream (<see cref="Stream"/>, the new member's id) in the commit that registers a member someone
/// invited: the inviter is credited the invitation task from it, once per invitee.
/// </summary>
public sealed record MemberReferred(string MemberId, string ReferredBy, DateTimeOffset At)
{
    public const string Stream = "referral";
}

[GenerateSerializer, Immutable]
public sealed record UpdateProfile([property: Id(0)] string? DisplayName, [property: Id(1)] string? Gender, [property: Id(2)] DateOnly? Birthday);

/// <summary>
/// Adds or replaces (by id) an address. <see cref="Region"/> is "province city district" in one string; when
/// <see cref="Province"/> and <see cref="City"/> are given they win over it (no guessing where the split is).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SaveAddress([property: Id(0)] string? AddressId, [property: Id(1)] string Recipient, [property: Id(2)] string Phone, [property: Id(3)] string Region, [property: Id(4)] string Detail, [property: Id(5)] bool IsDefault)
{
    [Id(6)] public string? Province { get; init; }

    [Id(7)] public string? City { get; init; }

    [Id(8)] public string? District { get; init; }

    /// <summary>Six digits, optional.</summary>
    [Id(9)] public string? PostalCode { get; init; }
}

[GenerateSerializer, Immutable]
public sealed record AddressView([property: Id(0)] string Id, [property: Id(1)] string Recipient, [property: Id(2)] string Phone, [property: Id(3)] string Region, [property: Id(4)] string Detail, [property: Id(5)] bool IsDefault)
{
    [Id(6)] public string Province { get; init; } = "";

    [Id(7)] public string City { get; init; } = "";

    [Id(8)] public string District { get; init; } = "";

    [Id(9)] public string? PostalCode { get; init; }
}

/// <summary>One logged profile change (who changed is the member or an operator; the log says what and when).</summary>
[GenerateSerializer, Immutable]
public sealed record ProfileChangeView([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Field, [property: Id(2)] string? OldValue, [property: Id(3)] string? NewValue);

[GenerateSerializer, Immutable]
public sealed record MemberView(
    [property: Id(0)] string Id,
    [property: Id(1)] string DisplayName,
    [property: Id(2)] string? Phone,
    [property: Id(3)] string? Email,
    [property: Id(4)] long Balance,
    [property: Id(5)] string Tier,
    [property: Id(6)] long LifetimeEarned,
    [property: Id(7)] DateTimeOffset RegisteredAt,
    [property: Id(8)] int SignInStreak,
    [property: Id(9)] DateOnly? LastSignIn,
    [property: Id(10)] IReadOnlyList<AddressView> Addresses)
{
    [Id(11)] public string? Gender { get; init; }

    [Id(12)] public DateOnly? Birthday { get; init; }

    /// <summary>The points the tier is judged on (lifetime earned, or earned in the policy's window).</summary>
    [Id(13)] public long TierPoints { get; init; }

    /// <summary>The next tier up, or null at the top.</summary>
    [Id(14)] public string? NextTier { get; init; }

    /// <summary>Qualifying points still missing for <see cref="NextTier"/> (0 at the top).</summary>
    [Id(15)] public long PointsToNextTier { get; init; }

    [Id(16)] public bool SignedInToday { get; init; }

    /// <summary>Provisioned by an operator (bulk, demo): no password, signs in only with an issued token.</summary>
    [Id(17)] public bool Provisioned { get; init; }

    /// <summary>The profile change log, oldest first.</summary>
    [Id(18)] public IReadOnlyList<ProfileChangeView> Changes { get; init; } = [];
}

/// <summary>
/// A member created by an operator (bulk load-test members, demo members): no password, so no slow hash, and
/// <paramref name="StartingPoints"/> granted in the same turn as the registration.
/// </summary>
[GenerateSerializer, Immutable]
public sealed record ProvisionMember([property: Id(0)] string? Phone, [property: Id(1)] string? Email, [property: Id(2)] string DisplayName, [property: Id(3)] long StartingPoints)
{
    /// <summary>A default shipping address to open the member with, in the same write (members imported for a drop of physical goods).</summary>
    [Id(4)] public SaveAddress? Address { get; init; }
}

/// <summary>The sign-in calendar of the current local month, with the ladder that pays each streak day.</summary>
[GenerateSerializer, Immutable]
public sealed record SignInCalendar(
    [property: Id(0)] int Streak,
    [property: Id(1)] bool SignedInToday,
    [property: Id(2)] DateOnly Today,
    [property: Id(3)] IReadOnlyList<DateOnly> Days,
    [property: Id(4)] IReadOnlyList<long> Ladder,
    [property: Id(5)] long StreakBonus,
    [property: Id(6)] int BonusEveryDays,
    [property: Id(7)] long NextPoints,
    [property: Id(8)] long NextBonus);

/// <summary>A password check: <see cref="MemberSince"/> is when the member registered, null when it never did.</summary>
[GenerateSerializer, Immutable]
public sealed record PasswordCheck([property: Id(0)] bool Matches, [property: Id(1)] DateTimeOffset? MemberSince);

[GenerateSerializer, Immutable]
public sealed record ChangePassword([property: Id(0)] string Current, [property: Id(1)] string Replacement);

[GenerateSerializer, Immutable]
public sealed record MemberResult([property: Id(0)] MemberView? Member, [property: Id(1)] Problem? Refusal)
{
    /// <summary>The member's sessions a change ended (a new password ends them all), for the API nodes to refuse at once.</summary>
    [Id(2)]
    public IReadOnlyList<RevokedSession> Revoked { get; init; } = [];

    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record EarnPoints([property: Id(0)] string OperationId, [property: Id(1)] long Amount, [property: Id(2)] string Source, [property: Id(3)] string Reason);

[GenerateSerializer, Immutable]
public sealed record EarnForPurchase([property: Id(0)] string OperationId, [property: Id(1)] long PurchaseAmountFen, [property: Id(2)] string Reference);

[GenerateSerializer, Immutable]
public sealed record AdjustPoints([property: Id(0)] string OperationId, [property: Id(1)] long Delta, [property: Id(2)] string Reason);

/// <summary>
/// Spends <paramref name="Amount"/> points. With a <paramref name="Purchase"/> the member also records what the order
/// buys and refuses it with <c>limit_exceeded</c> when it would take the member past <paramref name="PurchaseLimit"/>
/// units of that product (the spend may then be of 0 points: a cash-only product still counts toward its limit).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record SpendPoints([property: Id(0)] string OperationId, [property: Id(1)] long Amount, [property: Id(2)] string Reason, [property: Id(3)] Purchase? Purchase = null, [property: Id(4)] int? PurchaseLimit = null)
{
    /// <summary>
    /// A coupon from the member's wallet that takes its face value off <see cref="Amount"/> (the order's points before
    /// the discount): used in the same write as the points, given back by the spend's full refund.
    /// </summary>
    [Id(5)] public string? CouponId { get; init; }

    /// <summary>The category of what is bought, which the coupon's terms may restrict.</summary>
    [Id(6)] public ProductCategory Category { get; init; }
}

/// <summary>
/// Refunds <paramref name="Amount"/> (all of it when null) of spend <paramref name="SpendOperationId"/>; a full refund
/// also gives back the purchase recorded with that spend (its per-member allowance).
/// </summary>
[GenerateSerializer, Immutable]
public sealed record RefundPoints([property: Id(0)] string OperationId, [property: Id(1)] string SpendOperationId, [property: Id(2)] long? Amount, [property: Id(3)] string Reason);

[GenerateSerializer, Immutable]
public sealed record CompleteTask([property: Id(0)] string OperationId, [property: Id(1)] string Task, [property: Id(2)] int? CorrectAnswers);

[GenerateSerializer, Immutable]
public sealed record PointsResult([property: Id(0)] long Amount, [property: Id(1)] long Balance, [property: Id(2)] bool Replayed, [property: Id(3)] Problem? Refusal)
{
    /// <summary>The points a coupon took off a spend (<see cref="Amount"/> is what was spent after it).</summary>
    [Id(4)] public long CouponDiscount { get; init; }

    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record SignInResult([property: Id(0)] int Streak, [property: Id(1)] long Points, [property: Id(2)] long Bonus, [property: Id(3)] long Balance, [property: Id(4)] Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

[GenerateSerializer, Immutable]
public sealed record LedgerEntryView([property: Id(0)] DateTimeOffset At, [property: Id(1)] string Kind, [property: Id(2)] string Source, [property: Id(3)] string Reason, [property: Id(4)] long Amount, [property: Id(5)] long RunningBalance, [property: Id(6)] string OperationId);

[GenerateSerializer, Immutable]
public sealed record LedgerPage([property: Id(0)] IReadOnlyList<LedgerEntryView> Entries, [property: Id(1)] int Page, [property: Id(2)] int PageSize, [property: Id(3)] int Total);

[GenerateSerializer, Immutable]
public sealed record LotView([property: Id(0)] string Id, [property: Id(1)] long Amount, [property: Id(2)] long Remaining, [property: Id(3)] string Source, [property: Id(4)] DateTimeOffset EarnedAt, [property: Id(5)] DateTimeOffset? ExpiresAt);

[GenerateSerializer, Immutable]
public sealed record PointsAudit([property: Id(0)] long Balance, [property: Id(1)] long OpenLots, [property: Id(2)] long LedgerSum, [property: Id(3)] long LifetimeEarned)
{
    public bool Reconciles => Balance == OpenLots && OpenLots == LedgerSum && Balance >= 0;
}

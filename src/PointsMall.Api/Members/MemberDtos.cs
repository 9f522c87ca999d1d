using PointsMall.Contracts.Members;

namespace PointsMall.Api.Members;

// ---- requests: every field nullable, so a missing field is a validation problem rather than a binding fault ----

public sealed record UpdateProfileRequest(string? DisplayName, string? Gender, DateOnly? Birthday);

public sealed record AddressRequest(
    string? Recipient,
    string? Phone,
    string? Province,
    string? City,
    string? District,
    string? Region,
    string? Detail,
    string? PostalCode,
    bool? IsDefault);

public sealed record TaskRequest(string? Task, string? Reference, int? CorrectAnswers);

public sealed record AdjustPointsRequest(long? Amount, string? Reason, string? OperationId);

public sealed record BulkMembersRequest(int? Count, long? StartingPoints, string? DisplayNamePrefix);

public sealed record EarnRequest(string? MemberId, decimal? PurchaseAmount, string? Reference);

// ---- responses ----

public sealed record AddressResponse(
    string Id, string Recipient, string Phone, string Province, string City, string District, string Region, string Detail,
    string? PostalCode, bool IsDefault)
{
    public static AddressResponse From(AddressView a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.Id, a.Recipient, a.Phone, a.Province, a.City, a.District, a.Region, a.Detail, a.PostalCode, a.IsDefault);
    }
}

public sealed record MeResponse(
    string Id,
    string DisplayName,
    string? Phone,
    string? Email,
    long Balance,
    string Tier,
    long LifetimeEarned,
    long TierPoints,
    string? NextTier,
    long PointsToNextTier,
    DateTimeOffset RegisteredAt,
    int SignInStreak,
    bool SignedInToday,
    DateOnly? LastSignIn,
    string? Gender,
    DateOnly? Birthday,
    IReadOnlyList<AddressResponse> Addresses)
{
    public static MeResponse From(MemberView m)
    {
        ArgumentNullException.ThrowIfNull(m);
        return new(
            m.Id, m.DisplayName, m.Phone, m.Email, m.Balance, m.Tier, m.LifetimeEarned, m.TierPoints, m.NextTier, m.PointsToNextTier,
            m.RegisteredAt, m.SignInStreak, m.SignedInToday, m.LastSignIn, m.Gender, m.Birthday, [.. m.Addresses.Select(AddressResponse.From)]);
    }
}

public sealed record LedgerItem(DateTimeOffset At, string Kind, string Source, string Reason, long Amount, long BalanceAfter, string OperationId);

public sealed record LedgerResponse(IReadOnlyList<LedgerItem> Items, int Page, int PageSize, int Total)
{
    public static LedgerResponse From(LedgerPage page)
    {
        ArgumentNullException.ThrowIfNull(page);
        return new(
            [.. page.Entries.Select(e => new LedgerItem(e.At, e.Kind, e.Source, e.Reason, e.Amount, e.RunningBalance, e.OperationId))],
            page.Page, page.PageSize, page.Total);
    }
}

public sealed record ExpiringItem(string LotId, long Amount, string Source, DateTimeOffset EarnedAt, DateTimeOffset? ExpiresAt);

/// <summary><c>total</c> is the points that expire in the window; <c>count</c> the lots they are in.</summary>
public sealed record ExpiringResponse(IReadOnlyList<ExpiringItem> Items, long Total, int Count, int Days);

public sealed record SignInResponse(int StreakDay, long PointsAwarded, long Bonus, long Balance);

public sealed record SignInLadderStep(int Day, long Points, long Bonus);

public sealed record SignInCalendarResponse(
    int Streak, bool SignedInToday, DateOnly Today, IReadOnlyList<string> Days, IReadOnlyList<SignInLadderStep> Ladder,
    long StreakBonus, int BonusEveryDays, long NextPoints, long NextBonus);

public sealed record TaskResponse(string Task, string Reference, long PointsAwarded, long Balance, bool Replayed);

public sealed record MemberListItem(string Id, string DisplayName, string? Phone, string? Email, long Balance, string Tier, DateTimeOffset RegisteredAt);

public sealed record MemberListResponse(IReadOnlyList<MemberListItem> Items, int Page, int PageSize, int Total);

public sealed record ProfileChangeItem(DateTimeOffset At, string Field, string? OldValue, string? NewValue);

/// <summary>What an operator sees of one member: the member's own view, its change log and the points audit.</summary>
public sealed record AdminMemberResponse(
    MeResponse Member, bool Provisioned, IReadOnlyList<ProfileChangeItem> Changes, long OpenLots, long LedgerSum, bool Reconciles);

public sealed record AdjustPointsResponse(string MemberId, long Amount, long Balance, string OperationId, bool Replayed);

public sealed record BulkMember(string Id, string AccessToken);

public sealed record BulkMembersResponse(IReadOnlyList<BulkMember> Members, string TokenType, long ExpiresIn);

public sealed record EarnResponse(string MemberId, long PointsAwarded, long Balance, string Reference, bool Replayed);

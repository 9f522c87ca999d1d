using PointsMall.Contracts.Common;

namespace PointsMall.Contracts.Members;

public sealed record RegisterMember(string? Phone, string? Email, string Password, string DisplayName);

public sealed record UpdateProfile(string? DisplayName, string? Gender, DateOnly? Birthday);

public sealed record SaveAddress(string? AddressId, string Recipient, string Phone, string Region, string Detail, bool IsDefault);

public sealed record AddressView(string Id, string Recipient, string Phone, string Region, string Detail, bool IsDefault);

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
    IReadOnlyList<AddressView> Addresses);

public sealed record MemberResult(MemberView? Member, Problem? Refusal)
{
    public bool Succeeded => Refusal is null;
}

public sealed record EarnPoints(string OperationId, long Amount, string Source, string Reason);

public sealed record EarnForPurchase(string OperationId, long PurchaseAmountFen, string Reference);

public sealed record AdjustPoints(string OperationId, long Delta, string Reason);

public sealed record SpendPoints(string OperationId, long Amount, string Reason);

/// <summary>Refunds <paramref name="Amount"/> (all of it when null) of spend <paramref name="SpendOperationId"/>.</summary>
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

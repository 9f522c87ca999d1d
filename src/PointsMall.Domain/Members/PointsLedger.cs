using System.Collections.Immutable;
using System.Text.Json.Serialization;

namespace PointsMall.Domain.Members;

[JsonConverter(typeof(JsonStringEnumConverter<LedgerKind>))]
public enum LedgerKind
{
    Earn,
    Spend,
    Refund,
    Expire,
    Adjust,
}

/// <summary>How many points an entry took from (or returned to) one lot.</summary>
public sealed record LotAllocation(string LotId, long Amount);

/// <summary>
/// One earning. <see cref="Remaining"/> is what is left to spend; <see cref="Expired"/> is what the ledger has
/// recorded as expired. The lot stops counting at <see cref="ExpiresAt"/> (exclusive) whether or not the
/// expiry has been recorded yet, so the balance never depends on a sweep having run.
/// </summary>
public sealed record PointsLot(
    string Id,
    long Amount,
    long Remaining,
    long Expired,
    string Source,
    string Reason,
    DateTimeOffset EarnedAt,
    DateTimeOffset? ExpiresAt,
    bool CountsTowardTier)
{
    public bool IsOpenAt(DateTimeOffset now) => ExpiresAt is null || ExpiresAt.Value > now;

    public long AvailableAt(DateTimeOffset now) => IsOpenAt(now) ? Remaining : 0;
}

/// <summary>
/// A ledger line. <see cref="Amount"/> is signed; <see cref="BalanceAfter"/> is the running ledger sum.
/// <see cref="OperationId"/> is also the idempotency record: an operation id that appears here has been applied.
/// </summary>
public sealed record LedgerEntry(
    long Sequence,
    DateTimeOffset At,
    LedgerKind Kind,
    string OperationId,
    string Source,
    string Reason,
    long Amount,
    long BalanceAfter,
    ImmutableArray<LotAllocation> Lots,
    string? RefundOf);

public sealed record LedgerPage(ImmutableArray<LedgerEntry> Items, int Page, int PageSize, int TotalCount);

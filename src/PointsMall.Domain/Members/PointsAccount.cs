using System.Collections.Immutable;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Members;

/// <summary>
/// A member's points as lots plus the ledger that explains them (DESIGN rule 6).
/// <para>Invariants: the ledger sum equals the sum of every lot's <see cref="PointsLot.Remaining"/>; after any
/// operation at <c>now</c> (which first records the expiries due at <c>now</c>) it also equals
/// <see cref="Balance"/> at <c>now</c>; nothing is ever negative.</para>
/// <para>Idempotency: every operation id is kept in the ledger entries it wrote, so the processed-id set is
/// the ledger itself and needs no separate bound. Refusals change nothing and are not remembered; the
/// caller (the order saga) records them durably.</para>
/// </summary>
public sealed record PointsAccount(
    string MemberId,
    ImmutableList<PointsLot> Lots,
    ImmutableList<LedgerEntry> Ledger,
    long LifetimeEarned)
{
    /// <summary>Operation ids of recorded expiries use this prefix; callers may not use it.</summary>
    public const string ExpireOperationPrefix = "expire:";

    public static PointsAccount Open(string memberId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        return new PointsAccount(memberId, [], [], 0);
    }

    /// <summary>Spendable points at <paramref name="now"/>: open lots only; no sweep needed.</summary>
    public long Balance(DateTimeOffset now) => Lots.Sum(l => l.AvailableAt(now));

    public long LedgerSum() => Ledger.Sum(e => e.Amount);

    public bool HasOperation(string operationId) => Ledger.Exists(e => e.OperationId == operationId);

    /// <summary>Points earned (not adjusted) in [from, to); the tier basis for a rolling window.</summary>
    public long EarnedBetween(DateTimeOffset from, DateTimeOffset to) =>
        Lots.Where(l => l.CountsTowardTier && l.EarnedAt >= from && l.EarnedAt < to).Sum(l => l.Amount);

    public PointsOutcome Earn(
        string operationId, long amount, string source, string reason, DateTimeOffset now, DateTimeOffset? expiresAt)
    {
        CheckOperationId(operationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (expiresAt is { } e && e <= now)
        {
            throw new ArgumentException("A lot must expire after it is earned.", nameof(expiresAt));
        }

        if (Replay(operationId, LedgerKind.Earn, amount) is { } replay)
        {
            return replay;
        }

        return AddLot(operationId, LedgerKind.Earn, amount, source, reason, now, expiresAt, countsTowardTier: true);
    }

    /// <summary>Spends from the earliest-expiring open lots first; never-expiring lots last.</summary>
    public PointsOutcome Spend(string operationId, long amount, string reason, DateTimeOffset now, string source = "redeem")
    {
        CheckOperationId(operationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(amount);
        if (Replay(operationId, LedgerKind.Spend, -amount) is { } replay)
        {
            return replay;
        }

        return Draw(operationId, LedgerKind.Spend, amount, source, reason, now);
    }

    /// <summary>
    /// Operator adjustment: a positive delta creates a lot (not counted toward tier); a negative one draws
    /// like a spend and is refused rather than driving the balance negative.
    /// </summary>
    public PointsOutcome Adjust(string operationId, long delta, string reason, DateTimeOffset now, DateTimeOffset? expiresAt = null)
    {
        CheckOperationId(operationId);
        if (delta == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), "An adjustment must change the balance.");
        }

        if (Replay(operationId, LedgerKind.Adjust, delta) is { } replay)
        {
            return replay;
        }

        if (delta > 0)
        {
            if (expiresAt is { } e && e <= now)
            {
                throw new ArgumentException("A lot must expire after it is created.", nameof(expiresAt));
            }

            return AddLot(operationId, LedgerKind.Adjust, delta, "adjust", reason, now, expiresAt, countsTowardTier: false);
        }

        return Draw(operationId, LedgerKind.Adjust, -delta, "adjust", reason, now);
    }

    /// <summary>
    /// Returns points of an earlier spend (or negative adjustment) to the lots they came from, most recently
    /// drawn first. Points returned into a lot that has already expired are recorded as refunded and then
    /// immediately as expired, so the ledger states it and the balance stays honest.
    /// <paramref name="amount"/> null refunds everything not yet refunded.
    /// </summary>
    public PointsOutcome Refund(string operationId, string spendOperationId, long? amount, string reason, DateTimeOffset now)
    {
        CheckOperationId(operationId);
        ArgumentException.ThrowIfNullOrWhiteSpace(spendOperationId);
        if (amount is { } a)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(a);
        }

        if (Replay(operationId, LedgerKind.Refund, amount) is { } replay)
        {
            return replay;
        }

        var drawn = Ledger.Where(e => e.OperationId == spendOperationId && e.Amount < 0 &&
                                      e.Kind is LedgerKind.Spend or LedgerKind.Adjust).ToList();
        if (drawn.Count == 0)
        {
            return PointsOutcome.Refused(this, RefusalCode.NotFound, "spend_not_found");
        }

        // What is still refundable per lot: drawn minus already refunded, in draw order.
        var refunded = Ledger.Where(e => e.Kind == LedgerKind.Refund && e.RefundOf == spendOperationId)
            .SelectMany(e => e.Lots)
            .GroupBy(x => x.LotId)
            .ToDictionary(g => g.Key, g => g.Sum(x => x.Amount));
        var refundable = new List<LotAllocation>();
        foreach (var alloc in drawn.SelectMany(e => e.Lots))
        {
            var already = refunded.GetValueOrDefault(alloc.LotId);
            var take = Math.Min(already, alloc.Amount);
            refunded[alloc.LotId] = already - take;
            if (alloc.Amount - take > 0)
            {
                refundable.Add(alloc with { Amount = alloc.Amount - take });
            }
        }

        var total = refundable.Sum(x => x.Amount);
        var want = amount ?? total;
        if (total == 0)
        {
            return PointsOutcome.Refused(this, RefusalCode.Conflict, "already_refunded");
        }

        if (want > total)
        {
            return PointsOutcome.Refused(this, RefusalCode.Conflict, "exceeds_refundable");
        }

        var (account, expiredEntries, expiredLots) = RecordExpiries(now);
        var lots = account.Lots;
        var back = new List<LotAllocation>();
        var intoExpired = new List<LotAllocation>();
        var left = want;
        for (var i = refundable.Count - 1; i >= 0 && left > 0; i--)
        {
            var take = Math.Min(left, refundable[i].Amount);
            left -= take;
            var index = lots.FindIndex(l => l.Id == refundable[i].LotId);
            var lot = lots[index];
            back.Add(new LotAllocation(lot.Id, take));
            if (lot.IsOpenAt(now))
            {
                lots = lots.SetItem(index, lot with { Remaining = lot.Remaining + take });
            }
            else
            {
                // The lot is gone: the points pass through it and expire at once.
                intoExpired.Add(new LotAllocation(lot.Id, take));
                lots = lots.SetItem(index, lot with { Expired = lot.Expired + take });
            }
        }

        var ledger = account.Ledger;
        var balance = account.LedgerSum();
        var refundEntry = new LedgerEntry(
            NextSequence(ledger), now, LedgerKind.Refund, operationId, "refund", reason, want, balance + want,
            [.. back], spendOperationId);
        ledger = ledger.Add(refundEntry);
        var own = ImmutableArray.Create(refundEntry);
        if (intoExpired.Count > 0)
        {
            var expired = intoExpired.Sum(x => x.Amount);
            var expireEntry = new LedgerEntry(
                NextSequence(ledger), now, LedgerKind.Expire, operationId, "expiry", "refunded_into_expired_lot",
                -expired, balance + want - expired, [.. intoExpired], spendOperationId);
            ledger = ledger.Add(expireEntry);
            own = own.Add(expireEntry);
        }

        return new PointsOutcome(
            account with { Lots = lots, Ledger = ledger }, expiredEntries.AddRange(own), expiredLots, null, false);
    }

    /// <summary>Records in the ledger every expiry due at <paramref name="now"/>; returns the lots that expired.</summary>
    public PointsOutcome Expire(DateTimeOffset now)
    {
        var (account, entries, lots) = RecordExpiries(now);
        return new PointsOutcome(account, entries, lots, null, false);
    }

    /// <summary>Newest first; <paramref name="page"/> is 1-based.</summary>
    public LedgerPage History(int page, int pageSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(page);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pageSize);
        var items = Ledger.Reverse().Skip((page - 1) * pageSize).Take(pageSize).ToImmutableArray();
        return new LedgerPage(items, page, pageSize, Ledger.Count);
    }

    /// <summary>Open lots with points left that expire within <paramref name="window"/> of now, soonest first.</summary>
    public ImmutableArray<PointsLot> ExpiringSoon(DateTimeOffset now, TimeSpan window) =>
        [.. Lots.Where(l => l.Remaining > 0 && l.IsOpenAt(now) && l.ExpiresAt <= now + window)
            .OrderBy(l => l.ExpiresAt)];

    private PointsOutcome AddLot(
        string operationId, LedgerKind kind, long amount, string source, string reason, DateTimeOffset now,
        DateTimeOffset? expiresAt, bool countsTowardTier)
    {
        var (account, expiredEntries, expiredLots) = RecordExpiries(now);

        // The lot id is the operation id: one earning creates exactly one lot.
        var lot = new PointsLot(operationId, amount, amount, 0, source, reason, now, expiresAt, countsTowardTier);
        var entry = new LedgerEntry(
            NextSequence(account.Ledger), now, kind, operationId, source, reason, amount,
            account.LedgerSum() + amount, [new LotAllocation(lot.Id, amount)], null);
        var next = account with
        {
            Lots = account.Lots.Add(lot),
            Ledger = account.Ledger.Add(entry),
            LifetimeEarned = account.LifetimeEarned + (countsTowardTier ? amount : 0),
        };
        return new PointsOutcome(next, expiredEntries.Add(entry), expiredLots, null, false);
    }

    private PointsOutcome Draw(string operationId, LedgerKind kind, long amount, string source, string reason, DateTimeOffset now)
    {
        if (Balance(now) < amount)
        {
            return PointsOutcome.Refused(this, RefusalCode.InsufficientPoints, "insufficient_points");
        }

        var (account, expiredEntries, expiredLots) = RecordExpiries(now);
        var order = account.Lots
            .Select((lot, index) => (lot, index))
            .Where(x => x.lot.Remaining > 0 && x.lot.IsOpenAt(now))
            .OrderBy(x => x.lot.ExpiresAt ?? DateTimeOffset.MaxValue)
            .ThenBy(x => x.lot.EarnedAt)
            .ThenBy(x => x.index)
            .ToList();
        var lots = account.Lots;
        var allocations = ImmutableArray.CreateBuilder<LotAllocation>();
        var left = amount;
        foreach (var (lot, index) in order)
        {
            if (left == 0)
            {
                break;
            }

            var take = Math.Min(left, lot.Remaining);
            left -= take;
            lots = lots.SetItem(index, lot with { Remaining = lot.Remaining - take });
            allocations.Add(new LotAllocation(lot.Id, take));
        }

        var entry = new LedgerEntry(
            NextSequence(account.Ledger), now, kind, operationId, source, reason, -amount,
            account.LedgerSum() - amount, allocations.ToImmutable(), null);
        var next = account with { Lots = lots, Ledger = account.Ledger.Add(entry) };
        return new PointsOutcome(next, expiredEntries.Add(entry), expiredLots, null, false);
    }

    private (PointsAccount Account, ImmutableArray<LedgerEntry> Entries, ImmutableArray<PointsLot> Lots) RecordExpiries(DateTimeOffset now)
    {
        var due = Lots.Select((lot, index) => (lot, index))
            .Where(x => x.lot.Remaining > 0 && !x.lot.IsOpenAt(now))
            .OrderBy(x => x.lot.ExpiresAt)
            .ThenBy(x => x.index)
            .ToList();
        if (due.Count == 0)
        {
            return (this, [], []);
        }

        var lots = Lots;
        var ledger = Ledger;
        var balance = LedgerSum();
        var entries = ImmutableArray.CreateBuilder<LedgerEntry>();
        var expired = ImmutableArray.CreateBuilder<PointsLot>();
        foreach (var (lot, index) in due)
        {
            balance -= lot.Remaining;
            var entry = new LedgerEntry(
                NextSequence(ledger), lot.ExpiresAt!.Value, LedgerKind.Expire, ExpireOperationPrefix + lot.Id,
                "expiry", lot.Reason, -lot.Remaining, balance, [new LotAllocation(lot.Id, lot.Remaining)], null);
            ledger = ledger.Add(entry);
            entries.Add(entry);
            expired.Add(lot);
            lots = lots.SetItem(index, lot with { Remaining = 0, Expired = lot.Expired + lot.Remaining });
        }

        return (this with { Lots = lots, Ledger = ledger }, entries.ToImmutable(), expired.ToImmutable());
    }

    /// <summary>
    /// A repeated operation id returns the entries it wrote. Reusing an id for a different operation
    /// (other kind or amount) is a conflict, never a silent success.
    /// </summary>
    private PointsOutcome? Replay(string operationId, LedgerKind kind, long? amount)
    {
        var own = Ledger.Where(e => e.OperationId == operationId).ToImmutableArray();
        if (own.IsEmpty)
        {
            return null;
        }

        var first = own[0];
        if (first.Kind != kind || (amount is { } a && first.Amount != a))
        {
            return PointsOutcome.Refused(this, RefusalCode.Conflict, "operation_id_reused");
        }

        return new PointsOutcome(this, own, [], null, true);
    }

    private static long NextSequence(ImmutableList<LedgerEntry> ledger) => ledger.Count == 0 ? 1 : ledger[^1].Sequence + 1;

    private static void CheckOperationId(string operationId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        if (operationId.StartsWith(ExpireOperationPrefix, StringComparison.Ordinal))
        {
            throw new ArgumentException($"Operation ids starting with '{ExpireOperationPrefix}' are reserved.", nameof(operationId));
        }
    }
}

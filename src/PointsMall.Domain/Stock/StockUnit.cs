using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PointsMall.Domain.Common;

namespace PointsMall.Domain.Stock;

[JsonConverter(typeof(JsonStringEnumConverter<StockLineStatus>))]
public enum StockLineStatus
{
    Reserved,
    Committed,
    Released,
}

/// <summary>What one order holds of this product. Kept after release as a tombstone so a late or retried
/// reserve for a cancelled order can never take stock again.</summary>
public sealed record StockLine(string OrderId, string MemberId, int Quantity, StockLineStatus Status, DateTimeOffset At);

/// <summary>Raised once each time available stock crosses down to (or below) the low-stock threshold.</summary>
public sealed record LowStockAlert(string ProductId, long Available, long Threshold, DateTimeOffset At);

public sealed record StockOutcome(StockUnit Unit, Refusal? Refusal, bool Replayed, LowStockAlert? Alert)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// The stock of one product. Available = Total − Committed − Reserved and is never negative.
/// Every operation is keyed by order id (restock by operation id) and idempotent.
/// <para>Per-member limits are enforced here, not in the member: this unit already serialises every
/// redemption of the product, so "count so far + this request ≤ limit" is checked and recorded in the same
/// turn as the reservation, with no cross-grain race. <see cref="MemberCounts"/> counts units in active
/// (reserved or committed) lines; a release gives the allowance back.</para>
/// </summary>
public sealed record StockUnit(
    string ProductId,
    long Total,
    long Reserved,
    long Committed,
    ImmutableDictionary<string, StockLine> Lines,
    ImmutableDictionary<string, int> MemberCounts,
    int? PerMemberLimit,
    long LowStockThreshold,
    bool LowStockAlerted,
    bool OnShelf,
    ImmutableList<string> RestockIds)
{
    [JsonIgnore]
    public long Available => Total - Reserved - Committed;

    public static StockUnit Create(string productId, long initial, long lowStockThreshold, int? perMemberLimit, bool onShelf = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(productId);
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        ArgumentOutOfRangeException.ThrowIfNegative(lowStockThreshold);
        if (perMemberLimit is <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(perMemberLimit), "A per-member limit must be positive.");
        }

        return new StockUnit(productId, initial, 0, 0, ImmutableDictionary<string, StockLine>.Empty,
            ImmutableDictionary<string, int>.Empty, perMemberLimit, lowStockThreshold, false, onShelf, []);
    }

    public StockOutcome Reserve(string orderId, string memberId, int quantity, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentException.ThrowIfNullOrWhiteSpace(memberId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        if (Lines.TryGetValue(orderId, out var line))
        {
            if (line.Status == StockLineStatus.Released)
            {
                return Refuse(RefusalCode.Conflict, "order_released");
            }

            return line.MemberId == memberId && line.Quantity == quantity
                ? new StockOutcome(this, null, true, null)
                : Refuse(RefusalCode.Conflict, "order_id_reused");
        }

        if (!OnShelf)
        {
            return Refuse(RefusalCode.NotOnSale, "off_shelf");
        }

        var bought = MemberCounts.GetValueOrDefault(memberId);
        if (PerMemberLimit is { } limit && bought + quantity > limit)
        {
            return Refuse(RefusalCode.LimitExceeded, "per_member_limit");
        }

        if (quantity > Available)
        {
            return Refuse(RefusalCode.SoldOut, "sold_out");
        }

        return Changed(this with
        {
            Reserved = Reserved + quantity,
            Lines = Lines.Add(orderId, new StockLine(orderId, memberId, quantity, StockLineStatus.Reserved, now)),
            MemberCounts = MemberCounts.SetItem(memberId, bought + quantity),
        }, now);
    }

    /// <summary>Turns a reservation into a sale. Committing twice is a replay.</summary>
    public StockOutcome Commit(string orderId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (!Lines.TryGetValue(orderId, out var line))
        {
            return Refuse(RefusalCode.NotFound, "no_reservation");
        }

        return line.Status switch
        {
            StockLineStatus.Committed => new StockOutcome(this, null, true, null),
            StockLineStatus.Released => Refuse(RefusalCode.Conflict, "order_released"),
            _ => Changed(this with
            {
                Reserved = Reserved - line.Quantity,
                Committed = Committed + line.Quantity,
                Lines = Lines.SetItem(orderId, line with { Status = StockLineStatus.Committed, At = now }),
            }, now),
        };
    }

    /// <summary>
    /// Returns an order's units (reserved, or committed but not shipped) to available stock. Releasing an
    /// order this unit never saw records a tombstone, so compensation may run before a lost reserve arrives.
    /// </summary>
    public StockOutcome Release(string orderId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (!Lines.TryGetValue(orderId, out var line))
        {
            return new StockOutcome(this with
            {
                Lines = Lines.Add(orderId, new StockLine(orderId, "", 0, StockLineStatus.Released, now)),
            }, null, false, null);
        }

        if (line.Status == StockLineStatus.Released)
        {
            return new StockOutcome(this, null, true, null);
        }

        var count = MemberCounts.GetValueOrDefault(line.MemberId) - line.Quantity;
        return Changed(this with
        {
            Reserved = Reserved - (line.Status == StockLineStatus.Reserved ? line.Quantity : 0),
            Committed = Committed - (line.Status == StockLineStatus.Committed ? line.Quantity : 0),
            Lines = Lines.SetItem(orderId, line with { Status = StockLineStatus.Released, At = now }),
            MemberCounts = count > 0 ? MemberCounts.SetItem(line.MemberId, count) : MemberCounts.Remove(line.MemberId),
        }, now);
    }

    public StockOutcome Restock(string operationId, long quantity, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        return RestockIds.Contains(operationId)
            ? new StockOutcome(this, null, true, null)
            : Changed(this with { Total = Total + quantity, RestockIds = RestockIds.Add(operationId) }, now);
    }

    /// <summary>Off-shelf blocks new reservations; existing ones can still be committed or released.</summary>
    public StockUnit WithOnShelf(bool onShelf) => this with { OnShelf = onShelf };

    public StockUnit WithLimits(int? perMemberLimit, long lowStockThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lowStockThreshold);
        return this with { PerMemberLimit = perMemberLimit, LowStockThreshold = lowStockThreshold };
    }

    public int PurchasedBy(string memberId) => MemberCounts.GetValueOrDefault(memberId);

    private StockOutcome Refuse(RefusalCode code, string detail) => new(this, new Refusal(code, detail), false, null);

    /// <summary>One alert per downward crossing: the flag is re-armed only when stock rises above the threshold.</summary>
    private static StockOutcome Changed(StockUnit next, DateTimeOffset now)
    {
        if (next.Reserved < 0 || next.Committed < 0 || next.Available < 0)
        {
            throw new InvalidOperationException("Stock invariant broken.");
        }

        if (next.Available <= next.LowStockThreshold && !next.LowStockAlerted)
        {
            return new StockOutcome(next with { LowStockAlerted = true }, null, false,
                new LowStockAlert(next.ProductId, next.Available, next.LowStockThreshold, now));
        }

        return next.Available > next.LowStockThreshold && next.LowStockAlerted
            ? new StockOutcome(next with { LowStockAlerted = false }, null, false, null)
            : new StockOutcome(next, null, false, null);
    }
}

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

/// <summary>
/// What one order holds of this product while one of its steps here may still be retried. A released line is a
/// tombstone, so a retried reserve for a cancelled order can never take stock again.
/// </summary>
public sealed record StockLine(string OrderId, string MemberId, int Quantity, StockLineStatus Status, DateTimeOffset At);

/// <summary>
/// A sale the order has durably recorded as committed, given back with a release so that the unit can undo it after
/// it has forgotten the line (<see cref="StockUnit.Forget"/>).
/// </summary>
public sealed record SettledSale(int Quantity);

/// <summary>Raised once each time available stock crosses down to (or below) the low-stock threshold.</summary>
public sealed record LowStockAlert(string ProductId, long Available, long Threshold, DateTimeOffset At);

public sealed record StockOutcome(StockUnit Unit, Refusal? Refusal, bool Replayed, LowStockAlert? Alert)
{
    public bool Succeeded => Refusal is null;
}

/// <summary>
/// The stock of one product. Available = Total − Committed − Reserved and is never negative.
/// Every operation is keyed by order id (restock by operation id) and idempotent.
/// <para>Design note: this is the state of the hottest grain of a drop, and the whole of it is written on every
/// group commit, so it must not grow with the number of orders. A line is kept only while a step of its order may
/// be retried: from the reserve until the order has durably recorded the commit or the release and says so with
/// <see cref="Forget"/>. After that the sale lives on in <see cref="Committed"/> and in the order itself, which hands
/// it back (<see cref="SettledSale"/>) if it is cancelled later. Settled lines whose forget was lost are pruned after
/// <see cref="SettledLineRetention"/>. Per-member limits are the member's to keep (<c>Members.Purchases</c>), for
/// the same reason: a count per buyer here would grow with every buyer of a drop.</para>
/// </summary>
public sealed record StockUnit(
    string ProductId,
    long Total,
    long Reserved,
    long Committed,
    ImmutableDictionary<string, StockLine> Lines,
    long LowStockThreshold,
    bool LowStockAlerted,
    bool OnShelf,
    ImmutableList<string> RestockIds,
    OrderFilter? Seen = null,
    DateTimeOffset? RefilledAt = null)
{
    /// <summary>The most one order may take (the API's bound), so below this the admission may refuse some order.</summary>
    public const int MaxOrderQuantity = 99;

    /// <summary>How long a settled line whose order never said <see cref="Forget"/> (a crash in between) is kept.</summary>
    public static readonly TimeSpan SettledLineRetention = TimeSpan.FromHours(1);

    /// <summary>Lines at which a reserve also prunes settled lines past their retention.</summary>
    private const int PruneAbove = 1024;

    [JsonIgnore]
    public long Available => Total - Reserved - Committed;

    public static StockUnit Create(string productId, long initial, long lowStockThreshold, bool onShelf = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(productId);
        ArgumentOutOfRangeException.ThrowIfNegative(initial);
        ArgumentOutOfRangeException.ThrowIfNegative(lowStockThreshold);
        return new StockUnit(productId, initial, 0, 0, ImmutableDictionary<string, StockLine>.Empty, lowStockThreshold, false, onShelf, []);
    }

    /// <summary>
    /// Takes <paramref name="quantity"/> for the order. A <paramref name="final"/> reservation is a sale at once (a
    /// points-only order has nothing to wait for before it is paid), so its order needs no separate commit.
    /// </summary>
    /// <remarks>
    /// Every reservation asked for, granted or refused, marks the order as seen (<see cref="Admit"/>). An order placed
    /// before stock last came back (<see cref="RefilledAt"/>) that was never seen here may have been refused at
    /// admission while its request was retried, so it is refused the same way now: a shopper told <c>sold_out</c>
    /// is never charged later by an order that was only delayed (a crash before its first reserve).
    /// </remarks>
    public StockOutcome Reserve(string orderId, string memberId, int quantity, DateTimeOffset now, bool final = false, DateTimeOffset? placedAt = null)
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

            return line.MemberId == memberId && line.Quantity == quantity && (line.Status == StockLineStatus.Committed || !final)
                ? new StockOutcome(this, null, true, null)
                : Refuse(RefusalCode.Conflict, "order_id_reused");
        }

        // Refusals below carry the unit with the order marked: the grain keeps that change too.
        var seen = Saw(orderId);
        var wasSeen = ReferenceEquals(seen, this);
        if (!OnShelf)
        {
            return seen.Refuse(RefusalCode.NotOnSale, "off_shelf");
        }

        if (quantity > Available || (!wasSeen && placedAt < RefilledAt))
        {
            return seen.Refuse(RefusalCode.SoldOut, "sold_out");
        }

        var lines = Lines.Count > PruneAbove ? Pruned(Lines, now) : Lines;
        return Changed(seen with
        {
            Reserved = Reserved + (final ? 0 : quantity),
            Committed = Committed + (final ? quantity : 0),
            Lines = lines.Add(orderId, new StockLine(orderId, memberId, quantity, final ? StockLineStatus.Committed : StockLineStatus.Reserved, now)),
        }, now);
    }

    /// <summary>
    /// The admission of a redemption before its order exists: <c>sold_out</c> when less than
    /// <paramref name="quantity"/> is left and the order has never reached this unit (so it has no outcome here that
    /// a retry must get back); otherwise null, and the order goes on to <see cref="Reserve"/>. Changes nothing.
    /// </summary>
    public Refusal? Admit(string orderId, int quantity)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        return quantity > Available && !Lines.ContainsKey(orderId) && Seen?.MayContain(orderId) != true
            ? new Refusal(RefusalCode.SoldOut, "sold_out")
            : null;
    }

    /// <summary>This unit with the order marked as seen (this same instance when it already was).</summary>
    public StockUnit Saw(string orderId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        var seen = (Seen ?? OrderFilter.Empty).With(orderId);
        return ReferenceEquals(seen, Seen) ? this : this with { Seen = seen };
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
    /// order this unit has no line for records a tombstone, so compensation may run before a lost reserve arrives;
    /// unless the order hands back a <paramref name="settled"/> sale, which the unit then takes out of its
    /// aggregates (the line was forgotten after the commit). With <paramref name="writeOff"/> the units leave the stock
    /// instead (a code-pool product whose codes ran out: no code stands behind them).
    /// </summary>
    public StockOutcome Release(string orderId, DateTimeOffset now, SettledSale? settled = null, bool writeOff = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (!Lines.TryGetValue(orderId, out var line))
        {
            if (settled is { Quantity: > 0 } sale)
            {
                // Never below zero: a sale handed back twice after its tombstone was pruned must not mint stock.
                var quantity = (int)Math.Min(sale.Quantity, Committed);
                return Changed(this with
                {
                    Total = Total - (writeOff ? quantity : 0),
                    Committed = Committed - quantity,
                    Lines = Lines.Add(orderId, new StockLine(orderId, "", quantity, StockLineStatus.Released, now)),
                }, now);
            }

            return new StockOutcome(this with
            {
                Lines = Lines.Add(orderId, new StockLine(orderId, "", 0, StockLineStatus.Released, now)),
            }, null, false, null);
        }

        if (line.Status == StockLineStatus.Released)
        {
            return new StockOutcome(this, null, true, null);
        }

        return Changed(this with
        {
            Total = Total - (writeOff ? line.Quantity : 0),
            Reserved = Reserved - (line.Status == StockLineStatus.Reserved ? line.Quantity : 0),
            Committed = Committed - (line.Status == StockLineStatus.Committed ? line.Quantity : 0),
            Lines = Lines.SetItem(orderId, line with { Status = StockLineStatus.Released, At = now }),
        }, now);
    }

    /// <summary>
    /// The order has durably recorded the outcome of its last step here (commit or release), so no step of it will be
    /// retried: its line can go. An open reservation is kept (its order has not settled); an unknown id is a replay.
    /// </summary>
    public StockOutcome Forget(string orderId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        if (!Lines.TryGetValue(orderId, out var line))
        {
            return new StockOutcome(this, null, true, null);
        }

        return line.Status == StockLineStatus.Reserved
            ? Refuse(RefusalCode.Conflict, "reservation_open")
            : new StockOutcome(this with { Lines = Lines.Count > PruneAbove ? Pruned(Lines.Remove(orderId), now) : Lines.Remove(orderId) }, null, false, null);
    }

    public StockOutcome Restock(string operationId, long quantity, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(quantity);
        return RestockIds.Contains(operationId)
            ? new StockOutcome(this, null, true, null)
            : Changed(this with { Total = Total + quantity, RestockIds = RestockIds.Add(operationId) }, now);
    }

    /// <summary>
    /// Sets the total to <paramref name="total"/> (a count, a write-off, a correction): never below what orders hold
    /// or have taken (<see cref="Reserved"/> + <see cref="Committed"/>), so no sold or reserved unit is ever taken
    /// back. Once per <paramref name="operationId"/>, like a restock.
    /// </summary>
    public StockOutcome SetTotal(string operationId, long total, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(operationId);
        if (RestockIds.Contains(operationId))
        {
            return new StockOutcome(this, null, true, null);
        }

        return total < Reserved + Committed || total < 0
            ? Refuse(RefusalCode.Conflict, $"stock_below_held: orders hold or have taken {Reserved + Committed}")
            : Changed(this with { Total = total, RestockIds = RestockIds.Add(operationId) }, now);
    }

    /// <summary>Off-shelf blocks new reservations; existing ones can still be committed or released.</summary>
    public StockUnit WithOnShelf(bool onShelf) => this with { OnShelf = onShelf };

    public StockUnit WithLowStockThreshold(long lowStockThreshold)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(lowStockThreshold);
        return this with { LowStockThreshold = lowStockThreshold };
    }

    /// <summary>Drops settled lines older than the retention; open reservations always stay.</summary>
    private static ImmutableDictionary<string, StockLine> Pruned(ImmutableDictionary<string, StockLine> lines, DateTimeOffset now)
    {
        var stale = lines.Values.Where(l => l.Status != StockLineStatus.Reserved && now - l.At > SettledLineRetention).Select(l => l.OrderId).ToList();
        return stale.Count == 0 ? lines : lines.RemoveRange(stale);
    }

    private StockOutcome Refuse(RefusalCode code, string detail) => new(this, new Refusal(code, detail), false, null);

    /// <summary>
    /// One alert per downward crossing: the flag is re-armed only when stock rises above the threshold. A rise from
    /// a level where the admission could refuse some order is recorded (<see cref="RefilledAt"/>).
    /// </summary>
    private StockOutcome Changed(StockUnit next, DateTimeOffset now)
    {
        if (next.Reserved < 0 || next.Committed < 0 || next.Available < 0)
        {
            throw new InvalidOperationException("Stock invariant broken.");
        }

        if (next.Available > Available && Available < MaxOrderQuantity)
        {
            next = next with { RefilledAt = now };
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
